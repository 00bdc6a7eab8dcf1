"""Reading article files so that offsets point into the text as stored."""

from __future__ import annotations

import codecs
import contextlib
import errno
import re
import sys
from pathlib import Path

from narratives.safe_io import read_regular

__all__ = ["check_text_encoding", "describe_read_error", "read_article", "read_document"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text_encoding(encoding: str) -> None:
    """Raise ``LookupError`` unless ``encoding`` is a text encoding (not ``base64``, ``rot13``, ``zlib``...)."""
    codecs.lookup(encoding)  # LookupError for an unknown name
    # A text encoding that cannot decode one byte alone (UTF-16, ...) raises UnicodeDecodeError;
    # bytes-to-bytes and str-to-str codecs raise LookupError (decoding b"" would skip the check).
    with contextlib.suppress(UnicodeDecodeError):
        b"x".decode(encoding)


def read_document(path: str | Path, encoding: str = "utf-8") -> str:
    """Return the text of the regular file ``path``, decoded strictly, with line endings untouched.

    Line endings are kept as stored and a UTF-8 byte-order mark is kept as a character
    (the splitter treats it as whitespace), so paragraph offsets index the decoded file
    exactly. A FIFO, device or socket is refused without blocking (see
    :func:`narratives.safe_io.open_regular`). Raises ``OSError`` for an unreadable or
    non-regular file, ``UnicodeDecodeError`` for bytes that are not valid ``encoding`` and
    ``ValueError`` when decoding gives lone surrogates (e.g. UTF-7), which no output can hold.
    """
    return _checked(read_regular(path).decode(encoding, errors="strict"), encoding)


def _checked(text: str, encoding: str) -> str:
    if codecs.lookup(encoding).name == "utf-8":  # strict UTF-8 never decodes to a surrogate
        return text
    lone = _LONE_SURROGATE.search(text)
    if lone is not None:
        raise ValueError(
            f"decoding as {encoding} gives a lone surrogate (U+{ord(lone.group()):04X} at character "
            f"{lone.start()}), which is not text; try another --encoding"
        )
    return text


def read_article(source: str | Path, encoding: str = "utf-8") -> str:
    """Read one article to classify: a path, or ``"-"`` for standard input.

    Raises ``OSError`` (missing, unreadable, not a regular file) or ``ValueError``
    (not valid ``encoding``, binary, empty) with a reason fit to show a user.
    """
    if str(source) == "-":
        text = _read_standard_input(encoding)
    elif Path(source).is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(source))
    else:
        text = read_document(source, encoding)
    if "\x00" in text:
        raise ValueError("looks like a binary file (contains NUL bytes)")
    if not text or text.isspace():  # no stripped copy of a huge file
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
        return _checked(sys.stdin.read(), encoding)
    return _checked(stream.read().decode(encoding, errors="strict"), encoding)
