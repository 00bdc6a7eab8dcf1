"""The command line: help texts, classify over folders with bad files, split, info, console script."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from narratives import Label, classify, load_model, split_paragraphs
from narratives.cli import main
from narratives.documents import read_document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["classify"],
        ["split"],
        ["evaluate"],
        ["train"],
        ["info"],
        ["labels"],
        ["labels", "suggest"],
        ["labels", "check"],
    ],
)
def test_help(command, capsys):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: narratives")
    assert "--help" in out


def test_usage_error_exits_2(capsys):
    assert main(["classify"]) == 2
    assert main(["no-such-command"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_classify_folder_with_bad_files_reports_them_and_classifies_the_rest(tmp_path, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    (folder / "latin1.txt").write_bytes("Coup d'\xe9tat \xe0 Niamey".encode("latin-1"))
    (folder / "empty.txt").write_text("")
    (folder / "ignored.json").write_text("{}")
    code = main(["classify", "--format", "jsonl", str(folder), str(tmp_path / "missing.txt")])
    captured = capsys.readouterr()
    assert code == 1
    assert "latin1.txt: not valid utf-8" in captured.err
    assert "empty.txt: empty file" in captured.err
    assert "missing.txt: No such file or directory" in captured.err
    rows = [json.loads(line) for line in captured.out.splitlines()]
    expected = sum(len(split_paragraphs(read_document(seed))) for seed in SEEDS)
    assert len(rows) == expected
    assert {Path(row["file"]).name for row in rows} == {seed.name for seed in SEEDS}
    row = rows[0]
    assert set(row) == {"file", "index", "start", "end", "label", "confidence", "probabilities", "text"}
    assert read_document(row["file"])[row["start"] : row["end"]] == row["text"]


def test_encoding_option_reads_other_encodings(tmp_path, capsys):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Coup d'\xe9tat \xe0 Niamey.".encode("latin-1"))
    assert main(["split", "--format", "jsonl", "--encoding", "latin-1", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == "Coup d'état à Niamey."


def test_split_prints_offsets(capsys):
    assert main(["split", "--format", "table", str(SEEDS[2])]) == 0
    out = capsys.readouterr().out
    assert f"({len(split_paragraphs(read_document(SEEDS[2])))} paragraphs)" in out


def test_classify_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("Troops seized the palace.\n\nIt may fail."))
    assert main(["classify", "--format", "jsonl", "-"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["index"] for row in rows] == [0, 1] and rows[0]["file"] == "-"


def test_info_shows_manifest(capsys):
    assert main(["info", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"format": "narratives-model"' in out and "macro_f1" in out


def test_info_is_a_short_human_summary_with_real_text_figures_first(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) <= 20 and '"format"' not in out
    quality = json.loads((ROOT / "benchmarks/results/quality.json").read_text(encoding="utf-8"))
    mpqa = f"{quality['sets']['mpqa']['narratives']['macro_f1']:.3f}"
    assert mpqa in out and "grouped 5-fold CV" in out
    assert out.index(mpqa) < out.index("grouped 5-fold CV")
    assert "limits:" in out and "--json" in out


def test_bad_model_directory_is_reported(tmp_path, capsys):
    assert main(["classify", "--model", str(tmp_path), str(SEEDS[0])]) == 1
    assert "no manifest.json" in capsys.readouterr().err


def test_console_script_is_installed():
    script = shutil.which("narratives", path=str(Path(sys.executable).parent))
    assert script, "the narratives console script is not installed next to this Python"
    done = subprocess.run(
        [script, "classify", "--format", "table", str(SEEDS[0])], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"({len(split_paragraphs(read_document(SEEDS[0])))} paragraphs)" in done.stdout


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_default_format_is_a_table_on_a_terminal_with_colours_and_jsonl_when_piped(monkeypatch):
    piped, terminal = io.StringIO(), Terminal()
    monkeypatch.setattr(sys, "stdout", piped)
    assert main(["classify", str(SEEDS[0])]) == 0
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["classify", str(SEEDS[0])]) == 0
    assert len(records(piped.getvalue())) == len(split_paragraphs(read_document(SEEDS[0])))
    table = terminal.getvalue()
    assert table.startswith(f"== {SEEDS[0]}") and "\033[" in table
    assert "\033[" not in piped.getvalue()


def test_csv_has_one_row_per_paragraph_with_every_probability(capsys):
    assert main(["classify", "--format", "csv", str(SEEDS[1])]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(split_paragraphs(read_document(SEEDS[1])))
    for row in rows:
        probabilities = [float(row[f"p_{label.value}"]) for label in Label]
        assert sum(probabilities) == pytest.approx(1.0)
        assert float(row["confidence"]) == pytest.approx(max(probabilities))
        assert read_document(row["file"])[int(row["start"]) : int(row["end"])] == row["text"]


def test_label_filter_and_min_confidence(capsys):
    assert main(["classify", "--format", "jsonl", "--labels", "speculation,opinion", str(SEEDS[3])]) == 0
    filtered = records(capsys.readouterr().out)
    assert filtered and {r["label"] for r in filtered} <= {"speculation", "opinion"}
    assert main(["classify", "--format", "jsonl", "--min-confidence", "0.8", str(SEEDS[3])]) == 0
    everything = records(capsys.readouterr().out)
    assert len(everything) > len(filtered)
    assert [r["uncertain"] for r in everything] == [r["confidence"] < 0.8 for r in everything]
    assert any(r["uncertain"] for r in everything) and not all(r["uncertain"] for r in everything)


@pytest.mark.parametrize(
    "arguments",
    [["--labels", "facts"], ["--min-confidence", "1.5"], ["--explain-top", "0"], ["--format", "xml"]],
)
def test_nonsense_options_are_usage_errors(arguments, capsys):
    assert main(["classify", *arguments, str(SEEDS[0])]) == 2
    assert capsys.readouterr().err


def test_explain_gives_the_models_own_explanation(capsys):
    assert main(["classify", "--format", "jsonl", "--explain-top", "3", str(SEEDS[0])]) == 0
    rows = records(capsys.readouterr().out)
    model = load_model()
    for row in rows[:5]:
        expected = [[f, round(p, 4)] for f, p in model.explain_words(row["text"], 3, label=row["label"])]
        assert row["explanation"] == expected and 1 <= len(expected) <= 3


def test_glob_chooses_which_files_a_folder_contributes(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Troops seized the palace.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html.txt").write_text("It may fail.", encoding="utf-8")
    (tmp_path / "sub" / "c.page").write_text("Subscribe now", encoding="utf-8")
    assert main(["classify", "--format", "jsonl", str(tmp_path)]) == 0
    assert {Path(r["file"]).name for r in records(capsys.readouterr().out)} == {"a.txt", "b.html.txt"}
    assert main(["classify", "--format", "jsonl", "--glob", "*.page", str(tmp_path)]) == 0
    assert {Path(r["file"]).name for r in records(capsys.readouterr().out)} == {"c.page"}
    assert main(["classify", "--glob", "*.none", str(tmp_path)]) == 1


def test_output_file_is_replaced_only_when_the_run_finishes(tmp_path, monkeypatch, capsys):
    target = tmp_path / "out.jsonl"
    assert main(["classify", "-o", str(target), *map(str, SEEDS)]) == 0
    complete = target.read_text(encoding="utf-8")
    assert len(records(complete)) == sum(len(split_paragraphs(read_document(s))) for s in SEEDS)

    from narratives import output

    calls = 0
    real_write = output.RecordWriter.write

    def interrupted(self, record):
        nonlocal calls
        calls += 1
        if calls == 20:
            raise KeyboardInterrupt
        real_write(self, record)

    monkeypatch.setattr(output.RecordWriter, "write", interrupted)
    assert main(["classify", "-o", str(target), "--format", "jsonl", *map(str, SEEDS)]) == 130
    assert target.read_text(encoding="utf-8") == complete
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


class _ReportParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.articles: dict[str, list[dict]] = {}
        self.current: str | None = None
        self.legend = False
        self.legend_labels: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"script", "link", "img", "iframe"} or attributes.get("src"):
            self.external.append(tag)
        if tag == "article":
            self.current = attributes["data-file"]
            self.articles[self.current] = []
        if tag == "p" and "data-label" in attributes:
            self.articles[self.current].append(attributes)
        if attributes.get("id") == "legend":
            self.legend = True
        elif self.legend and tag == "span":
            self.legend_labels.append(attributes["class"])

    def handle_endtag(self, tag):
        if tag == "div":
            self.legend = False


def test_html_report_shows_every_article_coloured_with_confidence_on_hover(tmp_path, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    (folder / "empty.txt").write_text("")
    report = tmp_path / "report.html"
    assert main(["classify", "--html", str(report), "--min-confidence", "0.6", str(folder)]) == 1
    capsys.readouterr()
    parser = _ReportParser()
    parser.feed(report.read_text(encoding="utf-8"))
    assert parser.external == []  # self-contained
    assert parser.legend_labels == [label.value for label in Label]
    assert sorted(Path(name).name for name in parser.articles) == [seed.name for seed in SEEDS]
    for name, paragraphs in parser.articles.items():
        expected = classify(read_document(name))
        assert [p["data-label"] for p in paragraphs] == [e.label.value for e in expected]
        for shown, truth in zip(paragraphs, expected):
            assert shown["title"].startswith(f"{truth.label.value} {truth.confidence:.2f}")
            assert ("uncertain" in shown["class"]) == (truth.confidence < 0.6)
    page = report.read_text(encoding="utf-8")
    assert "empty.txt" in page and "empty file" in page
    for paragraphs in parser.articles.values():
        speculation = sum(p["data-label"] == "speculation" for p in paragraphs)
        assert f'<span class="speculation">speculation: {speculation}</span>' in page


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    assert main(["classify", "--format", "jsonl", *map(str, SEEDS)]) == 0
    assert capsys.readouterr().err == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["classify", "--format", "jsonl", *map(str, SEEDS)]) == 0
    assert "file" in terminal.getvalue() and "%" in terminal.getvalue()


def test_evaluate_reports_grouped_cv_beside_the_baseline(small_labels, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "confusion.png"
    assert main(["evaluate", "--labels", str(small_labels), "--plot", str(plot)]) == 0
    out, err = capsys.readouterr()
    assert "narratives: macro-F1" in out and "baseline" in out and "confusion" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert err == ""  # no progress bar when standard error is not a terminal


def test_evaluate_shows_folds_and_stages_on_a_terminal(small_labels, monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["evaluate", "--labels", str(small_labels)]) == 0
    shown = terminal.getvalue()
    assert "cross-validating narratives" in shown and "cross-validating baseline" in shown
    assert "/10" in shown and "fold" in shown  # five folds for each of the two stages
    assert "narratives: macro-F1" in capsys.readouterr().out


def test_labels_suggest_then_correct_then_check(small_labels, tmp_path, capsys):
    new = small_labels / "corpus" / "z01_new_article.txt"
    shutil.copy(SEEDS[2], new)
    suggestions = small_labels / "z_batch.jsonl"
    assert main(["labels", "suggest", str(new), "-o", str(suggestions)]) == 0
    rows = records(suggestions.read_text(encoding="utf-8"))
    paragraphs = split_paragraphs(read_document(new))
    assert sorted(r["text"] for r in rows) == sorted(p.text for p in paragraphs)
    assert [r["confidence"] for r in rows] == sorted(r["confidence"] for r in rows)
    assert {r["doc"] for r in rows} == {new.name}
    assert main(["labels", "check", "--labels", str(small_labels)]) == 1
    assert "still a model suggestion" in capsys.readouterr().err
    # A person reads each paragraph, decides, and removes the model's confidence.
    reviewed = [{k: v for k, v in r.items() if k != "confidence"} for r in rows]
    suggestions.write_text("".join(json.dumps(r) + "\n" for r in reviewed), encoding="utf-8")
    assert main(["labels", "check", "--labels", str(small_labels)]) == 0
    assert f"paragraphs {323 + len(rows)}" in capsys.readouterr().out


def test_labels_suggest_on_a_folder_keeps_each_document_together_with_positions(tmp_path, capsys):
    folder = tmp_path / "new"
    (folder / "later").mkdir(parents=True)
    first, second = folder / "b_first.txt", folder / "later" / "a_second.txt"
    shutil.copy(SEEDS[0], first)
    shutil.copy(SEEDS[1], second)
    (folder / "notes.csv").write_text("not an article", encoding="utf-8")
    assert main(["labels", "suggest", str(folder)]) == 0
    rows = records(capsys.readouterr().out)
    docs = [r["doc"] for r in rows]
    n_first = len(split_paragraphs(read_document(first)))
    assert docs == [first.name] * n_first + [second.name] * (len(rows) - n_first)  # input order, grouped
    for path in (first, second):
        text = read_document(path)
        mine = [r for r in rows if r["doc"] == path.name]
        assert sorted(r["index"] for r in mine) == list(range(len(mine)))
        assert all(text[r["start"] : r["end"]] == r["text"] for r in mine)
        assert [r["confidence"] for r in mine] == sorted(r["confidence"] for r in mine)


def test_labels_check_on_the_shipped_labels(capsys):
    assert main(["labels", "check", "--labels", str(ROOT / "labels")]) == 0
    assert "all label files valid" in capsys.readouterr().out


def test_utf8_with_byte_order_mark_is_read_and_offsets_still_index_the_file(tmp_path, capsys):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffCoup in Niamey\n\nSoldiers seized the palace.".encode())
    assert main(["classify", "--format", "jsonl", str(path)]) == 0
    rows = records(capsys.readouterr().out)
    assert [r["text"] for r in rows] == ["Coup in Niamey", "Soldiers seized the palace."]
    text = read_document(path)
    assert all(text[r["start"] : r["end"]] == r["text"] for r in rows)


def test_default_suffixes_match_in_any_case_and_an_empty_folder_is_named(tmp_path, capsys):
    (tmp_path / "LOUD.TXT").write_text("Troops seized the palace.", encoding="utf-8")
    (tmp_path / "notes.Md").write_text("It may fail.", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    assert main(["classify", "--format", "jsonl", str(tmp_path), str(tmp_path / "empty")]) == 1
    captured = capsys.readouterr()
    assert {Path(r["file"]).name for r in records(captured.out)} == {"LOUD.TXT", "notes.Md"}
    assert "empty: folder holds no files matching *.txt, *.md" in captured.err


@pytest.mark.parametrize(
    "arguments",
    [["--encoding", "no-such-codec"], ["--n-jobs", "0"], ["--glob", "/abs/*.txt"], ["--glob", ""]],
)
def test_bad_input_options_are_usage_errors(arguments, capsys):
    assert main(["classify", *arguments, str(SEEDS[0])]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_an_output_file_that_cannot_be_written_is_reported(tmp_path, capsys):
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert main(["classify", "-o", str(blocked / "out.jsonl"), str(SEEDS[0])]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_output_files_get_ordinary_permissions(tmp_path):
    fresh, kept = tmp_path / "fresh.jsonl", tmp_path / "kept.jsonl"
    kept.write_text("old")
    kept.chmod(0o640)
    assert main(["classify", "-o", str(fresh), str(SEEDS[0])]) == 0
    assert main(["classify", "-o", str(kept), str(SEEDS[0])]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    assert kept.stat().st_mode & 0o777 == 0o640


def test_standard_input_is_checked_and_decoded_like_a_file(monkeypatch, capsys):
    class Bytes(io.StringIO):
        def __init__(self, data: bytes):
            super().__init__()
            self.buffer = io.BytesIO(data)

    monkeypatch.setattr(sys, "stdin", Bytes(b"  \n"))
    assert main(["classify", "-"]) == 1
    assert "-: empty file" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", Bytes("Coup d'\xe9tat.".encode("latin-1")))
    assert main(["classify", "--format", "jsonl", "-"]) == 1
    assert "not valid utf-8" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", Bytes("Coup d'\xe9tat.".encode("latin-1")))
    assert main(["classify", "--format", "jsonl", "--encoding", "latin-1", "-"]) == 0
    assert records(capsys.readouterr().out)[0]["text"] == "Coup d'état."


def test_explain_explains_the_label_that_was_output_even_after_the_context_step(tmp_path, capsys):
    headlines = [f"Army says {n} rebels killed near the northern border town" for n in range(10, 18)]
    page = tmp_path / "page.txt"
    page.write_text("\n\n".join(headlines), encoding="utf-8")
    model = load_model()
    alone = model.predict(headlines)
    assert main(["classify", "--format", "jsonl", "--explain-top", "4", str(page)]) == 0
    rows = records(capsys.readouterr().out)
    # The run of headline-shaped lines makes the context step overrule the model on most of them.
    changed = [row for row, label in zip(rows, alone) if row["label"] != label.value]
    assert len(changed) > len(rows) / 2
    for row in rows:  # each explanation is of the label printed, not of the model's own
        expected = [[f, round(p, 4)] for f, p in model.explain_words(row["text"], 4, label=row["label"])]
        assert row["explanation"] == expected


def test_html_report_escapes_text_and_names(tmp_path, capsys):
    page = tmp_path / 'a<b>&"c".txt'
    page.write_text('Troops said "<script>alert(1)</script>" & left.', encoding="utf-8")
    report = tmp_path / "report.html"
    assert main(["classify", "--html", str(report), str(page)]) == 0
    capsys.readouterr()
    html = report.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "a&lt;b&gt;&amp;&quot;c&quot;.txt" in html
