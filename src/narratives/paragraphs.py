"""Split raw article text into paragraphs with exact character offsets.

The rule, in order:

1. Lines end at any line boundary Python knows (``\\n``, ``\\r\\n``, ``\\r``, U+2028,
   U+2029, ``\\v``, ``\\f``, U+0085, ...). A line holding only whitespace (Unicode
   whitespace, zero-width spaces and joiners, the byte-order mark) is blank.
2. Blank lines and U+2029 PARAGRAPH SEPARATOR end a *block* of lines.
3. Inside a block, every line is its own paragraph (one-line-per-paragraph pages,
   headline lists, bullets, datelines, "Read also:" lines) unless the block is
   hard-wrapped prose. A block is hard-wrapped when its longest line is between
   ``MIN_WRAP_WIDTH`` and ``MAX_WRAP_WIDTH`` characters and at least a third of its
   line breaks show a sentence running on (the next line starts in lower case, the
   line ends in ``,``, ``;`` or a hyphen, or, when only the block's last line ends
   with a full stop, the line stops after a word).
4. In a hard-wrapped block two lines are joined when the first is *full*: the next
   line's first word would not have fitted on it within the block's width, and it
   is at least half that width. A short line or a list marker ends the paragraph.
   A line of at least half the width that stops after a word (no full stop) is
   joined too: a paragraph does not end mid-sentence.

Paragraph text never carries leading or trailing whitespace, and
``source[p.start:p.end] == p.text`` always holds.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = ["WHITESPACE", "Paragraph", "paragraph_spans", "split_paragraphs"]

#: Characters treated as whitespace: everything ``str.isspace`` accepts, plus the
#: invisible characters scraped pages are full of (zero-width space, zero-width
#: (non-)joiner, word joiner, byte-order mark).
WHITESPACE = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # str.isspace()
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, (non-)joiners, word joiner, BOM
)

#: Below this width a block is a list of short items, never wrapped prose:
#: headlines, bylines and datelines are short, prose wrapped that narrow is rare.
MIN_WRAP_WIDTH = 40
#: Above this width lines are whole paragraphs: editors and mail clients wrap at
#: 66-80 columns, occasionally 100; nobody hard-wraps at 150.
MAX_WRAP_WIDTH = 100
#: Share of line breaks in a block that must look like a sentence running on
#: before the block is treated as wrapped prose (a headline list has none).
MIN_RUN_ON_SHARE = 1 / 3

# Same boundaries as str.splitlines(); "\r\n" counts once.
_BREAK_CHARACTERS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"\r\n|[{_BREAK_CHARACTERS}]")
# The stripped content of one non-blank line: from its first to its last non-whitespace
# character. One scan with this finds every line worth looking at, with its offsets.
_NOT_SPACE = f"[^{re.escape(WHITESPACE)}]"
_LINE_CONTENT = re.compile(f"{_NOT_SPACE}(?:[^{re.escape(_BREAK_CHARACTERS)}]*{_NOT_SPACE})?")
_PARAGRAPH_SEPARATOR = "\u2029"
_LIST_MARKER = re.compile(r"(?:[-*+\u2022\u2023\u25aa\u25cf\u2013\u2014>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s")
_RUN_ON_ENDING = (",", ";", "-", "\u2010")
_SENTENCE_END = (".", "!", "?", '"', "\u201d", "'", "\u2019", ")")
_CLOSERS = "\"'\u201d\u2019)"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a source text: ``source[start:end] == text``.

    ``index`` is the paragraph's position (0-based) in the list it came from.
    """

    text: str
    start: int
    end: int
    index: int


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offsets of the line's stripped content in the source
    end: int
    text: str

    @property
    def first_word(self) -> str:
        return self.text.split(maxsplit=1)[0]


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split ``text`` into paragraphs, keeping exact character offsets.

    >>> [p.text for p in split_paragraphs("Coup in Niger\\n\\nSoldiers seized power.")]
    ['Coup in Niger', 'Soldiers seized power.']

    Empty or whitespace-only text gives ``[]``. Runs in time linear in ``len(text)``.
    """
    return [Paragraph(text[start:end], start, end, i) for i, (start, end) in enumerate(paragraph_spans(text))]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of :func:`split_paragraphs`, without building objects."""
    if not isinstance(text, str):
        hint = (
            " (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
        )
        raise TypeError(f"split_paragraphs expects a str, got {type(text).__name__}{hint}")
    spans: list[tuple[int, int]] = []
    for block in _blocks(text):
        if len(block) == 1:
            spans.append(block[0])
        else:
            spans.extend(_paragraph_spans([_Line(start, end, text[start:end]) for start, end in block]))
    return spans


def _blocks(text: str) -> list[list[tuple[int, int]]]:
    """Rules 1-2: spans of the stripped non-blank lines, grouped into blocks."""
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    previous_end = 0
    for match in _LINE_CONTENT.finditer(text):
        start, end = match.span()
        if current and _ends_block(text, previous_end, start):
            blocks.append(current)
            current = []
        current.append((start, end))
        previous_end = end
    if current:
        blocks.append(current)
    return blocks


def _ends_block(text: str, gap_start: int, gap_end: int) -> bool:
    """Does the whitespace between two lines hold a blank line or a paragraph separator?"""
    gap = text[gap_start:gap_end]
    if gap == "\n":  # the common cases first
        return False
    if gap == "\n\n":
        return True
    return _PARAGRAPH_SEPARATOR in gap or len(_LINE_BREAK.findall(gap)) >= 2


def _paragraph_spans(block: list[_Line]) -> list[tuple[int, int]]:
    """Character spans of the paragraphs in one block (rules 3 and 4)."""
    width = max(len(line.text) for line in block)
    breaks = list(itertools.pairwise(block))
    full = [_is_full(before, after, width) for before, after in breaks] + [False]
    wrapped = [
        full[i] and _is_wrap(before, after, after_is_full=full[i + 1])
        for i, (before, after) in enumerate(breaks)
    ]
    if not _is_wrapped_prose(breaks, wrapped, width, one_run=_reads_as_one_run(block)):
        return [(line.start, line.end) for line in block]
    # In wrapped prose a paragraph does not end mid-sentence: a line of at least half
    # the width that stops without a full stop was wrapped early (uneven wire copy, a
    # garbled character that shortened the line), whatever the next word's length.
    wrapped = [
        joined or _stops_mid_sentence(before, after, width)
        for joined, (before, after) in zip(wrapped, breaks)
    ]
    spans = [(block[0].start, block[0].end)]
    for (_, after), joined in zip(breaks, wrapped):
        if joined:
            spans[-1] = (spans[-1][0], after.end)
        else:
            spans.append((after.start, after.end))
    return spans


def _is_wrapped_prose(
    breaks: list[tuple[_Line, _Line]], wrapped: list[bool], width: int, *, one_run: bool
) -> bool:
    """Rule 3: enough of the block's possible wraps show a sentence running on."""
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH or not any(wrapped):
        return False
    run_ons = sum(_runs_on(*pair, one_run=one_run) for pair, joined in zip(breaks, wrapped) if joined)
    return run_ons >= MIN_RUN_ON_SHARE * sum(wrapped)


def _runs_on(before: _Line, after: _Line, *, one_run: bool) -> bool:
    """Does the sentence visibly carry on across this line break?

    It does when the next line starts in lower case or the line ends in ``,``, ``;`` or
    a hyphen; in a block that reads as one run of prose (``one_run``: only its last
    line ends with a full stop), also when the line stops after a word ("... the talks
    broke up at" / "Noon, a mediator said."). A list of headlines has no full stop at
    the end, and a list of sentences has one on every line.
    """
    return (
        after.text[0].islower()
        or before.text.endswith(_RUN_ON_ENDING)
        or (one_run and _ends_after_word(before))
    )


def _reads_as_one_run(block: list[_Line]) -> bool:
    """Only the block's last line ends with a full stop (after any closing quote or bracket)."""
    return block[-1].text.rstrip(_CLOSERS).endswith(".") and not any(
        line.text.endswith(_SENTENCE_END) for line in block[:-1]
    )


def _ends_after_word(line: _Line) -> bool:
    """Does the line stop on a lower-case letter or a digit (no punctuation)?"""
    last = line.text[-1]
    return last.islower() or last.isdigit()


def _is_wrap(before: _Line, after: _Line, *, after_is_full: bool) -> bool:
    """Rule 4: was this break, after a full line, made by wrapping?"""
    if _LIST_MARKER.match(after.text):
        return False
    # After a finished sentence, a line that ends a paragraph without finishing a
    # sentence is a new item ("Read also: ...", a headline), not the paragraph's tail.
    starts_item = not after_is_full and not after.text.endswith(_SENTENCE_END)
    return not (before.text.endswith(_SENTENCE_END) and starts_item)


def _stops_mid_sentence(before: _Line, after: _Line, width: int) -> bool:
    """A prose line cut after a word ("... the talks broke up at" / "noon on Friday.")."""
    return (
        2 * len(before.text) >= width
        and _ends_after_word(before)
        and not _LIST_MARKER.match(before.text)
        and not _LIST_MARKER.match(after.text)
    )


def _is_full(before: _Line, after: _Line, width: int) -> bool:
    """Would ``after``'s first word have overflowed ``before`` at this width?"""
    return len(before.text) + 1 + len(after.first_word) > width and 2 * len(before.text) >= width
