"""The featuriser: TF-IDF values equal scikit-learn's, cues respond to what they claim to detect."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from narratives.cues import CUE_GROUPS, lexicon_fingerprint
from narratives.features import ParagraphFeaturizer

CORPUS = [
    "Soldiers seized the presidential palace on Wednesday, the army said.",
    "The junta may hold power for months, analysts say, and it could fall apart.",
    "This shameful coup must be reversed; the generals should be ashamed.",
    "Subscribe to our newsletter",
    "Read also: Niger junta closes airspace",
    "The army said soldiers seized the broadcaster on Thursday.",
    "It remains to be seen whether the junta will survive.",
    "Photo: AFP / Getty Images",
    "© 2024 Sahel Wire. All rights reserved.",
    "We must stand with the people of Niger, and you should too!",
]
UNSEEN = [
    "Rumours swirl that the colonel was reportedly detained.",
    "",
    "   ",
    "x",
    "Ünïcödé İstanbul SEIZED",
]


def cue(featurizer, text, name):
    names = list(featurizer.get_feature_names_out())
    return featurizer.transform([text])[0, names.index(f"cue:{name}")]


@pytest.fixture(scope="module")
def fitted():
    return ParagraphFeaturizer(min_df=1, cue_groups=tuple(CUE_GROUPS)).fit(CORPUS)


def test_tfidf_part_equals_scikit_learn(fitted):
    texts = CORPUS + UNSEEN
    ours = fitted.transform(texts)[:, : len(fitted.vocabulary_)]
    reference = fitted.reference_vectorizer().fit(CORPUS).transform(texts)
    assert ours.shape == reference.shape
    assert abs(ours - reference).max() < 1e-12


def test_shapes_and_names(fitted):
    features = fitted.transform(UNSEEN)
    assert features.shape == (len(UNSEEN), len(fitted.get_feature_names_out()))
    n_cues = sum(len(names) for _, names in CUE_GROUPS.values())
    assert features.shape[1] == len(fitted.vocabulary_) + n_cues
    without = ParagraphFeaturizer(min_df=1, cue_groups=()).fit(CORPUS)
    assert without.transform(UNSEEN).shape[1] == len(without.vocabulary_)


@pytest.mark.parametrize(
    ("name", "high", "low"),
    [
        ("hedge_words", "Rumours say he was reportedly detained and may flee.", "He was detained."),
        ("hedge_phrases", "It remains to be seen who rules.", "The colonel rules."),
        ("attribution_words", "The ministry confirmed it, a spokesman said.", "Tanks rolled in."),
        ("evaluative_words", "A disgraceful, humiliating sham.", "A meeting on Tuesday."),
        ("first_second_person", "We demand that you act.", "They acted."),
        ("copyright", "© 2024 All rights reserved", "The palace fell."),
        ("read_more", "Read also: the junta's plan", "The junta's plan was read aloud."),
        (
            "short_fragment",
            "More news",
            "Soldiers seized the palace after a night of gunfire in the capital.",
        ),
        ("no_final_stop", "Niger junta closes airspace", "Niger's junta closed the airspace."),
    ],
)
def test_cues_respond_to_unseen_wording(fitted, name, high, low):
    assert cue(fitted, high, name) > cue(fitted, low, name)


def test_lexicon_matching_covers_inflections_never_seen_in_training(fitted):
    # "humiliation" and "speculated" occur nowhere in CORPUS; the stemmer links them to the lexicons.
    assert cue(fitted, "A humiliation.", "evaluative_words") > 0
    assert cue(fitted, "It was speculated.", "hedge_words") > 0


def test_sits_in_a_pipeline():
    labels = ["f", "s", "o", "b", "b", "f", "s", "b", "b", "o"]
    pipeline = make_pipeline(ParagraphFeaturizer(min_df=1), LogisticRegression(max_iter=1000)).fit(
        CORPUS, labels
    )
    probabilities = pipeline.predict_proba(UNSEEN)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_guards():
    with pytest.raises(ValueError, match="single str"):
        ParagraphFeaturizer().fit("one string")
    with pytest.raises(ValueError, match="unknown cue groups"):
        ParagraphFeaturizer(cue_groups=("nope",), min_df=1).fit(CORPUS)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ParagraphFeaturizer().transform(CORPUS)


def test_lexicon_fingerprint_is_stable():
    assert lexicon_fingerprint() == lexicon_fingerprint()
    assert len(lexicon_fingerprint()) == 64


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('ab .?!"©:1\x00\n'), max_size=30), min_size=1, max_size=6))
def test_a_batch_gives_each_paragraph_the_features_it_gets_alone(fitted, texts):
    batch = fitted.transform(texts).toarray()
    alone = np.vstack([fitted.transform([text]).toarray() for text in texts])
    np.testing.assert_allclose(batch, alone, rtol=1e-12, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('"“”«»„?!©(cC) x.\n'), max_size=25), min_size=1, max_size=5))
def test_literal_counts_equal_their_regular_expressions(texts):
    from narratives.cues import _LITERAL_PATTERNS, RAW_PATTERNS, CueBatch

    batch = CueBatch(texts, [t.lower() for t in texts], np.ones(len(texts)), np.zeros((len(texts), 1)), {})
    for name in _LITERAL_PATTERNS:
        expected = [len(RAW_PATTERNS[name].findall(text)) for text in texts]
        assert batch.raw_count(name).tolist() == expected, name


def test_long_inputs_are_featurised_in_chunks_with_the_same_result(fitted, monkeypatch):
    import narratives.featurize as features

    texts = [*CORPUS, *UNSEEN] * 3
    whole = fitted.transform(texts).toarray()
    monkeypatch.setattr(features, "CHUNK", 4)
    chunked = fitted.transform(texts)
    assert chunked.shape == whole.shape
    np.testing.assert_array_equal(chunked.toarray(), whole)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(".!?…:;\"'”’)] \t\n\xa0\x00aA"), max_size=12), min_size=1, max_size=5
    )
)
def test_final_stop_fast_path_counts_what_the_pattern_counts(texts):
    from narratives.cues import RAW_PATTERNS, CueBatch, _Joined

    batch = CueBatch(texts, [t.lower() for t in texts], np.ones(len(texts)), np.zeros((len(texts), 1)), {})
    expected = _Joined(texts).counts(RAW_PATTERNS["final_stop"])
    assert batch.raw_count("final_stop").tolist() == expected.tolist()


def test_defaults_are_the_shipped_configuration():
    from narratives import load_model

    shipped = load_model().manifest["features"]
    params = ParagraphFeaturizer().get_params()
    assert params == {
        "min_df": shipped["min_df"],
        "sublinear_tf": shipped["sublinear_tf"],
        "cue_groups": tuple(shipped["cue_groups"]),
        "cue_weight": shipped["cue_weight"],
    }


def test_transform_takes_any_iterable_and_refuses_none(fitted):
    expected = fitted.transform(CORPUS).toarray()
    assert (fitted.transform(text for text in CORPUS).toarray() == expected).all()
    assert (fitted.transform(tuple(CORPUS)).toarray() == expected).all()
    with pytest.raises(TypeError, match="iterable of paragraph texts"):
        fitted.transform(None)
    with pytest.raises(TypeError, match="iterable of paragraph texts"):
        ParagraphFeaturizer(min_df=1).fit(None)
    with pytest.raises(ValueError, match="single str"):
        fitted.transform("one string")


def test_declares_string_input_and_passes_the_checks_that_apply():
    from sklearn.base import clone
    from sklearn.exceptions import SkipTestWarning
    from sklearn.utils.estimator_checks import check_estimator

    tags = ParagraphFeaturizer().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    # Declared as text input, check_estimator skips its numeric 2-D array checks (without
    # the tags it feeds the featuriser float arrays, and fails) ...
    with pytest.warns(SkipTestWarning, match="string=True"):
        check_estimator(ParagraphFeaturizer(min_df=1))
    # ... so the conventions those checks cover for text are checked here.
    featurizer = ParagraphFeaturizer(min_df=1, cue_weight=0.5)
    assert clone(featurizer).get_params() == featurizer.get_params()
    assert not hasattr(clone(featurizer.fit(CORPUS)), "vocabulary_")
    assert "vocabulary_" not in vars(ParagraphFeaturizer(min_df=1))


def test_stem_prefilter_agrees_with_the_stemmer_on_every_corpus_word():
    """Only words that could stem to a family are stemmed; that must lose no lexicon hit."""
    import json
    from pathlib import Path

    from nltk.stem.snowball import EnglishStemmer

    from narratives import cues, load_labels

    stem = EnglishStemmer().stem
    root = Path(__file__).resolve().parents[1]
    vocabulary = json.loads((root / "src/narratives/default_model/vocabulary.json").read_text("utf-8"))
    words = {word for term in vocabulary for word in term.split(" ")}
    for example in load_labels(root / "labels"):
        words.update(cues.TOKEN_PATTERN.findall(example.text.lower()))
    words |= {"possibility", "probabilities", "rumoured", "denied", "stated", "quotation", "theorize"}
    families = [frozenset(stem(w) for w in lexicon.families) for lexicon in cues.LEXICONS.values()]
    for word in sorted(words):
        full = tuple(
            i
            for i, lexicon in enumerate(cues.LEXICONS.values())
            if word in lexicon.exact
            or stem(word) in families[i]
            or (lexicon.shape is not None and lexicon.shape.fullmatch(word))
        )
        assert cues.lexicon_hits(word) == full, word
    ids = {word: i for i, word in enumerate(sorted(words))}
    table = cues.lexicon_table(ids)
    for word, i in ids.items():
        assert tuple(table[i].nonzero()[0]) == cues.lexicon_hits(word), word


def test_rows_are_the_transform_matrix_as_arrays_in_any_chunking(fitted, monkeypatch):
    import narratives.featurize as featurize

    texts = CORPUS + UNSEEN + CORPUS
    whole = fitted.transform(texts)
    monkeypatch.setattr(featurize, "CHUNK", 4)  # several chunks stacked, one of them partly empty
    rows = fitted.fitted().rows(texts)
    assert rows.shape == whole.shape and rows.indptr[-1] == len(rows.data) == whole.nnz
    assert (rows.tocsr() != whole).nnz == 0
    dense = np.arange(2 * whole.shape[1], dtype=float).reshape(-1, 2)
    np.testing.assert_allclose(rows @ dense, whole @ dense, rtol=0, atol=1e-12)


def test_pair_table_matches_a_dense_table():
    from narratives.featurize import _PairTable

    rng = np.random.default_rng(0)
    for n_tokens, n_pairs in ((50, 500), (2000, 40)):  # a full table and a sparse one (left filter)
        left, right = rng.integers(0, n_tokens, n_pairs), rng.integers(0, n_tokens, n_pairs)
        values = rng.integers(1, 9, n_pairs)
        table = _PairTable(left, right, values, n_tokens)
        dense = np.zeros((n_tokens, n_tokens), dtype=np.int64)
        np.add.at(dense, (left, right), values)  # repeated pairs add up
        asked_left = np.concatenate([left, rng.integers(0, n_tokens, 5000)])
        asked_right = np.concatenate([right, rng.integers(0, n_tokens, 5000)])
        assert (table.look_up(asked_left, asked_right) == dense[asked_left, asked_right]).all()
