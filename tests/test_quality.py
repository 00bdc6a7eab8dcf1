"""The real-text harness: scoring rules, skipping cleanly without data, and figures that match the model.

The real sets are never copied here; these tests build tiny stand-ins in the same formats
from sentences written for the purpose.
"""

import json
from pathlib import Path

import pytest

from benchmarks.quality import DEFAULT_REALDEV, available_sets, best_overlap, headline_share, load_l3s, main
from narratives import load_labels, load_model
from narratives.renderings import find_renderings
from narratives.training import data_digest

ROOT = Path(__file__).resolve().parents[1]


def test_each_span_takes_the_label_of_the_paragraph_overlapping_it_most():
    predicted = [(0, 10, "boilerplate"), (12, 40, "opinion"), (42, 50, "speculation")]
    assert best_overlap(predicted, 0, 10) == "boilerplate"
    assert best_overlap(predicted, 5, 30) == "opinion"  # 18 characters against 5
    assert best_overlap(predicted, 38, 50) == "speculation"
    assert best_overlap(predicted, 60, 70) == "boilerplate"  # nothing there: nothing was kept
    assert best_overlap([], 0, 5) == "boilerplate"


def test_missing_data_is_skipped_cleanly(tmp_path, capsys):
    assert list(available_sets(tmp_path)) == []
    assert main(["--realdev", str(tmp_path / "absent"), "--out", str(tmp_path / "q.json")]) == 0
    assert "skipped" in capsys.readouterr().out
    assert not (tmp_path / "q.json").exists()


def _write_stand_ins(folder: Path) -> None:
    document = (
        "Junta dissolves the cabinet\n\n"
        "Officers announced on state television that the cabinet had been dissolved on Tuesday.\n\n"
        "The move may well provoke sanctions from the regional bloc within days."
    )
    paragraphs = []
    for block in document.split("\n\n"):
        start = document.index(block)
        paragraphs.append(
            {"start": start, "end": start + len(block), "text": block, "label": "reported_fact"}
        )
    record = {"doc": "a", "text": document, "paragraphs": paragraphs}
    (folder / "mpqa_coup_dev.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (folder / "checkthat2025_en").mkdir()
    (folder / "checkthat2025_en" / "dev_test_en.tsv").write_text(
        "sentence_id\tsentence\tlabel\n1\tThe council met on Monday.\tOBJ\n2\tThis is a disgrace.\tSUBJ\n",
        encoding="utf-8",
    )
    page = {
        "page": "p",
        "blocks": [
            {"text": "Home", "label": "not_content"},
            {"text": "Junta dissolves the cabinet after a night of talks", "label": "headline"},
            {"text": paragraphs[1]["text"], "label": "fulltext"},
            {"text": "Nice article!", "label": "comments"},
        ],
    }
    (folder / "l3s_gn1_dev.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")


def test_the_harness_runs_end_to_end_on_stand_ins(tmp_path, capsys):
    _write_stand_ins(tmp_path)
    out = tmp_path / "q.json"
    assert main(["--realdev", str(tmp_path), "--no-baseline", "--out", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert set(results["sets"]) == {"mpqa", "checkthat", "l3s"}
    assert results["sets"]["checkthat"]["narratives"]["confusion"]["labels"] == ["OBJ", "SUBJ"]
    l3s = results["sets"]["l3s"]["narratives"]
    assert sum(map(sum, l3s["confusion"]["rows_true_cols_predicted"])) == 3  # comments are left out
    assert 0.0 <= l3s["own_headline_content_share"] <= 1.0
    assert "mpqa: narratives: macro-F1" in capsys.readouterr().out


def test_pages_are_joined_blocks_with_offsets_that_point_at_each_block(tmp_path):
    _write_stand_ins(tmp_path)
    real = load_l3s(tmp_path)
    page, spans = real.documents[0], real.spans[0]
    assert [page[start:end] for start, end, _ in spans][1].startswith("Junta dissolves")
    assert [label for _, _, label in spans] == ["boilerplate", "content", "content"]
    assert headline_share(real, [["boilerplate", "content", "content"]]) == 1.0


def test_committed_real_text_figures_describe_the_shipped_model():
    path = ROOT / "benchmarks" / "results" / "quality.json"
    if not path.is_file():
        pytest.skip("no committed real-text results")
    results = json.loads(path.read_text(encoding="utf-8"))
    assert results["training_data_sha256"] == data_digest(
        load_labels(ROOT / "labels"), find_renderings(ROOT / "labels")
    )
    assert results["training_data_sha256"] == load_model().manifest["training_data"]["sha256"]
    assert results["model_files_sha256"]["weights.npz"] == load_model().manifest["files"]["weights.npz"]


@pytest.mark.skipif(not DEFAULT_REALDEV.is_dir(), reason="the real development sets are not here")
def test_the_real_sets_load_where_they_are_shared():
    names = {real.name for real in available_sets(DEFAULT_REALDEV)}
    assert names <= {"mpqa", "checkthat", "l3s"}
    assert names


def test_readme_quotes_the_committed_web_page_figures():
    path = ROOT / "benchmarks" / "results" / "quality.json"
    pages = json.loads(path.read_text(encoding="utf-8"))["sets"].get("l3s_html")
    if pages is None:
        pytest.skip("no web-page figures committed")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    systems = pages["systems"]
    ours = systems["narratives (HTML)"]
    assert f"**{ours['f1']:.3f}** | **{ours['own_headline_kept_share']:.0%}** |" in readme
    for name in ("narratives (HTML, no structure stage)", "trafilatura", "jusText"):
        assert f"| {systems[name]['f1']:.3f} | {systems[name]['own_headline_kept_share']:.0%} |" in readme
    for name, words in (("narratives (HTML)", "every\nblock at"), ("trafilatura", "keeps the\narticle at")):
        assert f"{words} {systems[name]['pages_per_second']:.0f} pages/s" in readme


def test_readme_quotes_the_committed_ceiling_figures():
    path = ROOT / "benchmarks" / "results" / "ceiling.json"
    if not path.is_file():
        pytest.skip("no ceiling figures committed")
    sets = json.loads(path.read_text(encoding="utf-8"))["sets"]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    mpqa = sets["mpqa"]
    speculation = mpqa["with_real"]["per_label"]["speculation"]["f1"]
    assert f"macro-F1 {mpqa['with_real']['macro_f1']:.3f} (speculation {speculation:.2f})" in readme
    assert f"against {mpqa['labels_alone']['macro_f1']:.3f} from `labels/` alone" in readme
    checkthat = sets["checkthat"]
    assert (
        f"{checkthat['plain']['macro_f1']:.3f} plain, {checkthat['ours']['macro_f1']:.3f} with our" in readme
    )


def test_ceiling_probe_skips_cleanly_without_data(tmp_path, capsys):
    from benchmarks.ceiling import main as ceiling_main

    assert ceiling_main(["--realdev", str(tmp_path / "absent"), "--out", str(tmp_path / "c.json")]) == 0
    assert "skipped" in capsys.readouterr().out
    assert not (tmp_path / "c.json").exists()


def test_ceiling_groups_hold_every_document_once():
    from benchmarks.ceiling import document_groups

    groups = document_groups(11, 4)
    assert sorted(i for group in groups for i in group) == list(range(11))
    assert all(groups)
    with pytest.raises(ValueError):
        document_groups(3, 4)
    with pytest.raises(ValueError):
        document_groups(3, 1)


def test_ceiling_never_trains_on_the_documents_it_scores(monkeypatch):
    import benchmarks.ceiling as ceiling
    from benchmarks.quality import RealSet

    documents = [
        f"Troops entered town number {i} at dawn.\n\nIt may not last long in town {i}." for i in range(5)
    ]
    spans = [[(0, d.index("\n")), (d.index("It"), len(d))] for d in documents]
    real = RealSet(
        "stand-in",
        [],
        documents,
        [[(s, e, label) for (s, e), label in zip(doc, ("reported_fact", "speculation"))] for doc in spans],
        ("reported_fact", "speculation", "opinion", "boilerplate"),
    )
    trained_on: list[set[str]] = []

    def fake_fit(examples):
        trained_on.append({e.text for e in examples})
        return load_model()

    scored: list[list[str]] = []
    real_score = ceiling.score

    def spy_score(subset, labeller, name):
        scored.append(subset.documents)
        return real_score(subset, labeller, name)

    monkeypatch.setattr(ceiling, "fit_model", fake_fit)
    monkeypatch.setattr(ceiling, "score", spy_score)
    report = ceiling.with_real_labels(real, [], 2)
    assert len(report.truth) == 10 and len(trained_on) == len(scored) == 2
    for texts, held_out in zip(trained_on, scored):
        assert texts  # the other group's paragraphs were added ...
        assert not any(text in document for document in held_out for text in texts)  # ... never its own


def test_ceiling_refuses_impossible_fold_counts(tmp_path, capsys):
    from benchmarks.ceiling import main as ceiling_main

    _write_stand_ins(tmp_path)  # one MPQA document: no two groups can be made of it
    with pytest.raises(SystemExit) as stopped:
        ceiling_main(["--realdev", str(tmp_path), "--folds", "2", "--out", str(tmp_path / "c.json")])
    assert stopped.value.code == 2
    assert "--folds must be from 2 to 1" in capsys.readouterr().err
    assert not (tmp_path / "c.json").exists()
