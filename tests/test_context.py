"""The page-context stage: runs of other headlines, the page's own headline, and the learned revision."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narratives import Label, classify, load_model
from narratives.context import (
    CONTEXT_FEATURES,
    MAX_HEADLINE_WORDS,
    MIN_HEADLINE_RUN,
    ContextStage,
    context_features,
    headline_runs,
    is_headline_like,
    is_headline_shaped,
    own_headlines,
)

HEADLINES = [
    "Russia moves remaining units from Avdiivka to other frontline areas",
    "Belarus starts upgrading rocket systems near the border",
    "EU approves its largest package of sanctions to date",
    "Slovakia extends temporary protection for refugees",
    "Iran sends Russia ballistic missiles, officials say",
    "Journalists identify names of thousands of soldiers killed",
    "Ukraine investigates killing of prisoners of war",
]


def test_headline_shape():
    assert is_headline_shaped("Niger junta closes airspace")
    assert not is_headline_shaped("The junta closed the airspace on Sunday.")
    assert not is_headline_shaped("- ECOWAS gives the junta a week")
    assert not is_headline_shaped("lower-case start of a line")
    assert not is_headline_shaped("Word")
    assert not is_headline_shaped(" ".join(["Word"] * 30))


def test_only_runs_of_the_minimum_length_count():
    short = HEADLINES[: MIN_HEADLINE_RUN - 1]
    assert not headline_runs(short).any()
    long = HEADLINES[:MIN_HEADLINE_RUN]
    assert headline_runs(long).all()
    mixed = ["A full sentence ends here.", *long, "Another sentence."]
    assert headline_runs(mixed).tolist() == [False] + [True] * len(long) + [False]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([HEADLINES[0], "A full sentence ends here."]), max_size=15), max_size=6)
)
def test_runs_over_a_batch_of_documents_are_the_runs_of_each_document(documents):
    """A batch gives each document's own runs: a run never carries over a document boundary."""
    texts = [text for document in documents for text in document]
    one_by_one = [flag for document in documents for flag in headline_runs(document).tolist()]
    assert headline_runs(texts, [len(d) for d in documents]).tolist() == one_by_one


def test_document_sizes_must_cover_the_texts():
    with pytest.raises(ValueError, match="add up to 3, not 2"):
        headline_runs(HEADLINES[:2], [1, 2])


BODY = (
    "Soldiers surrounded the presidential palace before dawn on Wednesday and detained the president, "
    "according to two officials who spoke on condition of anonymity."
)


def test_own_headline_is_the_headline_nearest_above_the_body_past_bylines_and_datelines():
    page = [
        "The Harbour Courier",  # site name: too short to be a headline
        "Army seizes power in the capital as president is detained",
        "By Amal Osei and Tom Reyes",  # byline opening
        "Updated 12 March 2024, 10:41 GMT",  # dateline words and digits
        BODY,
        "A second paragraph of the body follows here and it is long enough to be prose.",
    ]
    assert own_headlines(page).tolist() == [False, True, False, False, False, False]


def test_no_own_headline_without_a_body_or_too_far_above_it():
    assert not own_headlines(HEADLINES).any()  # no body prose at all
    far = [HEADLINES[0], *(["Photo gallery"] * 6), BODY]
    assert not own_headlines(far).any()


def test_a_run_of_other_headlines_above_the_body_is_not_the_own_headline():
    assert not own_headlines([*HEADLINES, BODY]).any()
    page = [*HEADLINES, "Our report follows.", "Coup leaders close the borders of Niger", BODY]
    assert own_headlines(page).tolist()[-2]


def test_own_headlines_are_found_per_document():
    first = ["Army seizes power in the capital as president is detained", BODY]
    second = ["Junta names a general as interim prime minister", BODY, BODY]
    joined = own_headlines([*first, *second], [2, 3]).tolist()
    assert joined == own_headlines(first).tolist() + own_headlines(second).tolist()
    assert joined == [True, False, True, False, False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can the junta survive the sanctions?", True),  # a question is still a headline
        ("Posted by admin on 3 May", False),
        ("Photo credit Reuters staff pictures", False),
        ("World › Africa › Niger news today", False),
        ("Three soldiers die", False),  # fewer than four words
    ],
)
def test_headline_like(text, expected):
    assert is_headline_like(text) is expected


def test_context_features_have_the_recorded_columns():
    probabilities = np.full((3, 4), 0.25)
    features = context_features(probabilities, ["Army seizes power in the capital today", BODY, BODY])
    assert features.shape == (3, len(CONTEXT_FEATURES))
    assert features[:, CONTEXT_FEATURES.index("own_headline")].tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(features[:, :4], np.log(0.25))


def test_context_stage_is_a_softmax_over_its_features():
    stage = ContextStage(np.eye(4, len(CONTEXT_FEATURES)), np.zeros(4))
    rows = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.2, 0.3, 0.4]])
    revised = stage.revise(rows, [BODY, BODY])
    np.testing.assert_allclose(revised, rows)  # identity on log-probabilities gives them back
    assert stage.revise(np.zeros((0, 4)), []).shape == (0, 4)


def test_the_shipped_model_turns_an_own_headline_into_content():
    page = "The Harbour Courier\n\nArmy seizes power in the capital as president is detained\n\n" + BODY
    alone = load_model().predict_proba(["Army seizes power in the capital as president is detained"])[0]
    result = classify(page)
    boilerplate = list(load_model().classes_).index(Label.BOILERPLATE)
    assert result[1].probabilities[Label.BOILERPLATE] < alone[boilerplate]
    assert result[1].label is not Label.BOILERPLATE


def test_classify_leans_runs_of_other_headlines_to_boilerplate():
    article = "Troops seized the palace on Monday, the army said.\n\nMore news\n\n" + "\n".join(HEADLINES)
    result = classify(article)
    model_only = load_model().predict_proba([p.text for p in result])
    listed = [p for p in result if p.text in HEADLINES]
    assert len(listed) == len(HEADLINES)
    for p in listed:
        row = model_only[p.index]
        assert p.probabilities[Label.BOILERPLATE] > row[list(load_model().classes_).index(Label.BOILERPLATE)]
        assert p.confidence == max(p.probabilities.values())
        assert sum(p.probabilities.values()) == pytest.approx(1.0)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*".!?…:;\"'”’)] \n-*1Aa", "Word ", "2) "]), max_size=20).map("".join))
def test_headline_shape_agrees_with_its_regular_expression_definition(text):
    import re

    finished = re.compile(r"[.!?…:;][\"'”’)\]]*$")
    marker = re.compile(r"(?:[-*+•▪●]|\d{1,3}[.)])\s")
    expected = (
        2 <= len(text.split()) <= MAX_HEADLINE_WORDS
        and text[:1].isupper()
        and not finished.search(text)
        and not marker.match(text)
    )
    assert is_headline_shaped(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "'We will not leave,' says the ousted president",
        "12 officers held over a plot",
        "Will the generals hand back power?",
    ],
)
def test_headlines_may_open_with_a_quote_or_a_number_and_end_with_a_question(text):
    assert is_headline_like(text)


def test_dates_and_scores_are_not_headlines():
    assert not is_headline_like("Updated 14:05, 3 March 2024")
    assert not is_headline_like("Rangers 2, Celtic 1 at Ibrox")


def test_the_own_headline_gets_the_learned_boilerplate_share_and_content_keeps_its_proportions():
    stage = ContextStage(np.eye(4, len(CONTEXT_FEATURES)), np.zeros(4), 0.2, 3)
    rows = np.array([[0.05, 0.05, 0.1, 0.8], [0.05, 0.05, 0.1, 0.8], [0.6, 0.2, 0.1, 0.1]])
    texts = ["Regatta postponed as fog closes the harbour", BODY]
    revised = stage.revise(rows[:2], texts)
    np.testing.assert_allclose(revised[0], [0.2, 0.2, 0.4, 0.2])  # 0.8 of content, split 1:1:2
    np.testing.assert_allclose(revised[1], rows[1])  # not the own headline: unchanged
    below = stage.revise(rows[2:], texts[:1])
    np.testing.assert_allclose(below[0], rows[2])  # already less boilerplate than the share: kept
    np.testing.assert_allclose(rows[0], [0.05, 0.05, 0.1, 0.8])  # the input is not changed
    reordered = stage.reordered([3, 0, 1, 2])
    assert reordered.boilerplate == 0 and reordered.headline_boilerplate == 0.2
    without = ContextStage(np.eye(4, len(CONTEXT_FEATURES)), np.zeros(4))
    np.testing.assert_allclose(without.revise(rows[:2], texts), rows[:2])


def test_the_shipped_model_keeps_an_off_topic_own_headline_as_content():
    """Rule 3 whatever the words: a headline on a topic the corpus never covers."""
    model = load_model()
    headline = "Regatta postponed as fog closes the harbour"
    result = classify("The Harbour Courier\n\n" + headline + "\n\n" + BODY, model=model)
    assert result[1].text == headline and result[1].label is not Label.BOILERPLATE
    assert result[1].probabilities[Label.BOILERPLATE] <= model.context.headline_boilerplate + 1e-12
    assert 0.0 < model.context.headline_boilerplate < 0.5
