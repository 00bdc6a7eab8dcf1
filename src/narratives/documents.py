"""Reading article files so that offsets point into the text as stored."""

from __future__ import annotations

import codecs
import contextlib
import errno
import re
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from narratives.safe_io import read_regular

if TYPE_CHECKING:
    from narratives.html import HtmlPage

__all__ = [
    "HTML_SUFFIXES",
    "check_text_encoding",
    "describe_read_error",
    "read_article",
    "read_document",
    "read_input",
]

#: File name endings read as web pages by ``input_format="auto"``.
HTML_SUFFIXES = (".html", ".htm", ".xhtml")

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


def read_input(source: str | Path, encoding: str = "utf-8", input_format: str = "auto") -> str | HtmlPage:
    """Read one input as plain text or, for a web page, as its blocks (:func:`narratives.html.read_html`).

    With ``"auto"`` a file named ``*.html``, ``*.htm`` or ``*.xhtml`` is a page (decoded
    by the charset it declares, not ``encoding``), and so is any other input that starts
    like a whole page (``<!doctype html``, ``<html`` ...); text with a few stray tags stays text. Bytes that fit neither the declared charset nor UTF-8 are read as
    cp1252 with a ``UserWarning`` naming the file. Raises as :func:`read_article` does,
    and ``ValueError`` for a page with no visible text.
    """
    from narratives.html import charset_problem, read_html, starts_like_html

    if input_format == "text":
        return read_article(source, encoding)
    named_html = Path(str(source)).suffix.lower() in HTML_SUFFIXES
    if input_format == "html" or named_html:
        if str(source) == "-":
            data = getattr(sys.stdin, "buffer", None)
            data = data.read() if data is not None else sys.stdin.read().encode("utf-8")
        elif Path(source).is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(source))
        else:
            data = bytes(read_regular(source))
        if not data.strip():
            raise ValueError("empty file: no text to classify")
        problem = charset_problem(data)
        if problem:
            warnings.warn(f"{source}: {problem}", stacklevel=2)
        page = read_html(data, url=str(source))
    else:
        text = read_article(source, encoding)
        if not starts_like_html(text):
            return text
        page = read_html(text, url=str(source))
    if not page.blocks:
        raise ValueError("no visible text in the page")
    return page


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
