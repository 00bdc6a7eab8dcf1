"""The classifier: public API, exact explanations, safe persistence, reproducible shipped model."""

import hashlib
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from narratives import (
    ClassifiedParagraph,
    Label,
    ModelError,
    classify,
    classify_many,
    load_labels,
    load_model,
    split_paragraphs,
)
from narratives.model import DEFAULT_MODEL_DIR
from narratives.renderings import find_renderings, load_renderings
from narratives.training import C_SWEEP, C, baseline_pipeline, data_digest, fit_model, pick_c

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (
    "Coup leaders close borders\n\n"
    "Soldiers seized the presidential palace on Wednesday and detained the president, the army said.\n\n"
    "It remains to be seen whether the junta could hold power if regional forces intervene.\n\n"
    "This shameful power grab must be reversed; the generals should be ashamed of themselves.\n\n"
    "Subscribe to our newsletter for daily updates"
)


@pytest.fixture(scope="module")
def examples():
    return load_labels(ROOT / "labels")


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def test_classify_labels_every_paragraph_with_consistent_fields(shipped):
    result = classify(ARTICLE)
    paragraphs = split_paragraphs(ARTICLE)
    assert [(r.text, r.start, r.end, r.index) for r in result] == [
        (p.text, p.start, p.end, p.index) for p in paragraphs
    ]
    for r in result:
        assert isinstance(r, ClassifiedParagraph) and isinstance(r.label, Label)
        assert set(r.probabilities) == set(Label)
        assert sum(r.probabilities.values()) == pytest.approx(1.0)
        assert r.confidence == max(r.probabilities.values()) == r.probabilities[r.label]
        assert ARTICLE[r.start : r.end] == r.text
    as_json = json.loads(json.dumps(result[1].to_dict()))
    assert as_json["label"] in {label.value for label in Label}
    assert set(as_json["probabilities"]) == {label.value for label in Label}


def test_classify_many_equals_classify_one_by_one(shipped):
    texts = [ARTICLE, "", "One line only.", ARTICLE.replace("\n\n", "\n"), "   \n"]
    assert classify_many(texts, batch_size=3) == [classify(t) for t in texts]
    assert classify_many(iter(texts)) == [classify(t) for t in texts]


@pytest.mark.parametrize(("value", "message"), [(None, "NoneType"), (b"text", "decode"), (7, "int")])
def test_classify_rejects_non_text(value, message):
    with pytest.raises(TypeError, match=message):
        classify(value)


def test_classify_many_rejects_a_single_string_and_bad_batch_size():
    with pytest.raises(TypeError, match="single text"):
        classify_many("an article")
    with pytest.raises(ValueError, match="batch_size"):
        classify_many(["x"], batch_size=0)


def test_empty_text_gives_no_paragraphs():
    assert classify("") == [] and classify(" \n\t\u200b") == []


def test_huge_inputs_are_classified():
    one_paragraph = ("The army said troops had secured the capital. " * 22_000)[:1_000_000]
    assert len(classify(one_paragraph)) == 1
    many = "\n\n".join(f"Paragraph {i} says the junta met on Monday." for i in range(20_000))
    result = classify(many)
    assert len(result) == 20_000 and result[-1].index == 19_999


def test_model_interface(shipped):
    texts = ["Troops seized the palace.", "Read also: more news"]
    probabilities = shipped.predict_proba(texts)
    assert probabilities.shape == (2, 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert shipped.predict(texts) == [shipped.classes_[i] for i in probabilities.argmax(axis=1)]
    assert set(shipped.classes_) == set(Label)
    with pytest.raises(TypeError, match="single str"):
        shipped.predict("one string")


def test_explain_is_exact_for_the_linear_model(shipped):
    text = "Shots were reportedly fired near the palace, witnesses said."
    everything = shipped.explain(text, k=10_000)
    top = shipped.explain(text, k=3)
    assert top == everything[:3]
    assert [push for _, push in everything] == sorted((push for _, push in everything), reverse=True)
    # pushes + centred intercept reproduce the centred score of the predicted label
    winner = shipped.classes_.index(shipped.predict([text])[0])
    features = shipped.transform([text])
    scores = np.asarray(features @ shipped.coef_.T).ravel() + shipped.intercept_
    centred_score = scores[winner] - scores.mean()
    centred_intercept = shipped.intercept_[winner] - shipped.intercept_.mean()
    assert sum(push for _, push in everything) + centred_intercept == pytest.approx(centred_score)


@pytest.mark.parametrize("label", list(Label))
def test_explain_any_label_adds_up_to_that_labels_score(shipped, label):
    text = "Shots were reportedly fired near the palace, witnesses said."
    index = shipped.classes_.index(label)
    scores = np.asarray(shipped.transform([text]) @ shipped.coef_.T).ravel() + shipped.intercept_
    intercept = shipped.intercept_[index] - shipped.intercept_.mean()
    pushes = shipped.explain(text, k=10_000, label=label.value)
    assert sum(push for _, push in pushes) + intercept == pytest.approx(scores[index] - scores.mean())


def test_shipped_model_is_what_retraining_produces(shipped, examples):
    renderings = load_renderings(ROOT / "labels", examples)
    retrained = fit_model(examples, renderings=renderings)
    texts = [e.text for e in examples]
    assert retrained.predict(texts) == shipped.predict(texts)
    np.testing.assert_allclose(retrained.predict_proba(texts), shipped.predict_proba(texts), atol=1e-9)
    np.testing.assert_allclose(retrained.context.coef, shipped.context.coef, atol=1e-9)
    assert (retrained.structure is None) == (shipped.structure is None) == (not renderings)
    if renderings:
        np.testing.assert_allclose(retrained.structure.coef, shipped.structure.coef, atol=1e-9)
        assert retrained.structure.headline_boilerplate == pytest.approx(
            shipped.structure.headline_boilerplate
        )
    digest = data_digest(examples, find_renderings(ROOT / "labels"))
    assert shipped.manifest["training_data"]["sha256"] == digest


def test_shipped_model_beats_the_plain_baseline_in_grouped_cv(shipped):
    metrics = shipped.manifest["cv_metrics"]
    assert metrics["grouped_by"] == "document"
    assert metrics["model"]["macro_f1"] > metrics["baseline"]["macro_f1"]
    assert metrics["model"]["macro_f1"] >= 0.70  # quality floor: lower it only with a written reason


def test_save_and_load_round_trip(tmp_path, examples):
    model = fit_model(examples[:300])
    model.save(tmp_path / "m", manifest_extra={}, card="# test\n")
    loaded = load_model(tmp_path / "m")
    texts = [e.text for e in examples[300:400]]
    assert loaded.predict(texts) == model.predict(texts)
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-12)


def test_training_is_deterministic(tmp_path, examples):
    subset = examples[:300]
    fit_model(subset).save(tmp_path / "a", manifest_extra={}, card="")
    fit_model(subset).save(tmp_path / "b", manifest_extra={}, card="")
    for name in ("weights.npz", "vocabulary.json", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.fixture
def model_copy(tmp_path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


class _Exploit:
    """Unpickling this would create a marker file: proof that code ran."""

    marker: Path

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _plant_pickle(model_dir: Path, marker: Path) -> None:
    exploit = _Exploit()
    exploit.marker = marker
    (model_dir / "weights.npz").write_bytes(pickle.dumps(exploit))


def test_swapped_weights_are_refused_by_checksum(model_copy, tmp_path):
    marker = tmp_path / "pwned"
    _plant_pickle(model_copy, marker)
    with pytest.raises(ModelError, match=r"checksum|bytes, not the"):
        load_model(model_copy)
    assert not marker.exists()


def test_pickle_is_refused_even_with_a_forged_checksum(model_copy, tmp_path):
    import hashlib

    marker = tmp_path / "pwned"
    _plant_pickle(model_copy, marker)
    manifest = json.loads((model_copy / "manifest.json").read_text())
    manifest["files"]["weights.npz"] = hashlib.sha256((model_copy / "weights.npz").read_bytes()).hexdigest()
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="plain-array"):
        load_model(model_copy)
    assert not marker.exists()


def test_unknown_format_version_is_refused_with_advice(model_copy):
    manifest = json.loads((model_copy / "manifest.json").read_text())
    manifest["format_version"] = 99
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="retrain"):
        load_model(model_copy)


def test_missing_or_foreign_directories_are_refused(tmp_path):
    with pytest.raises(ModelError, match=r"no manifest\.json"):
        load_model(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "something-else"}')
    with pytest.raises(ModelError, match="not a narratives model"):
        load_model(tmp_path)


def test_changed_lexicons_are_refused(model_copy):
    manifest = json.loads((model_copy / "manifest.json").read_text())
    manifest["features"]["lexicon_fingerprint"] = "0" * 64
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="lexicons"):
        load_model(model_copy)


def test_baseline_is_the_plain_pipeline():
    steps = [type(step).__name__ for _, step in baseline_pipeline().steps]
    assert steps == ["TfidfVectorizer", "LogisticRegression"]


def test_regularisation_rule_prefers_the_most_regularised_c_near_the_best():
    scores = {1.0: 0.84, 2.0: 0.86, 4.0: 0.871, 8.0: 0.876, 16.0: 0.879, 32.0: 0.880}
    assert pick_c(scores) == 4.0  # 0.871 is within 0.01 of 0.880; 0.86 is not
    assert pick_c(scores, tolerance=0.0) == 32.0
    assert pick_c({8.0: 0.5, 1.0: 0.9}) == 1.0
    assert C in C_SWEEP


def test_a_context_stage_must_match_its_manifest(tmp_path, examples):
    from narratives.model import _write_npz

    model = fit_model(examples[:300])
    model.save(tmp_path / "m", manifest_extra={}, card="")
    assert load_model(tmp_path / "m").context is not None
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as arrays:
        plain = {name: arrays[name] for name in ("coef", "intercept", "idf")}
    _write_npz(tmp_path / "m" / "weights.npz", **plain)
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    data = (tmp_path / "m" / "weights.npz").read_bytes()
    manifest["files"]["weights.npz"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="context stage"):
        load_model(tmp_path / "m")


def test_probabilities_follow_one_label_order_everywhere(tmp_path):
    """classes_, predict_proba columns, JSON and CSV all read reported_fact, speculation, opinion, boilerplate."""
    import csv
    import io
    import json as json_

    from narratives import Label, classify
    from narratives.output import CSV_COLUMNS, RecordWriter, paragraph_record

    model = load_model()
    assert model.classes_ == tuple(Label)
    assert model.manifest["labels"] == [label.value for label in Label]
    paragraph = classify("Troops may have seized the palace, officials said.")[0]
    assert list(paragraph.probabilities) == list(Label)
    record = paragraph_record("x", paragraph)
    assert list(json_.loads(json_.dumps(record))["probabilities"]) == [label.value for label in Label]
    probability_columns = [c for c in CSV_COLUMNS if c.startswith("p_")]
    assert probability_columns == [f"p_{label.value}" for label in Label]
    out = io.StringIO()
    RecordWriter(out, "csv").write(record)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert [float(row[c]) for c in probability_columns] == pytest.approx(
        list(model.predict_proba([paragraph.text])[0]), abs=0.2
    )


def test_a_model_given_alphabetical_labels_is_kept_in_label_order():
    from narratives import Label
    from narratives.model import Model

    shipped = load_model()
    alphabetical = sorted(range(4), key=lambda i: shipped.classes_[i].value)
    context = shipped.context.reordered(alphabetical)
    reordered = Model(
        shipped.featurizer,
        shipped.coef_[alphabetical],
        shipped.intercept_[alphabetical],
        [shipped.classes_[i] for i in alphabetical],
        context=context,
    )
    assert reordered.classes_ == tuple(Label)
    texts = ["Troops seized the palace.", "It may not last.", "A shameful coup.", "Subscribe now"]
    assert abs(reordered.predict_proba(texts) - shipped.predict_proba(texts)).max() < 1e-12
    from narratives import classify

    ours = [p.probabilities for p in classify("\n\n".join(texts), model=reordered)]
    theirs = [p.probabilities for p in classify("\n\n".join(texts), model=shipped)]
    assert ours == theirs


def test_model_repr_and_save_without_extra_arguments(tmp_path):
    model = load_model()
    text = repr(model)
    assert text.startswith("Model(labels=[reported_fact, speculation, opinion, boilerplate]")
    assert f"{len(model.featurizer.vocabulary_):,} terms" in text and "shipped" in text
    import copy

    saved = copy.deepcopy(model).save(tmp_path / "m")
    again = load_model(saved)
    assert "MODEL_CARD.md" in {p.name for p in saved.iterdir()}
    assert "stems.json" in again.manifest["files"]
    texts = ["Troops seized the palace.", "It may not last."]
    assert (again.predict_proba(texts) == model.predict_proba(texts)).all()
    assert str(saved) in repr(again)


def test_numpy_scoring_equals_the_scipy_product_on_the_corpus(shipped, examples):
    """Classifying scores numpy arrays; the probabilities are those of scipy's sparse product."""
    texts = [e.text for e in examples]
    rows = shipped.features(texts)
    matrix = shipped.transform(texts)
    assert (rows.tocsr() != matrix).nnz == 0
    through_scipy = shipped.predict_proba_features(matrix)
    np.testing.assert_allclose(shipped.predict_proba_features(rows), through_scipy, rtol=0, atol=1e-12)
    np.testing.assert_allclose(shipped.predict_proba(texts), through_scipy, rtol=0, atol=1e-12)
    scores = np.asarray(matrix @ shipped.coef_.T) + shipped.intercept_
    np.testing.assert_allclose(rows @ shipped.coef_.T + shipped.intercept_, scores, rtol=0, atol=1e-12)
