"""The paragraph splitter: layouts real pages use, and invariants on arbitrary text."""

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narratives import Paragraph, split_paragraphs
from narratives.paragraphs import WHITESPACE

PROSE_A = (
    "Soldiers in Niger said on Wednesday that they had removed President Mohamed Bazoum from power, "
    "closing the country's borders and suspending all institutions of the republic, in what appeared "
    "to be the seventh coup in West Africa in three years. The announcement was read on television."
)
PROSE_B = (
    "The statement was read by Colonel Amadou Abdramane, flanked by nine other officers in uniform, "
    "who said the defence and security forces had decided to put an end to the regime because of the "
    "deteriorating security situation and poor economic and social governance."
)


def texts(source: str) -> list[str]:
    return [p.text for p in split_paragraphs(source)]


def test_blank_lines_separate_paragraphs():
    assert texts("Coup in Niger\n\nSoldiers seized power.\n\n\nBorders closed.") == [
        "Coup in Niger",
        "Soldiers seized power.",
        "Borders closed.",
    ]


def test_one_paragraph_per_line_with_single_newlines():
    lines = [PROSE_A, PROSE_B, "Officials have not commented on the whereabouts of the president since."]
    assert texts("\n".join(lines)) == lines


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028"])
def test_every_line_break_convention(newline):
    source = newline.join(["Headline here", "", PROSE_A, "", PROSE_B])
    assert texts(source) == ["Headline here", PROSE_A, PROSE_B]


def test_paragraph_separator_ends_a_paragraph_without_a_blank_line():
    assert texts("First paragraph.\u2029Second paragraph.") == ["First paragraph.", "Second paragraph."]


def test_invisible_and_odd_whitespace_is_trimmed_and_blank():
    source = "\ufeffHeadline\u00a0\t\n \u200b \t\n\u00a0Body text here.\u200b  \n \t \n\tTail."
    assert texts(source) == ["Headline", "Body text here.", "Tail."]


def test_offsets_point_into_the_source():
    source = "\ufeff  Title\r\n\r\n\tBody one.\r\n   \r\nBody two.  "
    for p in split_paragraphs(source):
        assert source[p.start : p.end] == p.text
    assert [p.index for p in split_paragraphs(source)] == [0, 1, 2]


def test_short_items_stay_separate():
    items = [
        "Read also: What we know about General Tiani",
        "Niger junta closes airspace after ECOWAS threat",
        "ECOWAS leaders meet in Abuja to weigh an intervention",
        "- France evacuates its citizens from Niamey",
        "* Mali and Burkina Faso warn against any attack",
        "• Oil prices steady",
        "1. Who is Tiani?",
        "2) What does ECOWAS want?",
        "NIAMEY, July 27 (Reuters) -",
        "By Jane Doe, West Africa correspondent",
    ]
    assert texts("\n".join(items)) == items


@pytest.mark.parametrize("width", [50, 60, 70, 72, 79, 100])
def test_hard_wrapped_prose_is_one_paragraph(width):
    source = textwrap.fill(PROSE_A, width) + "\n\n" + textwrap.fill(PROSE_B, width)
    assert [" ".join(t.split()) for t in texts(source)] == [PROSE_A, PROSE_B]


@pytest.mark.parametrize("width", [60, 70, 79])
def test_wrapped_prose_next_to_list_items_keeps_items_apart(width):
    source = "\n".join(
        [
            textwrap.fill(PROSE_A, width),
            "Read also: What we know about General Tiani",
            "- ECOWAS gives the junta a week",
            textwrap.fill(PROSE_B, width),
        ]
    )
    assert [" ".join(t.split()) for t in texts(source)] == [
        PROSE_A,
        "Read also: What we know about General Tiani",
        "- ECOWAS gives the junta a week",
        PROSE_B,
    ]


def test_headline_lists_of_similar_length_are_not_taken_for_wrapped_prose():
    heads = [
        "Russian forces advance in seven directions, army repels attacks",
        "Belarus starts upgrading rocket systems located near the border",
        "Slovakia extends temporary protection for refugees for a year",
        "Iran sends Russia ballistic missiles capable of hitting targets",
    ]
    assert texts("\n".join(heads)) == heads


@pytest.mark.parametrize("blank", ["", "   ", "\n\n\t\r\n", "\u200b\ufeff\u00a0"])
def test_empty_input_gives_no_paragraphs(blank):
    assert split_paragraphs(blank) == []


@pytest.mark.parametrize(("value", "message"), [(b"bytes", "decode"), (None, "NoneType"), (3, "int")])
def test_non_str_is_a_type_error_that_says_what_was_expected(value, message):
    with pytest.raises(TypeError, match=message):
        split_paragraphs(value)


def test_paragraph_is_frozen():
    paragraph = split_paragraphs("One.")[0]
    assert paragraph == Paragraph("One.", 0, 4, 0)
    with pytest.raises(AttributeError):
        paragraph.text = "Two."  # type: ignore[misc]


def test_huge_inputs_are_split_correctly():
    one_line = "word " * 2_000_000  # 10 MB, no newline
    assert [(p.start, p.end) for p in split_paragraphs(one_line)] == [(0, len(one_line) - 1)]
    many = "A short paragraph of text.\n\n" * 100_000
    result = split_paragraphs(many)
    assert len(result) == 100_000
    assert result[-1].index == 99_999


# -- invariants on arbitrary text -------------------------------------------------------------

LAYOUT_CHARS = "\n\r \t\u00a0\u200b\ufeff\u2028\u2029\x0b\x0c\x85-*.•1aB"
texts_with_layout = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(LAYOUT_CHARS), max_size=200),
    st.lists(
        st.sampled_from(["Word", "word", "x" * 45, "end.", " ", "\n", "\n\n", "\r\n", "- ", "\u2029"])
    ).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(texts_with_layout)
def test_split_invariants(source):
    paragraphs = split_paragraphs(source)
    covered = set()
    previous_end = 0
    for i, p in enumerate(paragraphs):
        assert p.index == i
        assert source[p.start : p.end] == p.text
        assert p.text and p.text == p.text.strip(WHITESPACE)
        assert p.start >= previous_end  # ordered and disjoint
        previous_end = p.end
        assert all(line.strip(WHITESPACE) for line in p.text.splitlines())  # no blank line inside
        assert "\u2029" not in p.text
        covered.update(range(p.start, p.end))
    visible = {i for i, ch in enumerate(source) if ch not in WHITESPACE}
    assert visible <= covered


def test_whitespace_set_is_isspace_plus_invisible_characters():
    import sys

    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert set(WHITESPACE) == spaces | {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_a_wrapped_line_cut_early_mid_sentence_still_joins(cut):
    """Wire copy with a line shortened (a garbled character, an uneven wrap) stays one paragraph."""
    lines = textwrap.wrap(PROSE_A, 66)
    before, after = lines[cut - 1].rsplit(" ", 2)[0], lines[cut - 1].split(" ")[-2:]
    lines[cut - 1], lines[cut] = before, " ".join(after) + " " + lines[cut]
    assert all(not line.endswith(".") for line in lines[:cut])
    assert [" ".join(t.split()) for t in texts("\n".join(lines))] == [PROSE_A]


def test_a_short_wrapped_block_whose_lines_start_with_capitals_or_digits_is_one_paragraph():
    """Wire copy where every continuation line happens to open with a name or a number."""
    lines = [
        "Fighting near the airport stopped shortly after the two sides met at",
        "10pm on Saturday. Mediators from the regional bloc then asked",
        "General Mamadou Sow to pull his armoured units back to barracks.",
    ]
    assert texts("\n".join(lines)) == ["\n".join(lines)]
    two = [
        "Traffic in the capital was lighter than on an ordinary working",
        "Monday, and most shops stayed shut.",
    ]
    assert texts("\n".join(two)) == ["\n".join(two)]


@pytest.mark.parametrize(
    "lines",
    [
        [  # headlines with one full sentence among them
            "Junta names a new cabinet of officers and technocrats in",
            "Soldiers patrol the capital after the night of gunfire.",
            "Regional bloc threatens sanctions over the detention of",
            "What the coup means for the uranium trade in the region",
        ],
        [  # short items, every other one a sentence
            "Junta names a new cabinet of officers and technocrats today",
            "Soldiers patrol the capital after the night of gunfire.",
            "Regional bloc threatens sanctions over the detention plan",
            "What the coup means for the uranium trade in the region.",
        ],
    ],
)
def test_lists_with_full_stops_on_several_lines_stay_apart(lines):
    assert texts("\n".join(lines)) == lines
