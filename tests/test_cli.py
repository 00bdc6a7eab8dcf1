"""The command line: help texts, classify over folders with bad files, split, info, console script."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from narratives import split_paragraphs
from narratives.cli import main
from narratives.documents import read_document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.mark.parametrize("command", [[], ["classify"], ["split"], ["train"], ["info"]])
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
    assert main(["split", str(SEEDS[2])]) == 0
    out = capsys.readouterr().out
    assert f"({len(split_paragraphs(read_document(SEEDS[2])))} paragraphs)" in out


def test_classify_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("Troops seized the palace.\n\nIt may fail."))
    assert main(["classify", "--format", "jsonl", "-"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["index"] for row in rows] == [0, 1] and rows[0]["file"] == "-"


def test_info_shows_manifest(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert '"format": "narratives-model"' in out and "macro_f1" in out


def test_bad_model_directory_is_reported(tmp_path, capsys):
    assert main(["classify", "--model", str(tmp_path), str(SEEDS[0])]) == 1
    assert "no manifest.json" in capsys.readouterr().err


def test_console_script_is_installed():
    script = shutil.which("narratives", path=str(Path(sys.executable).parent))
    assert script, "the narratives console script is not installed next to this Python"
    done = subprocess.run([script, "classify", str(SEEDS[0])], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"({len(split_paragraphs(read_document(SEEDS[0])))} paragraphs)" in done.stdout
