"""Accent-insensitive search: "nang luc" and "NĂNG LỰC" both find "năng lực".

The projection stores each record's folded text (a `search` column) and a query is folded the
same way: marks removed, đ as d, lower case.
"""

import unicodedata


def _folded_letters() -> tuple[str, str]:
    """Every Latin letter with marks (Vietnamese and others), and its bare ASCII letter."""
    source, target = [], []
    for code_point in range(0xC0, 0x1EFA):
        letter = chr(code_point)
        bare = "".join(
            c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c)
        )
        if letter in "đĐ":
            bare = "d"
        if len(bare) == 1 and bare.isascii() and bare.isalpha():
            source.append(letter)
            target.append(bare.lower())
    return "".join(source), "".join(target)


FOLD_FROM, FOLD_TO = _folded_letters()
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str) -> str:
    """Text as search compares it: no marks, no case ("NĂNG LỰC" and "nang luc" meet)."""
    folded = unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)
    return " ".join("".join(c.lower() if c.isascii() else c for c in folded).split())


def like_patterns(query: str) -> list[str] | None:
    """One LIKE pattern per word of the query (every word must match), or None for no query."""
    words = fold(query).split()
    if not words:
        return None
    escaped = (w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words)
    return [f"%{word}%" for word in escaped]
