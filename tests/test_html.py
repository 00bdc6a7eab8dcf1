"""The HTML reader: blocks, offsets and structure from hand-written pages; decoding; hostile input."""

import builtins
import codecs
import warnings
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("lxml")

from narratives.errors import UsageError
from narratives.html import DROPPED_TAGS, HtmlPage, decode_html, looks_like_html, read_html

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>  Coup in   Niger | Daily Wire </title>
<meta charset="utf-8"><style>p { color: red } hiddenstyle</style>
<script>var hiddenscript = "<p>not text</p>";</script></head>
<body class="page-body">
<header id="siteHeader"><div class="brand">Daily Wire</div>
<nav class="mainMenu"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/africa">Africa</a><ul class="sub-menu"><li><a href="/niger">Niger</a></li></ul></li></ul></nav>
</header>
<main><article class="storyBody">
<h1 class="headline">Soldiers seize power in Niger</h1>
<p class="byline">By <a href="/staff/ada">Ada Obi</a> <time>26 July 2023</time></p>
<figure><img src="a.jpg" alt="alt is not text"><figcaption class="photo-caption">Troops outside the palace.</figcaption></figure>
<p>Soldiers said on <a href="/tv">television</a> that they had removed President Mohamed Bazoum, closing the
borders and suspending all institutions of the republic.</p>
<p>The statement was read by a colonel.<br>He was flanked by nine officers.<br><br><br>Crowds gathered&nbsp;outside.</p>
<!-- a comment with words -->
<h2>Reaction</h2>
<ul><li>The African Union condemned the move.<ul><li>Nested item one.</li><li>Nested item two.</li></ul>Its council met.</li>
<li><p>Paragraph inside an item.</p></li></ul>
<table><caption>Coups since 2020</caption><tr><th>Country</th><th>Year</th></tr>
<tr><td>Mali</td><td>2020 <div>and 2021</div></td></tr></table>
<p hidden>hiddenattr words</p><div aria-hidden="true">hiddenaria words</div>
<span style="display: none">hiddendisplay words</span><p style="color:red; visibility:hidden">hiddenvis</p>
<template><p>hiddentemplate</p></template><noscript>hiddennoscript</noscript>
<form><input type="hidden" value="hiddeninput"><select><option>hiddenoption</option></select>
<label>Email</label> <button>Subscribe</button></form>
<svg><text>hiddensvg</text></svg><iframe src="x">hiddeniframe</iframe>
loose text in the article
</article></main>
<aside role="complementary" class="related-stories"><h3>Related</h3><ul>
<li><a href="/a">Mali junta extends rule</a></li><li><a href="/b">Burkina Faso coup explained</a></li></ul></aside>
<div role="contentinfo" class="site-footer">Copyright 2023 Daily Wire. <a href="/privacy">Privacy</a></div>
</body></html>
"""

EXPECTED = [
    ("div", "Daily Wire"),
    ("li", "Home"),
    ("li", "World"),
    ("li", "Africa"),
    ("li", "Niger"),
    ("h1", "Soldiers seize power in Niger"),
    ("p", "By Ada Obi 26 July 2023"),
    ("figcaption", "Troops outside the palace."),
    (
        "p",
        "Soldiers said on television that they had removed President Mohamed Bazoum, closing the "
        "borders and suspending all institutions of the republic.",
    ),
    ("p", "The statement was read by a colonel."),
    ("p", "He was flanked by nine officers."),
    ("p", "Crowds gathered outside."),
    ("h2", "Reaction"),
    ("li", "The African Union condemned the move."),
    ("li", "Nested item one."),
    ("li", "Nested item two."),
    ("li", "Its council met."),
    ("p", "Paragraph inside an item."),
    ("caption", "Coups since 2020"),
    ("th", "Country"),
    ("th", "Year"),
    ("td", "Mali"),
    ("td", "2020"),
    ("div", "and 2021"),
    ("form", "Email Subscribe"),
    ("article", "loose text in the article"),
    ("h3", "Related"),
    ("li", "Mali junta extends rule"),
    ("li", "Burkina Faso coup explained"),
    ("div", "Copyright 2023 Daily Wire. Privacy"),
]


def block(page: HtmlPage, text: str):
    return next(b for b in page.blocks if b.text == text)


def test_every_visible_word_is_in_exactly_one_block():
    page = read_html(PAGE)
    assert [(b.tag, b.text) for b in page.blocks] == EXPECTED
    assert Counter(page.text.split()) == Counter(" ".join(text for _, text in EXPECTED).split())
    assert "hidden" not in page.text and "comment" not in page.text and "alt is" not in page.text


def test_offsets_indexes_and_title():
    page = read_html(PAGE)
    assert page.title == "Coup in Niger | Daily Wire"
    assert page.text == "\n\n".join(b.text for b in page.blocks)
    for i, b in enumerate(page.blocks):
        assert page.text[b.start : b.end] == b.text
        assert b.index == i
    assert read_html("<p>x</p>").title is None


def test_tags_and_heading_levels():
    page = read_html(PAGE)
    assert block(page, "Soldiers seize power in Niger").heading_level == 1
    assert block(page, "Reaction").heading_level == 2
    assert block(page, "Related").heading_level == 3
    assert block(page, "Troops outside the palace.").heading_level == 0
    loose = read_html("<body>top<div>inner</div>bottom</body>")
    assert [(b.tag, b.text) for b in loose.blocks] == [("div", "top"), ("div", "inner"), ("div", "bottom")]


def test_link_density():
    page = read_html(PAGE)
    assert block(page, "Mali junta extends rule").link_density == 1.0
    assert block(page, "Home").link_density == 1.0
    story = block(page, EXPECTED[8][1])
    assert 0 < story.link_density < 0.1
    assert block(page, "Reaction").link_density == 0.0
    byline = block(page, "By Ada Obi 26 July 2023")
    assert byline.link_density == pytest.approx(len("AdaObi") / len("ByAdaObi26July2023"))
    assert read_html("<a href=x><div>all <b>linked</b></div></a>").blocks[0].link_density == 1.0


def test_zones_from_tags_and_aria_roles():
    page = read_html(PAGE)
    assert block(page, "Daily Wire").zones == {"header"}
    assert block(page, "Niger").zones == {"header", "nav"}
    assert block(page, "Soldiers seize power in Niger").zones == {"main", "article"}
    assert block(page, "Troops outside the palace.").zones == {"main", "article", "figure"}
    assert block(page, "Email Subscribe").zones == {"main", "article", "form"}
    assert block(page, "Mali junta extends rule").zones == {"aside"}  # role="complementary"
    assert block(page, "Copyright 2023 Daily Wire. Privacy").zones == {"footer"}  # role="contentinfo"
    roles = read_html(
        '<div role="navigation">a</div><div role="banner">b</div><div role="main">c</div>'
        '<div role="article">d</div><div role="search">e</div><div role="form">f</div><div role="note">g</div>'
    )
    assert [set(b.zones) for b in roles.blocks] == [
        {"nav"},
        {"header"},
        {"main"},
        {"article"},
        {"form"},
        {"form"},
        set(),
    ]


def test_hints_from_class_and_id_tokens():
    page = read_html(PAGE)
    assert block(page, "Daily Wire").hints == {"body", "header"}  # page-body, siteHeader
    assert block(page, "Niger").hints == {"body", "header", "menu"}  # mainMenu, sub-menu
    assert block(page, "Soldiers seize power in Niger").hints == {"body", "story", "headline"}
    assert block(page, "Troops outside the palace.").hints == {"body", "story", "caption"}
    assert block(page, "Mali junta extends rule").hints == {"body", "related"}
    assert block(page, "Copyright 2023 Daily Wire. Privacy").hints == {"body", "footer"}
    # Whole tokens only: "navbar", "heading", "adventure", "shadow" and "load" hint at nothing.
    none = read_html('<div class="navbar heading adventure shadow" id="load">x</div>')
    assert none.blocks[0].hints == frozenset()
    some = read_html('<div class="topAd NAV_menu" id="comment-list">x</div>')
    assert some.blocks[0].hints == {"ad", "nav", "menu", "comment"}


def test_br_ends_blocks_and_empty_blocks_are_skipped():
    page = read_html(
        "<div>Niamey, 27 July<br>By Ada Obi<br><br> <br>Soldiers said<br></div><p> </p><p><br></p>"
    )
    assert [b.text for b in page.blocks] == ["Niamey, 27 July", "By Ada Obi", "Soldiers said"]
    assert {b.tag for b in page.blocks} == {"div"}


def test_whitespace_entities_and_inline_joins():
    page = read_html(
        "<p>\u00a0 Coup&nbsp;in\u200bNiger&amp;Mali \t\n <b>pa</b><i>lace</i> &#8220;q&#8221; caf&eacute;</p>"
    )
    assert page.blocks[0].text == "Coup in Niger&Mali palace “q” café"
    assert (
        read_html("<p>\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645</p>").text
        == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    )


def test_dropped_elements_keep_their_tails():
    html = (
        "<p>a<script>x</script>b<style>x</style>c<!-- x -->d<?pi x?>e<noscript>x</noscript>f"
        "<template>x</template>g<span hidden>x</span>h<span aria-hidden=TRUE>x</span>i"
        "<span style='DISPLAY : none'>x</span>j<svg><title>x</title></svg>k<canvas>x</canvas>l"
        "<object>x</object>m<select><option>x</option></select>n<iframe>x</iframe>o"
        "<input type=hidden value=x>p<span aria-hidden='false'>q</span></p>"
    )
    assert read_html(html).text == "abcdefghijklmnopq"


def test_no_text_gives_no_blocks():
    for html in (
        "",
        "   ",
        "<!-- x -->",
        "<html><head><title>T</title><script>x</script></head><body> </body></html>",
        b"",
    ):
        page = read_html(html)
        assert page.blocks == [] and page.text == ""
    assert read_html("<title>T</title><p hidden>x</p>") == HtmlPage(text="", title="T", blocks=[])


def test_malformed_and_truncated_markup():
    page = read_html(
        "<p>one<p>two<li>three</div></span><td>four <b>five <i>six</b> seven</i><p>eight <a href='x"
    )
    assert page.text.split() == ["one", "two", "three", "four", "five", "six", "seven", "eight"]
    assert read_html("<<<>>><p>a < b > c</p>").text.split()[-5:] == ["a", "<", "b", ">", "c"]
    assert read_html("<p>a\x00b\x01c</p>").blocks  # control characters do not stop the parser


def test_str_with_xml_declaration_and_surrogates():
    page = read_html("<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>café</p></body></html>")
    assert page.text == "café"
    assert read_html("<p>a\ud800b</p>").text == "a?b"


def test_decode_byte_order_marks():
    assert decode_html(codecs.BOM_UTF8 + "<p>café</p>".encode()) == "<p>café</p>"
    assert decode_html(codecs.BOM_UTF16_LE + "<p>café</p>".encode("utf-16-le")) == "<p>café</p>"
    assert decode_html(codecs.BOM_UTF16_BE + "<p>café</p>".encode("utf-16-be")) == "<p>café</p>"
    # The BOM wins over a contradicting declaration.
    assert decode_html(codecs.BOM_UTF8 + '<meta charset="shift_jis"><p>é</p>'.encode()).endswith("é</p>")


def test_decode_declared_charsets():
    cp1252 = '<meta charset="windows-1252"><p>“Junta” — café</p>'.encode("cp1252")
    assert read_html(cp1252).text == "“Junta” — café"
    equiv = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>“x” é</p>'
    assert read_html(equiv.encode("cp1252")).text == "“x” é"  # latin-1 labels read as cp1252
    sjis = '<html><head><meta charset="Shift_JIS"></head><body><p>日本の軍事政権</p></body></html>'
    assert read_html(sjis.encode("shift_jis")).text == "日本の軍事政権"
    xml = "<?xml version='1.0' encoding='iso-8859-15'?><p>€</p>".encode("iso-8859-15")
    assert read_html(xml).text == "€"


def test_decode_falls_back_without_raising():
    assert decode_html('<meta charset="no-such-charset"><p>café</p>'.encode()).endswith("café</p>")
    assert decode_html('<meta charset="no-such-charset"><p>café</p>'.encode("cp1252")).endswith("café</p>")
    assert decode_html("<p>“café”</p>".encode("cp1252")) == "<p>“café”</p>"  # invalid UTF-8, no declaration
    assert decode_html('<meta charset="utf-8"><p>\xe9</p>'.encode("latin-1")).endswith(
        "é</p>"
    )  # wrong declaration
    assert decode_html(b"<p>\x81\x8d</p>") == "<p>\ufffd\ufffd</p>"  # bytes cp1252 leaves undefined
    assert decode_html(b'<meta charset="utf-7"><p>+AGE-</p>').endswith("+AGE-</p>")  # never UTF-7


def test_ten_thousand_levels_of_nesting_keep_every_word():
    n = 10_000
    for tag in ("div", "span", "blockquote", "td"):
        html = (
            "<body>"
            + "".join(f"<{tag}>w{i} " for i in range(n))
            + "end"
            + f"</{tag}>" * n
            + "<p>after</p></body>"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            page = read_html(html)
        assert page.text.split() == [f"w{i}" for i in range(n)] + ["end", "after"]
    unclosed = read_html("<div>" * n + "deep text")  # truncated: nothing ever closes
    assert unclosed.text == "deep text"


def test_ten_megabyte_page_completes():
    row = (
        "<div class='row'><p>Soldiers <a href='/x'>seized</a> power &amp; closed borders.</p><br>tail</div>\n"
    )
    html = "<html><body>" + row * (10_000_000 // len(row)) + "</body></html>"
    page = read_html(html.encode())
    assert len(page.blocks) == 2 * (10_000_000 // len(row))
    one_node = read_html("<p>" + "word " * 2_000_000 + "</p>")
    assert len(one_node.blocks) == 1 and len(one_node.text) == 5 * 2_000_000 - 1


@pytest.mark.parametrize("value", [None, 3, ["<p>x</p>"], memoryview(b"<p>x</p>")])
def test_other_types_raise_type_error(value):
    with pytest.raises(TypeError, match="str or bytes"):
        read_html(value)


def test_a_bytearray_reads_as_its_bytes():
    assert read_html(bytearray(b"<p>Coup in Niger</p>")) == read_html(b"<p>Coup in Niger</p>")


def test_missing_lxml_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_lxml(name, *args, **kwargs):
        if name == "lxml" or name.startswith("lxml."):
            raise ImportError("No module named 'lxml'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_lxml)
    with pytest.raises(UsageError, match=r"pip install 'narratives\[html\]'"):
        read_html("<p>x</p>")


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><body>x",
        "\ufeff  <!-- saved --> <!-- twice -->\n<HTML lang=en>",
        "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>",
        "<head><title>x</title></head>",
        "<body>x</body>",
        "<div><p>one</p><p>two</p></div>",
    ],
)
def test_looks_like_html(text):
    assert looks_like_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Coup in Niger\n\nSoldiers seized power.",
        "a <b> c",
        "Use <html> tags, e.g. <p> and <div>.",
        "<htmlx>",
    ],
)
def test_does_not_look_like_html(text):
    assert not looks_like_html(text)


def tree_words(html: str) -> list[str]:
    """Words of the visible text nodes, read from lxml's tree: an oracle independent of the reader."""
    from lxml import etree

    from narratives.html import _hidden

    root = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    words, stack = [], [(root, False)] if root is not None else []
    while stack:
        element, tail_only = stack.pop()
        if not tail_only:
            tag = element.tag
            if isinstance(tag, str) and tag not in DROPPED_TAGS and not _hidden(dict(element.attrib)):
                words += (element.text or "").split()
                stack.append((element, True))
                stack.extend((child, False) for child in reversed(element))
                continue
        words += (element.tail or "").split() if element.getparent() is not None else []
    return words


_TAGS = [
    "p",
    "div",
    "span",
    "a",
    "li",
    "ul",
    "td",
    "table",
    "h2",
    "b",
    "br",
    "script",
    "section",
    "blockquote",
]
_ATTRS = ["", " hidden", " class='nav'", " role='main'", " style='display:none'"]
_markup = st.recursive(
    st.lists(st.sampled_from(["coup", "junta", "army", "Niamey", "2023", "é"]), min_size=1, max_size=3).map(
        lambda words: f" {' '.join(words)} "
    ),
    lambda children: st.tuples(
        st.sampled_from(_TAGS), st.sampled_from(_ATTRS), st.lists(children, max_size=4)
    ).map(lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}</{t[0]}>"),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_markup, min_size=1, max_size=4))
def test_words_match_an_independent_tree_walk(parts):
    html = "<html><body>" + "".join(parts) + "</body></html>"
    page = read_html(html)
    assert Counter(page.text.split()) == Counter(tree_words(html))
    for b in page.blocks:
        assert page.text[b.start : b.end] == b.text and b.text == b.text.strip() and "  " not in b.text
