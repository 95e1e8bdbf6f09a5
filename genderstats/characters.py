"""Classes of characters nobody can see: the one home of which code points they are.

The data rule (:func:`genderstats.data.vocab.visible_text`: what is refused, what stripped)
and the name rule (:func:`genderstats.names.normalise_name`) are both written with these.
Each is a character-class body for a regular expression (``f"[{FORMAT}]"``).
"""

from __future__ import annotations

CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
"""C0 and C1 control characters and DEL; tab, line feed and carriage return are text."""

NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
"""Unicode noncharacters: U+FDD0–U+FDEF and the last two code points of every plane."""

SURROGATES = "\ud800-\udfff"

BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Bidirectional controls: marks (ALM, LRM, RLM), embeddings, overrides and isolates."""

FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
"""Format characters (Unicode category Cf): zero-width space and joiners, soft hyphen, word
joiner, bidirectional controls, byte-order mark, tags… Invisible wherever they stand."""
