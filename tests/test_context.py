"""The context revision: long runs of headline-shaped lines lean to boilerplate, nothing else moves."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narratives import Label, classify, load_model
from narratives.context import (
    HEADLINE_RUN_ODDS,
    MAX_HEADLINE_WORDS,
    MIN_HEADLINE_RUN,
    headline_runs,
    is_headline_shaped,
    revise_with_context,
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
CLASSES = (Label.BOILERPLATE, Label.OPINION, Label.REPORTED_FACT, Label.SPECULATION)


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


def test_revision_multiplies_boilerplate_odds_and_keeps_distributions():
    rows = np.tile([0.2, 0.1, 0.6, 0.1], (MIN_HEADLINE_RUN, 1))
    revised = revise_with_context(rows, HEADLINES[:MIN_HEADLINE_RUN], CLASSES)
    np.testing.assert_allclose(revised.sum(axis=1), 1.0)
    odds_before = rows[0, 0] / (1 - rows[0, 0])
    odds_after = revised[0, 0] / (1 - revised[0, 0])
    assert odds_after / odds_before == pytest.approx(HEADLINE_RUN_ODDS)
    untouched = rows[:2]
    assert np.array_equal(revise_with_context(untouched, HEADLINES[:2], CLASSES), untouched)


def test_classify_applies_the_revision_consistently():
    article = "Troops seized the palace on Monday, the army said.\n\nMore news\n\n" + "\n".join(HEADLINES)
    result = classify(article)
    model_only = load_model().predict_proba([p.text for p in result])
    listed = [p for p in result if p.text in HEADLINES]
    assert len(listed) == len(HEADLINES)
    for p in listed:
        row = model_only[p.index]
        assert p.probabilities[Label.BOILERPLATE] > row[list(load_model().classes_).index(Label.BOILERPLATE)]
        assert p.confidence == max(p.probabilities.values())
    # the article's own sentence is outside the run and keeps the model's probabilities
    assert result[0].probabilities == dict(zip(load_model().classes_, model_only[0].tolist()))


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
