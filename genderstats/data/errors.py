"""Data problems and the error that carries them, worded for the people who fix the files."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from genderstats.characters import CONTROLS, FORMAT, NONCHARACTERS, SURROGATES
from genderstats.data.specs import vocabulary
from genderstats.names import could_be_name, mask_name

MAX_LISTED = 20
"""How many problems ``str(DataError)`` lists before summarising the rest."""
MORE_ROWS_SHOWN = 9
"""Rows a problem names after the first when it affects several rows."""
EXCERPT = 60
"""Characters of a file's own text a message may quote (a cell, the headers found)."""
_CONTROL = re.compile(f"[{CONTROLS}\t\n\r\u2028\u2029]+")
_INVISIBLE = re.compile(f"[{FORMAT}{NONCHARACTERS}{SURROGATES}]")


def excerpt(text: object, limit: int = EXCERPT) -> str:
    """A short, single-line quote of file text: control characters become one space, invisible
    ones (direction controls, zero-width…) go, and text past ``limit`` characters is cut with
    「…」. Messages never echo more of a file, nor a character that could garble them."""
    flat = _CONTROL.sub(" ", _INVISIBLE.sub("", str(text)))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the line as the user sees it in a spreadsheet (the header is line 1, so the
    first data row is 2); ``None`` for problems of the whole file. ``column`` is the header
    as written in the user's file. When several rows share the same problem (the same bad
    value in the same column) they are one Problem: ``row`` is the first of them,
    ``more_rows`` the next few and ``count`` how many rows there are in all.

    A quoted ``value`` that could be a personal name (2 to 4 Chinese characters that are not
    a word of the form) is masked, in ``value`` and where the message quotes it: a name
    typed into the wrong column never reaches a page or a log in full. A ``warning`` does
    not stop anything: it asks the user to look (a word shaped like a name in free text).
    """

    file: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str
    more_rows: tuple[int, ...] = ()
    count: int = 1
    warning: bool = False

    def __post_init__(self) -> None:
        if self.value and could_be_name(self.value, vocabulary()):
            masked = mask_name(self.value)
            object.__setattr__(self, "message",
                               self.message.replace(f"「{self.value}」", f"「{masked}」"))
            object.__setattr__(self, "value", masked)

    def masked(self, mask: Callable[[str], str]) -> Problem:
        """This problem with ``mask`` (a :class:`genderstats.names.NameFilter`'s) applied to
        its message and value: known names quoted anywhere in it are masked."""
        value = None if self.value is None else mask(self.value)
        return replace(self, message=mask(self.message), value=value)

    def where(self) -> str:
        """『data/112/x.csv 第 5 列「性別」欄』: the place, as the message starts."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            rows = "、".join(str(r) for r in (self.row, *self.more_rows))
            listed = 1 + len(self.more_rows)
            more = f"等共 {self.count:,} 列" if self.count > listed else ""
            parts.append(f"第 {rows} 列{more}")
        text = " ".join(parts)
        if self.column is not None:
            text += f"「{self.column}」欄"
        return text

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}：{self.message}" if where else self.message
        return f"提醒：{text}" if self.warning else text


class DataError(ValueError):
    """Raised when input data cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(format_problems(self.problems))

    def __str__(self) -> str:
        return format_problems(self.problems)


def format_problems(problems: list[Problem], limit: int = MAX_LISTED) -> str:
    """The human report: one line per problem, at most ``limit`` of them."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"…另有 {len(problems) - limit} 個問題未列出")
    return "\n".join(lines)
