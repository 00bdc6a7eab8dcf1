"""Reading article files so that offsets point into the text as stored."""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_document"]


def read_document(path: str | Path, encoding: str = "utf-8") -> str:
    """Return the text of ``path``, decoded strictly, with line endings untouched.

    Line endings are kept as stored (``newline=""``) and a UTF-8 byte-order mark is
    kept as a character (the splitter treats it as whitespace), so paragraph offsets
    index the decoded file exactly. Raises ``OSError`` for an unreadable file and
    ``UnicodeDecodeError`` for bytes that are not valid ``encoding``.
    """
    with open(path, encoding=encoding, errors="strict", newline="") as file:
        return file.read()
