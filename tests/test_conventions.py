"""The conventions users expect of a command-line tool and its outputs (issue 15)."""

import csv
import io
import json
import re
from pathlib import Path

import pytest

from narratives import classify, load_model
from narratives.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
DEMO = ROOT / "examples" / "demo_article.txt"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_version(capsys):
    from narratives import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"narratives {__version__}"


def test_table_on_a_terminal_uses_its_width_and_honours_no_color(monkeypatch):
    from narratives.cli import _dispatch, build_parser

    def table(columns, no_color):
        monkeypatch.setenv("COLUMNS", str(columns))
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
        out = Terminal()
        assert _dispatch(build_parser().parse_args(["classify", str(DEMO)]), out, io.StringIO()) == 0
        return out.getvalue()

    wide, narrow = table(160, True), table(60, True)
    assert max(map(len, wide.splitlines())) > 100
    assert max(len(line) for line in narrow.splitlines() if not line.startswith("==")) <= 60
    assert "\033[" not in wide
    assert "\033[" in table(100, False)


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".jsonl", lambda text: [json.loads(line) for line in text.splitlines()]),
        (".json", lambda text: json.loads(text)),
        (".csv", lambda text: list(csv.DictReader(io.StringIO(text)))),
        (".tsv", lambda text: list(csv.DictReader(io.StringIO(text), delimiter="\t"))),
    ],
)
def test_output_format_follows_the_file_suffix(tmp_path, suffix, check):
    target = tmp_path / f"out{suffix}"
    assert main(["classify", str(DEMO), "-o", str(target)]) == 0
    rows = check(target.read_text(encoding="utf-8"))
    assert len(rows) == len(classify(DEMO.read_text(encoding="utf-8")))
    assert rows[0]["label"] == "boilerplate"


def test_a_format_contradicting_the_suffix_is_refused(tmp_path, capsys):
    target = tmp_path / "out.json"
    assert main(["classify", str(DEMO), "-o", str(target), "--format", "csv"]) == 2
    assert "does not match" in capsys.readouterr().err and not target.exists()


def test_split_writes_csv(capsys):
    assert main(["split", "--format", "csv", str(DEMO)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0].keys() == {"file", "index", "start", "end", "text"}
    text = DEMO.read_text(encoding="utf-8")
    assert all(text[int(r["start"]) : int(r["end"])] == r["text"] for r in rows)


def test_explain_takes_no_number_so_a_path_after_it_is_a_path(capsys):
    assert main(["classify", "--format", "jsonl", "--explain", str(DEMO)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(1 <= len(r["explanation"]) <= 5 for r in rows)


def test_explanations_name_the_paragraphs_own_words_and_cue_groups_not_function_words():
    from narratives.cues import FUNCTION_WORDS

    model = load_model()
    text = "The coup may well fail, and it is a shameful betrayal of the voters."
    why = dict(model.explain_words(text, 8, label="opinion"))
    names = " ".join(why)
    assert re.search(r'verdict: .*"shameful"', names)
    for name in why:
        for quoted in re.findall(r'"([^"]+)"', name):
            assert quoted.lower() in text.lower()
            assert not all(word in FUNCTION_WORDS for word in quoted.split())
    hedged = " ".join(dict(model.explain_words(text, 8, label="speculation")))
    assert 'hedge: "may"' in hedged


def _report(tmp_path, *options):
    html = tmp_path / "r.html"
    assert (
        main(
            [
                "classify",
                str(DEMO),
                *map(str, SEEDS[:2]),
                "-o",
                str(tmp_path / "o.jsonl"),
                "--html",
                str(html),
                *options,
            ]
        )
        == 0
    )
    return html.read_text(encoding="utf-8")


def test_report_shows_label_and_confidence_as_text_and_file_names(tmp_path):
    page = _report(tmp_path, "--min-confidence", "0.99")
    paragraphs = classify(DEMO.read_text(encoding="utf-8"))
    for p in paragraphs:
        assert f'<span class="tag">{p.label.value} {p.confidence:.2f}</span>' in page
    assert f'<h2 title="{DEMO}">demo_article.txt</h2>' in page
    assert f">{DEMO}<" not in page  # the full path is only on hover
    assert "outline: 2px dashed" in page and 'class="paragraph' in page and " uncertain" in page
    assert "@media (max-width: 40rem)" in page and "columns: 1" in page


def test_report_says_which_labels_were_left_out(tmp_path):
    page = _report(tmp_path, "--labels", "reported_fact,opinion")
    assert "boilerplate: not shown" in page and "speculation: not shown" in page
    assert "boilerplate: 0" not in page


def test_report_highlights_explanations_on_demand(tmp_path):
    assert "<mark>" not in _report(tmp_path)
    page = _report(tmp_path, "--explain")
    assert "<mark>reckless</mark>" in page and "why opinion:" in page


def test_package_metadata_licence_and_typing():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT")
    assert (ROOT / "src/narratives/py.typed").exists()
    from narratives import __version__

    assert project["version"] == __version__
    assert f"## {__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_readme_first_command_classifies_the_demo_article_the_model_never_saw():
    from narratives import load_labels

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)\n```", readme, re.S).group(1)
    assert "narratives classify examples/demo_article.txt" in first
    demo = DEMO.read_text(encoding="utf-8")
    labelled = {e.text for e in load_labels(ROOT / "labels")}
    paragraphs = classify(demo)
    assert 6 <= sum(p.label.value != "boilerplate" for p in paragraphs) <= 10
    assert not labelled & {p.text for p in paragraphs}
    assert {p.label.value for p in paragraphs} == {"reported_fact", "speculation", "opinion", "boilerplate"}


REPORT_TRUTH = ["opinion", "boilerplate", "opinion", "speculation", "reported_fact", "opinion"]
REPORT_PREDICTED = ["opinion", "opinion", "opinion", "speculation", "reported_fact", "speculation"]


def test_cv_report_table_is_scikit_learns_classification_report():
    from sklearn.metrics import classification_report

    from narratives.training import CVReport

    report = CVReport("narratives", REPORT_TRUTH, REPORT_PREDICTED)
    expected = classification_report(
        REPORT_TRUTH, REPORT_PREDICTED, labels=list(report.labels), digits=3, zero_division=0
    )
    rendered = report.render()
    for line in expected.splitlines():
        if line.strip():
            assert f"  {line}" in rendered.splitlines()
    assert rendered.startswith("narratives: macro-F1 ") and "confusion (rows true" in rendered


def test_cv_report_scores_a_label_nobody_used_as_zero_without_warning():
    import warnings

    from narratives.training import CVReport

    truth, predicted = ["opinion", "opinion", "reported_fact"], ["opinion", "reported_fact", "reported_fact"]
    report = CVReport("narratives", truth, predicted)  # no speculation or boilerplate anywhere
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        macro = report.macro_f1
        per_label = report.per_label()
    assert per_label["speculation"]["f1"] == per_label["boilerplate"]["f1"] == 0.0
    assert macro == pytest.approx(sum(d["f1"] for d in per_label.values()) / 4)


def test_confusion_plot_is_drawn_by_confusion_matrix_display(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import numpy as np
    from sklearn.metrics import ConfusionMatrixDisplay

    from narratives.plots import plot_confusion
    from narratives.training import CVReport

    drawn = []
    original = ConfusionMatrixDisplay.plot

    def spy(display, *args, **kwargs):
        drawn.append(display)
        return original(display, *args, **kwargs)

    monkeypatch.setattr(ConfusionMatrixDisplay, "plot", spy)
    report = CVReport("narratives", REPORT_TRUTH, REPORT_PREDICTED)
    path = plot_confusion(report, tmp_path / "confusion.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    [display] = drawn
    counts = np.asarray(report.confusion())
    np.testing.assert_allclose(display.confusion_matrix, counts / counts.sum(axis=1, keepdims=True))
    assert list(display.display_labels) == list(report.labels)


def test_to_dataframe_of_classify_classify_many_and_classify_files(tmp_path):
    pd = pytest.importorskip("pandas")
    from narratives import Label, classify_files, classify_many, to_dataframe

    texts = ["Soldiers seized the palace.\n\nIt may not last.", "This coup is shameful."]
    results = classify_many(texts)
    one = to_dataframe(results[0])
    assert list(one.columns) == [
        "index", "start", "end", "label", "confidence",
        *(f"p_{label.value}" for label in Label), "text",
    ]  # fmt: skip
    assert one["text"].tolist() == [p.text for p in results[0]]
    assert one["label"].tolist() == [p.label.value for p in results[0]]
    assert list(one["label"].cat.categories) == [label.value for label in Label]
    assert one["p_opinion"].tolist() == [p.probabilities[Label.OPINION] for p in results[0]]
    many = to_dataframe(results)
    assert many["document"].tolist() == [0, 0, 1] and many["index"].tolist() == [0, 1, 0]
    good = tmp_path / "a.txt"
    good.write_text(texts[0], encoding="utf-8")
    files = to_dataframe(classify_files([good, tmp_path / "missing.txt"]))
    assert files["file"].tolist() == [str(good)] * 2  # the missing file has no rows
    assert isinstance(to_dataframe([]), pd.DataFrame) and to_dataframe([]).empty
    with pytest.raises(TypeError, match="classify_many"):
        to_dataframe("Soldiers seized the palace.")
    with pytest.raises(TypeError, match="int"):
        to_dataframe([1, 2])


def test_to_dataframe_without_pandas_says_to_install_it(monkeypatch):
    import sys

    from narratives import classify, to_dataframe

    paragraphs = classify("Soldiers seized the palace.")
    monkeypatch.setitem(sys.modules, "pandas", None)  # what `import pandas` finds when it is missing
    with pytest.raises(ImportError, match="pip install pandas"):
        to_dataframe(paragraphs)
