"""The words a line must never break: figures, dates, masked names, item numbers, ☐ marks.

A reader who sees 「64.|29%」, 「7,5|00 元」, 「112/0|8/28」 or 「梁○|妤」 misreads them, so
every renderer keeps these tokens whole: the ODF renderer sets them in a character style
LibreOffice does not break (see :mod:`genderstats.present.odf`); the HTML renderer wraps the
names and check boxes in a no-wrap span (browsers already keep figures whole). The same
tokens give a table column its narrowest width
(:meth:`genderstats.present.model.Table.column_widths`).

>>> [text for text, whole in split("實體課程參訓率為 64.29%，講師梁○妤，於112/08/28辦理") if whole]
['64.29%', '師梁○妤', '112/08/28']
>>> [text for text, whole in split("1. 從AI技術看 ☐ 基礎課程") if whole]
['1.', '☐ 基']
"""

from __future__ import annotations

import re
import unicodedata

from genderstats.names import MASK

__all__ = ["TOKEN", "split", "is_figure", "is_name", "em_width", "narrowest", "widest"]

# Alternatives, first match wins:
# - an item number that opens the text (「1.」「(2)」);
# - a figure: digits joined by , . / : - (「2,526」「64.29%」「112/08/28」「113-116」「16/17」)
#   with a trailing %;
# - a masked name: up to two letters (a compound surname), the ○ marks, at most one letter
#   (names.mask_name keeps only a name's last character after them): 「王○明」「歐陽○明」
#   「司○○○如」「J○n」;
# - a check box and the first character of its label (「☐ 基」: the label itself may wrap).
_BOXES = "☐☑□"
TOKEN = re.compile(
    r"^\s*\(?\d{1,3}[.)](?!\d)"
    r"|\d+(?:[,./:\-]\d+)*%?"
    rf"|[^\W\d_]{{0,2}}{MASK}+[^\W\d_]?"
    rf"|[{_BOXES}]\s?[^\s{_BOXES}]"
)
_FIGURE = re.compile(r"\(?[\d,./:\-]+[%)]?")
# Latin words and codes do not break either (「TaipeiON」「CEDAW」): they set a column's
# narrowest width, but need no markup.
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_'’]*")


def split(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each with whether it is a token to keep whole (in order;
    joined again they give ``text``)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in TOKEN.finditer(text):
        start, end = match.span()
        if start == end:
            continue
        piece = match.group(0)
        if piece.isdigit():
            continue  # plain digits: no line breaks between them anyway
        lead = len(piece) - len(piece.lstrip())  # an item number's leading spaces
        start += lead
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def is_figure(token: str) -> bool:
    """Whether ``token`` is a figure, a date or an item number: digits and their separators
    only, which browsers never break (Unicode line breaking keeps 「64.29%」 whole); a
    masked name or a check box needs keeping whole by the renderer."""
    return _FIGURE.fullmatch(token.strip()) is not None


def is_name(token: str) -> bool:
    """Whether ``token`` is a masked name (its letters are ideographs LibreOffice would
    otherwise break between)."""
    return MASK in token


def em_width(text: str) -> float:
    """The width of ``text`` in em of the table font: an ideograph, a full-width sign or
    one a CJK font sets full width (○, ☐) is one em, a Latin letter or digit about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" or ch in _BOXES else 0.55
               for ch in text)


def narrowest(text: str) -> float:
    """The narrowest width (em) ``text`` can be set in without breaking a token or a Latin
    word; any other CJK character is a place to break."""
    words = [m.group(0) for m in TOKEN.finditer(text)] + _WORD.findall(text)
    widths = [em_width(w.strip()) for w in words]
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in text):
        widths.append(1.0)
    return max(widths, default=em_width(text.strip()))


def widest(text: str) -> float:
    """The width (em) of ``text``'s longest line when nothing needs to break."""
    return max((em_width(line.strip()) for line in text.split("\n")), default=0.0)
