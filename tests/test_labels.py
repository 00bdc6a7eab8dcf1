"""Label files: the real ones validate, and every kind of bad edit is refused with file and line."""

import json
from collections import Counter
from pathlib import Path

import pytest

from narratives import Label, LabelFileError, load_labels, split_paragraphs
from narratives.documents import read_document

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "labels"
SEEDS = ROOT / "seeds"


def test_project_labels_validate():
    examples = load_labels(LABELS)
    assert {e.label for e in examples} == set(Label)


def test_every_seed_paragraph_has_a_hand_label():
    labelled = Counter((e.doc, e.text) for e in load_labels(LABELS))
    for path in sorted(SEEDS.glob("*.txt")):
        paragraphs = split_paragraphs(read_document(path))
        assert paragraphs
        assert Counter((path.name, p.text) for p in paragraphs) == Counter(
            {key: n for key, n in labelled.items() if key[0] == path.name}
        )


def test_label_counts_in_labels_readme_are_current():
    readme = (LABELS / "README.md").read_text(encoding="utf-8")
    examples = load_labels(LABELS)
    for group, members in (("seeds", [e for e in examples if (SEEDS / e.doc).is_file()]), ("all", examples)):
        counts = Counter(e.label.value for e in members)
        row = next(line for line in readme.splitlines() if line.startswith(f"| {group} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:] == [str(counts[label.value]) for label in Label] + [str(len(members))], group


def write(directory: Path, name: str, lines: list[object]) -> Path:
    path = directory / name
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), encoding="utf-8"
    )
    return path


def record(text: str, label: str = "reported_fact", doc: str = "doc.txt") -> dict:
    return {"doc": doc, "text": text, "label": label}


@pytest.fixture
def labels_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "labels"
    (directory / "corpus").mkdir(parents=True)
    (directory / "corpus" / "doc.txt").write_text(
        "Coup in Niger\n\nSoldiers seized power.\n", encoding="utf-8"
    )
    return directory


def problems(directory: Path) -> str:
    with pytest.raises(LabelFileError) as caught:
        load_labels(directory)
    return str(caught.value)


def test_a_complete_document_loads_as_typed_examples(labels_dir):
    write(
        labels_dir, "a.jsonl", [record("Coup in Niger"), {**record("Soldiers seized power."), "note": "easy"}]
    )
    examples = load_labels(labels_dir)
    assert [(e.text, e.label, e.note) for e in examples] == [
        ("Coup in Niger", Label.REPORTED_FACT, None),
        ("Soldiers seized power.", Label.REPORTED_FACT, "easy"),
    ]
    assert examples[1].source.endswith("a.jsonl:2")


def test_a_reviewed_suggestion_may_keep_its_position_fields(labels_dir):
    placed = {**record("Soldiers seized power."), "index": 1, "start": 15, "end": 37}
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), placed])
    assert [e.text for e in load_labels(labels_dir)] == ["Coup in Niger", "Soldiers seized power."]
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), {**placed, "start": -1}])
    assert "a.jsonl:2: 'start' must be a whole number of at least 0" in problems(labels_dir)
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), {**placed, "page": 2}])
    assert "a.jsonl:2: unknown field(s) ['page']" in problems(labels_dir)


def test_malformed_json_names_file_and_line(labels_dir):
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), '{"doc": "doc.txt", "text": '])
    assert "a.jsonl:2: malformed JSON" in problems(labels_dir)


def test_unknown_label_is_refused(labels_dir):
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), record("Soldiers seized power.", "fact")])
    assert "a.jsonl:2: unknown label 'fact'" in problems(labels_dir)


def test_empty_text_is_refused(labels_dir):
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), record("   ")])
    assert "a.jsonl:2: 'text' must be a non-empty string" in problems(labels_dir)


def test_same_text_labelled_two_ways_is_refused(labels_dir):
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), record("Soldiers seized power.")])
    write(labels_dir, "b.jsonl", [record("Soldiers seized power.", "opinion", doc="other.txt")])
    message = problems(labels_dir)
    assert "b.jsonl:1: text labelled 'opinion' here but 'reported_fact' at" in message
    assert "a.jsonl:2" in message


def test_label_that_no_longer_matches_its_document_is_refused(labels_dir):
    write(labels_dir, "a.jsonl", [record("Coup in Niger"), record("Soldiers seized power!")])
    message = problems(labels_dir)
    assert "a.jsonl:2: text matches no paragraph of" in message
    assert "paragraph 1 is unlabelled: 'Soldiers seized power.'" in message


def test_unlabelled_paragraph_is_refused(labels_dir):
    write(labels_dir, "a.jsonl", [record("Coup in Niger")])
    assert "doc.txt: paragraph 1 is unlabelled" in problems(labels_dir)


def test_documents_without_raw_text_are_not_checked_for_coverage(labels_dir):
    write(labels_dir, "a.jsonl", [record("Anything at all.", doc="elsewhere.txt")])
    assert len(load_labels(labels_dir)) == 1


def test_no_label_files_is_an_error(tmp_path):
    assert "no *.jsonl label files" in problems(tmp_path)
