"""Read an HTML page into the text blocks a reader sees, with the structure around each.

Every visible word lands in exactly one :class:`HtmlBlock`: block elements (``p``, ``h1``,
``li``, ``td``, ...) own their text, and text lying loose in a container (``div``, ``section``,
``body``, ...) between its block children forms blocks of its own. Every ``<br>`` ends a block:
pages use ``<br>`` runs as paragraph breaks, and one ``<br>`` between a dateline and a byline
separates things that are not one paragraph either. What a reader never sees (scripts, styles,
hidden elements, comments) is dropped. Needs lxml: ``pip install 'narratives[html]'``.

>>> page = read_html("<h1>Coup in Niger</h1><p>Soldiers <a href='/x'>seized</a> power.</p>")
>>> [(b.tag, b.text) for b in page.blocks]
[('h1', 'Coup in Niger'), ('p', 'Soldiers seized power.')]
"""

from __future__ import annotations

import codecs
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from narratives.errors import UsageError

__all__ = [
    "HINT_WORDS",
    "HtmlBlock",
    "HtmlPage",
    "charset_problem",
    "decode_html",
    "looks_like_html",
    "read_html",
    "starts_like_html",
]

#: Elements that start and end a block: their own text and their loose text between block
#: children are blocks. Anything else that is not dropped (a, span, b, custom elements, ...)
#: is inline and joins its parent's text.
BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "caption", "td", "th",
    "pre", "dd", "dt", "address", "summary", "legend", "div", "section", "article", "header", "footer",
    "aside", "nav", "main", "figure", "body", "html", "form", "ul", "ol", "dl", "menu", "table",
    "thead", "tbody", "tfoot", "tr", "center", "details", "fieldset", "hgroup", "search", "dialog",
    "noframes"
})  # fmt: skip
#: Elements whose content a reader never sees (the first ``<title>`` becomes the page's title).
DROPPED_TAGS = frozenset({
    "script", "style", "template", "noscript", "head", "title", "svg", "math", "iframe", "object",
    "embed", "canvas", "select", "option", "datalist", "input", "textarea", "audio", "video"
})  # fmt: skip
_BREAK_TAGS = BLOCK_TAGS | {"br", "hr"}  # end the text run before them
#: Page regions, from the tag name or the ARIA role of the block or an ancestor.
ZONE_TAGS = {t: t for t in ("nav", "aside", "footer", "header", "figure", "form", "article", "main")}
ZONE_TAGS["search"] = "form"
ZONE_ROLES = {
    "navigation": "nav", "complementary": "aside", "contentinfo": "footer", "banner": "header",
    "main": "main", "article": "article", "form": "form", "search": "form",
}  # fmt: skip
#: Page-furniture (and content) words looked for among the class/id tokens of a block and its
#: ancestors. Kept small and whole-token: "ad" matches "ad-slot" and "topAd", never "header".
HINT_WORDS = frozenset({
    "nav", "menu", "footer", "header", "sidebar", "related", "share", "social", "comment", "comments",
    "caption", "byline", "author", "date", "time", "breadcrumb", "breadcrumbs", "promo", "ad", "ads",
    "advert", "newsletter", "subscribe", "cookie", "tags", "widget", "headline", "title", "article",
    "story", "content", "body", "text", "lead", "summary"
})  # fmt: skip
# Whitespace as a reader sees it: Unicode spaces plus the zero-width space, word joiner and BOM.
# Zero-width (non-)joiners are left alone: inside Persian or Indic words they are not spaces.
_SPACE = re.compile("[\\s\u200b\u2060\ufeff]+")
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)|<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)", re.I)  # fmt: skip
# WHATWG's reading of common labels: browsers decode "iso-8859-1" as cp1252, Shift_JIS as cp932, ...
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
    "us-ascii": "cp1252", "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "gb2312": "gb18030", "gbk": "gb18030", "euc-kr": "cp949",
    "big5": "big5hkscs", "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",
    "utf-7": "utf-8",  # browsers refuse UTF-7 (a script-injection vector); so do we
}  # fmt: skip
_LEADING_JUNK = re.compile(r"(?:\s|\ufeff|<!--.*?-->|<\?[^>]*>)*", re.S)
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)
_COMMON_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|table|tr|td|section|article|blockquote)[\s/>]", re.I)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HtmlBlock:
    """One block of visible text: ``page.text[start:end] == text``."""

    text: str
    start: int
    end: int
    index: int
    tag: str  # the owning block element; loose text in body/html gets "div"
    heading_level: int  # 1-6 for h1-h6, else 0
    link_density: float  # share of the text's non-space characters inside <a>
    zones: frozenset[str]  # nav, aside, footer, header, figure, form, article, main
    hints: frozenset[str]  # HINT_WORDS among class/id tokens of the block and its ancestors


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """A page's blocks; ``text`` is their texts joined by blank lines, so offsets are exact."""

    text: str
    title: str | None
    blocks: list[HtmlBlock]


def read_html(html: str | bytes | bytearray, *, url: str | None = None) -> HtmlPage:
    """Parse a page (bytes are decoded with :func:`decode_html`) into its visible text blocks.

    ``url`` names the page in warnings. Raises :class:`UsageError` when lxml is missing.
    """
    if isinstance(html, (bytes, bytearray)):
        html = decode_html(bytes(html))
    elif not isinstance(html, str):
        raise TypeError(f"read_html expects str or bytes, not {type(html).__name__}")
    try:
        from lxml import etree
    except ImportError as error:
        raise UsageError("reading HTML needs lxml: pip install 'narratives[html]'") from error
    # A parser target gets start/data/end events and no tree is built: one pass, and no depth
    # limit (libxml2 2.14 stops *building a tree* at 256 levels, 2,048 with huge_tree, and drops
    # the rest of the page). UTF-8 bytes with the encoding given override any <meta charset> or
    # XML declaration inside (lxml refuses str input that carries an encoding declaration).
    builder = _BlockBuilder()
    parser = etree.HTMLParser(encoding="utf-8", huge_tree=True, target=builder)
    etree.fromstring(html.encode("utf-8", "replace"), parser)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):  # other libxml2 versions
        warnings.warn(f"{url or 'an HTML page'}: libxml2 hit a limit; some text may be missing", stacklevel=2)
    blocks, start = [], 0
    for index, (text, tag, density, zones, hints) in enumerate(builder.blocks):
        level = int(tag[1]) if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456" else 0
        blocks.append(HtmlBlock(text, start, start + len(text), index, tag, level, density, zones, hints))
        start += len(text) + 2
    text = "\n\n".join(b.text for b in blocks)
    return HtmlPage(text=text, title=builder.title or None, blocks=blocks)


_Owner = tuple[str, frozenset[str], frozenset[str]]  # tag, zones, hints of a block element


class _BlockBuilder:
    """lxml parser target: turns start/data/end events into blocks of text as they arrive."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str, float, frozenset[str], frozenset[str]]] = []
        self.title: str | None = None
        self._title: list[str] | None = None  # text of the first <title>, while inside it
        self._pieces: list[str] = []
        self._linked = 0  # non-space characters of ``_pieces`` inside <a>
        self._owner: _Owner = ("div", frozenset(), frozenset())
        self._zones, self._hints, self._in_link = self._owner[1], self._owner[2], False
        self._saved: list[tuple[_Owner, frozenset[str], frozenset[str], bool]] = []  # per open element
        self._skipped = 0  # depth inside a dropped or hidden element
        self._in_svg = 0  # depth inside <svg>, whose <title> elements are not the page's

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "svg":
            self._in_svg += 1
        elif tag == "title" and self.title is None and not self._in_svg:  # an <svg>'s title is a tooltip
            self._title = []
        if self._skipped or tag in DROPPED_TAGS or (attrib and _hidden(attrib)):
            self._skipped += 1
            return
        self._saved.append((self._owner, self._zones, self._hints, self._in_link))
        if attrib:
            if "role" in attrib:
                roles = (ZONE_ROLES.get(r) for r in attrib["role"].lower().split())
                self._zones = self._zones.union(z for z in roles if z)
            if "class" in attrib or "id" in attrib:
                self._hints = self._hints | _hint_words(attrib.get("class", ""), attrib.get("id", ""))
        if tag in ZONE_TAGS:
            self._zones = self._zones | {ZONE_TAGS[tag]}
        if tag == "a":
            self._in_link = True
        if self._pieces and tag in _BREAK_TAGS:
            self._flush()
        if tag in BLOCK_TAGS:
            self._owner = ("div" if tag in ("body", "html") else tag, self._zones, self._hints)

    def end(self, tag: str) -> None:
        if self._title is not None and tag == "title":
            self.title, self._title = _collapse("".join(self._title)), None
        if tag == "svg" and self._in_svg:
            self._in_svg -= 1
        if self._skipped:
            self._skipped -= 1
            return
        if self._pieces and tag in BLOCK_TAGS:
            self._flush()
        self._owner, self._zones, self._hints, self._in_link = self._saved.pop()

    def data(self, text: str) -> None:
        if self._title is not None:
            self._title.append(text)
        elif not self._skipped:
            self._pieces.append(text)
            if self._in_link:
                self._linked += len(_SPACE.sub("", text))

    def close(self) -> None:
        self._flush()

    def _flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self._pieces)).strip()
        if text:
            density = min(1.0, self._linked / (len(text) - text.count(" ")))
            self.blocks.append((text, self._owner[0], density, self._owner[1], self._owner[2]))
        self._pieces.clear()
        self._linked = 0


def _hidden(attrib: dict[str, str]) -> bool:
    """Whether an element is hidden by attribute or inline style."""
    if "hidden" in attrib or attrib.get("aria-hidden", "").strip().lower() == "true":
        return True
    return "style" in attrib and _HIDDEN_STYLE.search(attrib["style"]) is not None


@lru_cache(maxsize=4096)
def _hint_words(class_: str, id_: str) -> frozenset[str]:
    """HINT_WORDS among the tokens of class/id values: "articleBody top-nav" -> article, body, nav."""
    return frozenset(t.lower() for t in _TOKEN.findall(f"{class_} {id_}")) & HINT_WORDS


def _collapse(text: str) -> str:
    """Whitespace runs to one space, stripped: the text a reader sees."""
    return _SPACE.sub(" ", text).strip()


def decode_html(data: bytes) -> str:
    """Decode page bytes: byte-order mark, else the charset the page declares in its first 4 KB,
    else UTF-8, else cp1252 with replacement characters. Never raises on a bad declaration.

    >>> decode_html(b'<meta charset="windows-1252"><p>\x93Coup\x94</p>')
    '<meta charset="windows-1252"><p>“Coup”</p>'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    for encoding in (_declared_charset(data), "utf-8"):
        if encoding:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                pass
    return data.decode("cp1252", "replace")


def charset_problem(data: bytes) -> str | None:
    """Why :func:`decode_html` had to guess, or None: bytes that fit neither the declared charset nor UTF-8."""
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        return None
    for encoding in (_declared_charset(data), "utf-8"):
        if encoding:
            try:
                data.decode(encoding)
                return None
            except UnicodeDecodeError:
                pass
    match = _META_CHARSET.search(data[:4096])
    label = (match[1] or match[2]).decode("ascii", "replace").lower() if match else None
    said = f"its declared charset {label!r}" if label else "no declared charset"
    return f"bytes fit neither {said} nor UTF-8; read as cp1252, some characters may be wrong"


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
#: Python codec names a page may declare: text encodings of the web. Anything else a codec
#: lookup would accept (``zlib``, ``base64``, ``rot13``, ``unicode_escape``, ``undefined``...) is
#: not a charset and is ignored, as browsers ignore labels they do not know.
_WEB_CHARSET = re.compile(r"(?:utf_(?:8|16)|cp\d+|iso8859_\d+|latin_1|ascii|mac_\w+|koi8_\w+|euc_\w+|"
                          r"shift_jis\w*|gb\w+|big5\w*|hz|iso2022_\w+|tis_620|johab|ptcp154)")  # fmt: skip


def _declared_charset(data: bytes) -> str | None:
    """The Python codec for the charset declared in the first 4 KB, if it is a web text encoding."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    label = (match[1] or match[2]).decode("ascii", "replace").lower()
    try:
        name = codecs.lookup(_CHARSET_ALIASES.get(label, label)).name
    except LookupError:
        return None
    return name if _WEB_CHARSET.fullmatch(name.replace("-", "_")) else None


def starts_like_html(text: str) -> bool:
    """A whole page: ``<!doctype html``, ``<html``, ``<head`` or ``<body`` first (after whitespace,
    BOM, comments). What files not named ``*.html`` must show to be read as pages, so that
    plain text or Markdown with a few stray tags is never re-read as HTML.
    """
    head = text[:4096]
    start = _LEADING_JUNK.match(head)
    return _HTML_START.match(head, start.end() if start else 0) is not None


def looks_like_html(text: str) -> bool:
    """Content sniffing for ``--format-in auto``: an HTML start (after whitespace, BOM, comments),
    or at least three common block tags in the first 4 KB.

    >>> looks_like_html("<!DOCTYPE html><title>x</title>"), looks_like_html("Coup in Niger.")
    (True, False)
    """
    head = text[:4096]
    start = _LEADING_JUNK.match(head)
    if _HTML_START.match(head, start.end() if start else 0):
        return True
    return len(_COMMON_TAG.findall(head)) >= 3
