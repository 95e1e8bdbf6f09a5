"""The one reader of the analyst's text files (results_report.yml, recommendations.yml).

The files are data, never a program: YAML anchors and aliases (「&a」, 「*a」) and type tags
(「!!python/…」) are refused before anything is expanded, so a few kilobytes can never
become megabytes of page; sizes are capped (:data:`MAX_BYTES`, :data:`MAX_STRING`,
:data:`MAX_ITEMS`, :data:`MAX_DEPTH`); every string passes the rule for characters nobody can
see (:func:`genderstats.data.vocab.visible_text`). Only a regular file inside the data
folder is read. Every problem is a DataError naming the file as the user knows it
(data/112/recommendations.yml), the line, and the fix, in Chinese: PyYAML's own English
never reaches a message.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from genderstats.data.errors import DataError, Problem, excerpt
from genderstats.data.folders import display_path, refusal
from genderstats.data.readers import read_regular, undecodable
from genderstats.data.vocab import all_visible, match_key, refused_character, visible_text
from genderstats.record import record_input, record_lookup

EXTENSIONS = (".yml", ".yaml")
MAX_BYTES = 256 * 1024
"""A text file's size limit: the sample's results_report.yml is 19 KB."""
MAX_STRING = 20_000
"""Characters in one string (a paragraph of prose)."""
MAX_ITEMS = 500
"""Items in one list, keys in one mapping."""
MAX_DEPTH = 16
"""Nesting of lists and mappings (results_report.yml needs 7)."""
SYNTAX_HELP = ("請檢查縮排（用空白，不要用 Tab）、冒號後的空白與成對的引號、括號；"
               "多行文字請在鍵後寫「|」，下一行起縮排。")
NO_ANCHORS = ("這個檔案只放文字，不接受錨點（&）與別名（*）：請把要重複的文字直接寫出來。")
NOT_UTF8 = "檔案不是 UTF-8 編碼"
SAVE_AS_UTF8 = "請用記事本或 VS Code 另存為 UTF-8 後再放入。"


# ── finding and reading ─────────────────────────────────────────────────────────────────


def find_text_file(folder: Path, data_dir: Path, stem: str, title: str) -> Path | None:
    """``<folder>/<stem>.yml`` (or .yaml, any case), None when there is none.

    DataError for a file that must not be read (a symlink out of the data folder, a folder,
    a FIFO) and for two files of the same stem."""
    record_lookup(folder)
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in EXTENSIONS and match_key(p.stem) == stem
                   and not p.name.startswith(("~$", ".")))
    refused = [x for x in (refusal(p, folder, data_dir) for p in found) if x is not None]
    if refused:
        raise DataError(refused)
    if len(found) > 1:
        raise DataError([Problem(
            display_path(folder, data_dir), None, None, None,
            f"資料夾中有 {len(found)} 個「{stem}」（{title}）檔案："
            f"{excerpt('、'.join(p.name for p in found))}。請只保留一個。",
        )])
    return found[0] if found else None


def read_text_file(path: Path, display: str) -> str:
    """The text of a found text file: a regular file, at most :data:`MAX_BYTES`, UTF-8."""
    record_input(path)
    raw = read_regular(path, display, MAX_BYTES + 1)
    _check_size(len(raw), display)
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise undecodable(display, body, exc.start, "utf-8", NOT_UTF8, fix=SAVE_AS_UTF8,
                          unit="行") from None


def _check_size(size: int, display: str) -> None:
    if size > MAX_BYTES:
        raise _problem(display, f"檔案超過 {MAX_BYTES // 1024} KB 的上限。這個檔案只放報告的文字；"
                                "請確認放入的是正確的檔案，並刪去不需要的內容。")


def _problem(display: str, message: str, line: int | None = None) -> DataError:
    where = f"第 {line} 行：" if line is not None else ""
    return DataError([Problem(display, None, None, None, where + message)])


# ── composing: nodes with line marks, nothing expanded ──────────────────────────────────


class _Refused(Exception):
    """A node the files never need; raised before it is composed."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Checks(Composer):
    """PyYAML's composer, refusing aliases, anchors and tags and capping sizes as it goes.

    Each check runs on the parser's next event, before the node is built, so an alias
    bomb stops at its first anchor."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.refused: list[tuple[int, str]] = []
        """(line, message) of strings holding refused characters, all of them."""

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            raise _Refused(line, f"用了 YAML 的別名「*{excerpt(event.anchor, 20)}」。{NO_ANCHORS}")
        if event.anchor is not None:
            raise _Refused(line, f"用了 YAML 的錨點「&{excerpt(event.anchor, 20)}」。{NO_ANCHORS}")
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = re.sub(r"^tag:yaml\.org,2002:", "!!", tag)
            raise _Refused(line, f"用了 YAML 的型別標記「{excerpt(shown, 30)}」。"
                                 "這個檔案只放文字與清單，請刪除這個標記。")
        size = len(parent.value) if isinstance(parent, MappingNode | SequenceNode) else 0
        if size >= MAX_ITEMS and not (isinstance(parent, MappingNode) and index is not None):
            raise _Refused(line, f"一個清單（或一組鍵）最多 {MAX_ITEMS} 項，這裡超過了。"
                                 "請確認縮排，或把內容分開寫。")
        if self.depth >= MAX_DEPTH:
            raise _Refused(line, f"清單與鍵的層次超過 {MAX_DEPTH} 層。請確認縮排是否正確。")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_scalar_node(self, anchor: str | None) -> Node:
        event = self.peek_event()
        if len(event.value) > MAX_STRING:
            raise _Refused(event.start_mark.line + 1,
                           f"一段文字最多 {MAX_STRING:,} 字，這段有 {len(event.value):,} 字。"
                           "請分成幾段，或刪去不需要的內容。")
        node = super().compose_scalar_node(anchor)
        if not all_visible(node.value):
            text, refused = visible_text(node.value)
            if refused is not None:
                self.refused.append(
                    (line_of(node, node.value, node.value.index(refused)),
                     refused_character(refused)))
            node.value = text
        return node


try:
    from yaml._yaml import CParser  # libyaml: the same events and marks, much faster

    class _Loader(_Checks, CParser, Resolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            Resolver.__init__(self)
            _Checks.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(_Checks, Reader, Scanner, Parser, Resolver):  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            Resolver.__init__(self)
            _Checks.__init__(self)


def compose(text: str, display: str) -> Node | None:
    """The node tree of a text file's ``text`` (None when it is empty), checked as the
    module docstring says. Strings are kept as written but for the characters the rule
    strips. DataError names ``display`` and the line of every problem."""
    _check_size(len(text.encode("utf-8", errors="replace")), display)
    _check_characters(text, display)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except _Refused as refusal:
        raise _problem(display, refusal.message, refusal.line) from None
    except yaml.YAMLError as exc:
        raise _problem(display, syntax_message(exc, text)) from None
    finally:
        loader.dispose()
    if loader.refused:
        raise DataError(Problem(display, None, None, None, f"第 {line} 行：{message}")
                        for line, message in loader.refused)
    return root


def _check_characters(text: str, display: str) -> None:
    """Characters refused anywhere in the file (comments too), each with its line: YAML's
    own reader would otherwise stop at the first with an English message."""
    if all_visible(text):
        return
    problems = [Problem(display, None, None, None, f"第 {n} 行：{refused_character(char)}")
                for n, line in enumerate(text.split("\n"), start=1)
                for char in [visible_text(line)[1]] if char is not None]
    if problems:
        raise DataError(problems)


def line_of(node: ScalarNode, value: str, pos: int) -> int:
    """The file line (1-based) of ``value[pos]``: a block scalar (「|」) starts a line below
    its key, and its lines follow one by one; other scalars are placed at their start."""
    if node.style in ("|", ">"):
        return node.start_mark.line + 2 + value[:pos].count("\n")
    return node.start_mark.line + 1


# ── syntax errors, in the words of the person who typed them ────────────────────────────

# A key written with a full-width colon: 「組別：C群」, 「- 類別：(一)」. A key is short and
# no sentence: prose such as 「…情形分析：女性…」 has its punctuation.
_FULL_WIDTH_KEY = re.compile(
    r"^[ \t\u3000]*(?:-[ \t\u3000]+)?([^\s:：#'\"\[\]{}|>\-][^:：，。、；！？]{0,19})：")
# A line the parser read as a key: the cause of a later error is not above it.
_ASCII_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?[^\s#][^:]*:(?:[ \t]|$)")
_FULL_WIDTH_SPACE = re.compile(r"^[ \t]*\u3000|:\u3000|^[ \t]*-\u3000")
_TAB_INDENT = re.compile(r"^ *\t")
_UNCLOSED = ("while scanning a quoted scalar", "while parsing a flow sequence",
             "while parsing a flow mapping", "while scanning a simple key")
LOOK_BACK = 3
"""Lines above the one PyYAML names that may hold a full-width space it tripped on."""


def syntax_message(exc: yaml.YAMLError, text: str) -> str:
    """『第 3 行不是有效的 YAML：…』 for PyYAML's error ``exc`` on ``text``."""
    lines = text.split("\n")
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if problem is None:
        return f"檔案中有不是有效 YAML 的地方。{SYNTAX_HELP}"
    line = min(problem.line, _last_written(lines))
    if context in _UNCLOSED and context_mark is not None:
        line = context_mark.line
    # A full-width colon turns a key into text that runs on until the next real key, where
    # PyYAML stops: the cause is the nearest such key above, below any key it did read.
    for n in range(min(line, len(lines) - 1), -1, -1):
        match = _FULL_WIDTH_KEY.match(lines[n])
        if match and not _ASCII_KEY.match(lines[n]):
            key = match.group(1).strip()
            return (f"第 {n + 1} 行不是有效的 YAML：「{key}：」用了全形冒號「：」。"
                    f"鍵與值之間請用半形冒號加一個空白，如「{key}: …」。")
        if n < line and _ASCII_KEY.match(lines[n]):
            break
    for n in range(line, max(-1, line - LOOK_BACK - 1), -1):
        if n < len(lines) and _FULL_WIDTH_SPACE.search(lines[n]):
            return (f"第 {n + 1} 行不是有效的 YAML：用了全形空白「　」。"
                    "縮排、「-」與冒號後面的空白請用半形空白。")
    if line < len(lines) and _TAB_INDENT.match(lines[line]):
        return f"第 {line + 1} 行不是有效的 YAML：縮排用了 Tab。請改用空白縮排。"
    if context in _UNCLOSED[:3] and context_mark is not None:
        return (f"第 {line + 1} 行不是有效的 YAML：這一行開始的引號或括號沒有成對結束。"
                f"{SYNTAX_HELP}")
    return f"第 {line + 1} 行不是有效的 YAML。{SYNTAX_HELP}"


def _last_written(lines: list[str]) -> int:
    """The last line holding something (0-based): an error at the end of the file is placed
    there, not on the empty line after it."""
    for n in range(len(lines) - 1, -1, -1):
        if lines[n].strip():
            return n
    return 0
