"""Text that PostgreSQL (`text`, `jsonb`) and strict JSON can store and read back.

PostgreSQL refuses NUL in text and jsonb, and lone surrogates cannot be encoded as UTF-8;
either would be accepted by a service, saved in its event store, and then fail in every
consumer's projection. They are refused where the data enters: the contract.
"""

import re
from typing import Any

_MAX_DEPTH = 64
# A str holds a surrogate only when it is lone: a pair is one code point in Python.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_character(text: str) -> str | None:
    """The first character that cannot be stored, described, or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if code == 0:
        return "ký tự NUL (U+0000)"
    return f"ký tự thay thế đơn lẻ (U+{code:04X})"


def find_unstorable(data: Any, depth: int = 0) -> str | None:
    """Why `data` (JSON-like: dicts, lists, strings) cannot be stored, or None."""
    if depth > _MAX_DEPTH:
        return "dữ liệu lồng nhau quá sâu"
    if isinstance(data, str):
        found = unstorable_character(data)
        return f"văn bản chứa {found}, không lưu được" if found else None
    if isinstance(data, dict):
        for key, value in data.items():
            problem = find_unstorable(key, depth + 1) or find_unstorable(value, depth + 1)
            if problem is not None:
                return problem
    elif isinstance(data, list | tuple):
        for item in data:
            problem = find_unstorable(item, depth + 1)
            if problem is not None:
                return problem
    return None
