"""Text that PostgreSQL (`text`, `jsonb`) and strict JSON can store and read back.

PostgreSQL refuses NUL in text and jsonb, and lone surrogates cannot be encoded as UTF-8;
either would be accepted by a service, saved in its event store, and then fail in every
consumer's projection. They are refused where the data enters: the contract.
"""

from typing import Any

_MAX_DEPTH = 64


def unstorable_character(text: str) -> str | None:
    """The first character that cannot be stored, described, or None."""
    for character in text:
        code = ord(character)
        if code == 0:
            return "ký tự NUL (U+0000)"
        if 0xD800 <= code <= 0xDFFF:
            return f"ký tự thay thế đơn lẻ (U+{code:04X})"
    return None


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
