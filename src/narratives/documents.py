"""Reading article files so that offsets point into the text as stored."""

from __future__ import annotations

import errno
import sys
from pathlib import Path

__all__ = ["describe_read_error", "read_article", "read_document"]


def read_document(path: str | Path, encoding: str = "utf-8") -> str:
    """Return the text of ``path``, decoded strictly, with line endings untouched.

    Line endings are kept as stored (``newline=""``) and a UTF-8 byte-order mark is
    kept as a character (the splitter treats it as whitespace), so paragraph offsets
    index the decoded file exactly. Raises ``OSError`` for an unreadable file and
    ``UnicodeDecodeError`` for bytes that are not valid ``encoding``.
    """
    with open(path, encoding=encoding, errors="strict", newline="") as file:
        return file.read()


def read_article(source: str | Path, encoding: str = "utf-8") -> str:
    """Read one article to classify: a path, or ``"-"`` for standard input.

    Raises ``OSError`` (missing, unreadable) or ``ValueError`` (not valid
    ``encoding``, binary, empty) with a reason fit to show a user.
    """
    if str(source) == "-":
        text = _read_standard_input(encoding)
    elif Path(source).is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(source))
    else:
        text = read_document(source, encoding)
    if "\x00" in text:
        raise ValueError("looks like a binary file (contains NUL bytes)")
    if not text.strip():
        raise ValueError("empty file: no text to classify")
    return text


def describe_read_error(error: Exception) -> str:
    """Why a file could not be read, in words a user can act on."""
    if isinstance(error, UnicodeDecodeError):
        return f"not valid {error.encoding} text ({error.reason} at byte {error.start}); try --encoding"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _read_standard_input(encoding: str) -> str:
    """Standard input decoded strictly with ``encoding`` (text streams without bytes as they are)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        return sys.stdin.read()
    return stream.read().decode(encoding, errors="strict")
