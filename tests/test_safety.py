"""Nothing lost, nothing leaked (issue 12): every file narratives reads or writes, handled safely.

Each test names the case of the issue it covers. Tests that could hang on a broken
implementation (FIFOs, devices) run inside :func:`within`, so a hang fails instead of
blocking the suite.
"""

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from narratives import (
    LabelFileError,
    ModelError,
    classify,
    classify_many,
    iter_classify,
    load_labels,
    load_model,
)
from narratives.cli import main
from narratives.documents import read_document
from narratives.model import DEFAULT_MODEL_DIR
from narratives.paragraphs import split_paragraphs

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (CI runs as root)")


def within(seconds: float, call, *args, **kwargs):
    """``call(*args, **kwargs)``, failing (not hanging) if it takes longer than ``seconds``."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = call(*args, **kwargs)
        except BaseException as error:  # handed to the test below
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(max(seconds, 30))  # generous join so a slow machine reports a time, not a hang
    elapsed = time.monotonic() - started
    assert not thread.is_alive(), f"{getattr(call, '__name__', call)} hung"
    assert elapsed < seconds, f"took {elapsed:.2f} s, more than {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def paragraph_count(paths) -> int:
    return sum(len(split_paragraphs(read_document(path))) for path in paths)


# -- 1. writing through devices and links ----------------------------------------------


@needs_root
def test_1_output_to_a_device_writes_to_the_device_and_keeps_it(tmp_path, capsys):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    assert main(["classify", str(SEEDS[0]), "-o", str(device)]) == 0
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temporary file left


@needs_root
def test_1_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path, capsys):
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    assert main(["classify", str(SEEDS[0]), "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(records(target.read_text())) == paragraph_count(SEEDS[:1])


def test_1_output_to_a_fifo_is_written_directly(tmp_path, capsys):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert within(60, main, ["classify", str(SEEDS[0]), "-o", str(fifo)]) == 0
    reader.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert len(records(received[0].decode())) == paragraph_count(SEEDS[:1])


def test_1_output_to_a_descriptor_link_on_a_pipe_is_written_to_the_pipe(tmp_path):
    # /dev/fd/1 rather than /dev/stdout: an implementation that renames over its output
    # fails here (nothing can be created in /proc) instead of replacing the system's /dev/stdout.
    script = shutil.which("narratives", path=str(Path(sys.executable).parent))
    done = subprocess.run(
        [script, "classify", str(SEEDS[0]), "-o", "/dev/fd/1"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert len(records(done.stdout)) == paragraph_count(SEEDS[:1])


# -- 2. output over input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        ["{a}", "-o", "{a}"],
        ["{a}", "--html", "{a}"],
        ["{b}", "-o", "{a}", "--html", "{a}"],
        ["{a}", "-o", "{link}"],
    ],
    ids=["output-is-input", "html-is-input", "output-is-html", "output-links-to-input"],
)
def test_2_an_output_that_is_an_input_or_the_other_output_is_a_usage_error(arguments, tmp_path, capsys):
    a, b, link = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "link.txt"
    shutil.copy(SEEDS[0], a)
    shutil.copy(SEEDS[1], b)
    link.symlink_to(a)
    before = {p.name: p.read_bytes() for p in (a, b)}
    argv = [part.format(a=a, b=b, link=link) for part in arguments]
    assert main(["classify", *argv]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (a, b)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "link.txt"]


def test_2_labels_suggest_refuses_to_write_over_its_input(tmp_path, capsys):
    a = tmp_path / "a.txt"
    shutil.copy(SEEDS[0], a)
    assert main(["labels", "suggest", str(a), "-o", str(a)]) == 2
    assert a.read_bytes() == SEEDS[0].read_bytes()


# -- 3. train --out over a user's folder; a failed save keeps the old model --------------


def test_3_train_refuses_an_out_folder_holding_other_files_before_any_work(small_labels, tmp_path, capsys):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.md").write_text("my work")
    (folder / "MODEL_CARD.md").write_text("my notes")
    started = time.monotonic()
    assert main(["train", "--labels", str(small_labels), "--out", str(folder), "--skip-ablation"]) == 2
    assert time.monotonic() - started < 5  # refused before cross-validation
    assert "not a narratives model directory" in capsys.readouterr().err
    assert (folder / "chapter1.md").read_text() == "my work"
    assert (folder / "MODEL_CARD.md").read_text() == "my notes"
    assert sorted(p.name for p in folder.iterdir()) == ["MODEL_CARD.md", "chapter1.md"]


@pytest.fixture
def model_copy(tmp_path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


def test_3_a_save_that_fails_midway_leaves_the_previous_model_loadable(model_copy, monkeypatch):
    from narratives import OutputError
    from narratives import model as model_module
    from narratives.model import Model

    old = load_model(model_copy)
    texts = ["Soldiers seized the palace.", "It may not last."]
    expected = old.predict_proba(texts)
    new = Model(old.featurizer, old.coef_ * 2, old.intercept_, old.classes_)
    real_write_npz = model_module._write_npz

    def disk_full_after_the_weights(path, **arrays):
        real_write_npz(path, **arrays)
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(model_module, "_write_npz", disk_full_after_the_weights)
    with pytest.raises(OutputError, match=f"cannot write {model_copy}: No space"):
        new.save(model_copy, manifest_extra={}, card="# new\n")
    np.testing.assert_allclose(load_model(model_copy).predict_proba(texts), expected)
    assert sorted(p.name for p in model_copy.parent.iterdir()) == ["model"]  # no temporary folders
    monkeypatch.undo()
    new.save(model_copy, manifest_extra={}, card="# new\n")  # an earlier model may be replaced
    assert (model_copy / "MODEL_CARD.md").read_text() == "# new\n"
    np.testing.assert_allclose(load_model(model_copy).predict_proba(texts), new.predict_proba(texts))
    assert sorted(p.name for p in model_copy.parent.iterdir()) == ["model"]


# -- 4. the shipped model is replaced only on purpose ------------------------------------


def test_4_training_from_other_labels_without_out_is_a_usage_error(small_labels, capsys):
    before = {p.name: p.read_bytes() for p in DEFAULT_MODEL_DIR.iterdir()}
    assert main(["train", "--labels", str(small_labels), "--skip-ablation"]) == 2
    assert "--out" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in DEFAULT_MODEL_DIR.iterdir()} == before


def test_4_the_projects_own_labels_or_an_explicit_flag_may_replace_the_shipped_model(small_labels):
    from narratives.train import PROJECT_LABELS, model_destination

    assert model_destination(PROJECT_LABELS, None) == DEFAULT_MODEL_DIR
    assert model_destination(small_labels, None, replace_shipped=True) == DEFAULT_MODEL_DIR


# -- 5. results computed before an input failure are delivered ---------------------------


class InputBroke(RuntimeError):
    pass


def failing_after(count: int):
    for i in range(count):
        yield f"Troops took the radio station on day {i}.\n\nA deal may follow."
    raise InputBroke("the database connection dropped")


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_5_iter_classify_delivers_every_result_before_an_input_failure(n_jobs):
    delivered = []
    with pytest.raises(InputBroke):
        for result in iter_classify(failing_after(5000), n_jobs=n_jobs):
            delivered.append(result)
    assert len(delivered) == 5000
    assert delivered[4999][0].text == "Troops took the radio station on day 4999."
    last = "Troops took the radio station on day 4999.\n\nA deal may follow."
    assert [p.label for p in delivered[4999]] == [p.label for p in classify(last)]


def test_5_a_non_text_item_stops_the_run_after_the_texts_before_it():
    delivered = []
    with pytest.raises(TypeError, match="bytes"):
        for result in iter_classify(["Troops took the palace.", "It may fail.", b"raw"]):
            delivered.append(result)
    assert len(delivered) == 2


def test_5_classify_many_says_how_many_were_classified_before_the_failure():
    with pytest.raises(InputBroke) as raised:
        classify_many(failing_after(300))
    assert any("300 texts were classified" in note for note in raised.value.__notes__)


# -- 6. label files cannot make us read other paths ---------------------------------------


@pytest.mark.parametrize("doc", ["/etc/passwd", "../../../../../../etc/hostname", "..", "sub/dir.txt"])
def test_6_a_doc_that_is_not_a_plain_file_name_is_refused_without_reading_it(doc, tmp_path):
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "x.jsonl").write_text(json.dumps({"doc": doc, "text": "root", "label": "opinion"}) + "\n")
    with pytest.raises(LabelFileError) as raised:
        load_labels(labels)
    message = str(raised.value)
    assert f"{labels / 'x.jsonl'}:1: 'doc' must be a plain file name" in message
    assert "root:" not in message and "unlabelled" not in message


# -- 7 and "what it must show": model files must be what the manifest says ----------------


class _Exploit:
    """Unpickling this would create a marker file: proof that code ran."""

    marker: Path

    def __reduce__(self):
        return (Path.touch, (self.marker,))


MODEL_FILES = ["manifest.json", "weights.npz", "vocabulary.json", "MODEL_CARD.md"]


def _tamper(model_dir: Path, name: str, how: str, marker: Path) -> None:
    path = model_dir / name
    path.unlink()
    if how == "replaced":
        exploit = _Exploit()
        exploit.marker = marker
        import pickle

        path.write_bytes(pickle.dumps(exploit))
    elif how == "symlink":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)


@pytest.mark.parametrize("how", ["replaced", "symlink", "fifo"])
@pytest.mark.parametrize("name", MODEL_FILES)
def test_7_a_model_directory_with_one_file_replaced_linked_or_a_fifo_is_refused_at_once(
    model_copy, tmp_path, name, how
):
    marker = tmp_path / "pwned"
    _tamper(model_copy, name, how, marker)
    with pytest.raises(ModelError):
        within(1.0, load_model, model_copy)
    assert not marker.exists()


def _forge(model_dir: Path, name: str, data: bytes) -> None:
    """Write ``data`` as ``name`` and make the manifest list it with the right checksum.

    The checksum-only entry of the shipped manifest: what an attacker who can edit the
    manifest would write, and a form every narratives version reads.
    """
    (model_dir / name).write_bytes(data)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256(data).hexdigest()
    (model_dir / "manifest.json").write_text(json.dumps(manifest))


def _manifest(model_dir: Path) -> dict:
    return json.loads((model_dir / "manifest.json").read_text())


def test_7_an_unlisted_vocabulary_is_refused_even_when_it_is_a_fifo(model_copy):
    manifest = _manifest(model_copy)
    del manifest["files"]["vocabulary.json"]
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    (model_copy / "vocabulary.json").unlink()
    os.mkfifo(model_copy / "vocabulary.json")
    with pytest.raises(ModelError, match=r"vocabulary\.json"):
        within(1.0, load_model, model_copy)


def test_7_weights_linked_from_outside_the_folder_are_refused_even_with_the_right_checksum(
    model_copy, tmp_path
):
    outside = tmp_path / "elsewhere.npz"
    shutil.move(model_copy / "weights.npz", outside)
    (model_copy / "weights.npz").symlink_to(outside)
    with pytest.raises(ModelError, match="symbolic link"):
        within(1.0, load_model, model_copy)


@pytest.mark.parametrize("listed", ["with-size", "checksum-only"])
def test_7_a_huge_vocabulary_is_refused_by_its_size_before_it_is_read(model_copy, listed):
    huge = model_copy / "vocabulary.json"
    with huge.open("r+b") as file:
        file.truncate(229 * 1024 * 1024)  # sparse: costs no disk
    manifest = _manifest(model_copy)
    if listed == "checksum-only":
        manifest["files"]["vocabulary.json"] = "0" * 64
    else:
        manifest["files"]["vocabulary.json"] = {"sha256": "0" * 64, "size": 229 * 1024 * 1024}
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"too large|size"):
        within(1.0, load_model, model_copy)


# -- 8. inputs that are not regular files ---------------------------------------------------


def run_cli(*arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``narratives ARGUMENTS`` in a child process with 4 GB of data memory at most.

    Reading ``/dev/zero`` must not take the machine's memory with it if it is ever read
    again, and a hang is killed at ``timeout`` (raising ``TimeoutExpired``).
    """
    import resource

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (4 << 30, 4 << 30))

    return subprocess.run(
        [sys.executable, "-m", "narratives", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
        stdin=subprocess.DEVNULL,
    )


def test_8_devices_and_fifos_given_as_inputs_are_reported_and_the_run_continues(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    captured = run_cli("classify", "--format", "jsonl", "/dev/zero", str(fifo), str(SEEDS[0]), timeout=60)
    assert captured.returncode == 1, captured.stderr
    assert "/dev/zero: not a regular file but a character device" in captured.stderr
    assert f"{fifo}: not a regular file but a FIFO" in captured.stderr
    assert len(records(captured.stdout)) == paragraph_count(SEEDS[:1])


def test_what_it_must_show_a_folder_with_hostile_entries(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "bad.txt").write_bytes(b"Coup \xff\xfe in the capital\n")
    output = folder / "out.txt"
    output.write_text("an earlier run\n")
    regular = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and p != output]
    before = {p: p.read_bytes() for p in regular}
    done = run_cli("classify", "--format", "jsonl", str(folder), "-o", str(output))
    err = done.stderr
    assert done.returncode == 1, err
    for bad in ("pipe.txt", "zero.txt", "bad.txt", "out.txt"):
        assert str(folder / bad) in err, bad
    rows = records(output.read_text())
    assert {Path(r["file"]).name for r in rows} == {seed.name for seed in SEEDS}
    assert len(rows) == paragraph_count(SEEDS)
    assert {p: p.read_bytes() for p in regular} == before
    assert stat.S_ISFIFO(os.lstat(folder / "pipe.txt").st_mode) and (folder / "zero.txt").is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(s.name for s in SEEDS), "pipe.txt", "zero.txt", "bad.txt", "out.txt"]
    )


# -- 9. CSV formula injection ------------------------------------------------------------------


def test_9_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = Path("=cmd.txt")
    page.write_text('=HYPERLINK("http://evil","x")\n\n+1+1\n\n-2 soldiers died.\n\n@SUM(A1)\n\nPlain text.')
    assert main(["classify", "--format", "csv", str(page)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["text"] for r in rows] == [
        '\'=HYPERLINK("http://evil","x")',
        "'+1+1",
        "'-2 soldiers died.",
        "'@SUM(A1)",
        "Plain text.",
    ]
    assert all(r["file"] == "'" + str(page) for r in rows)
    assert all(not value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


# -- 10 and 11. damaged or hostile manifests and weights: ModelError, never a traceback -----------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


MANIFEST_DAMAGE = {
    "missing-features": lambda m: m.pop("features"),
    "missing-labels": lambda m: m.pop("labels"),
    "unknown-label": lambda m: m.update(labels=["boilerplate", "opinion", "reported_fact", "rumour"]),
    "duplicate-labels": lambda m: m.update(labels=["boilerplate", "opinion", "opinion", "speculation"]),
    "unknown-cue-group": lambda m: m["features"].update(cue_groups=["hedging", "astrology"]),
    "labels-not-a-list": lambda m: m.update(labels="boilerplate"),
    "min-df-a-string": lambda m: m["features"].update(min_df="2"),
    "cue-groups-unhashable": lambda m: m["features"].update(cue_groups=[["hedging"]]),
    "files-a-list": lambda m: m.update(files=["weights.npz"]),
    "cue-weight-nan": lambda m: m["features"].update(cue_weight=float("nan")),
}


@pytest.mark.parametrize("damage", sorted(MANIFEST_DAMAGE))
def test_10_manifests_with_missing_keys_unknown_values_or_wrong_types_are_model_errors(model_copy, damage):
    manifest = _manifest(model_copy)
    MANIFEST_DAMAGE[damage](manifest)
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"manifest\.json"):
        within(1.0, load_model, model_copy)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe{}", b'{"format": ', lambda m: m[:-2] + ', "x": ' + _nested(100_000) + "}"],
    ids=["invalid-utf8", "invalid-json", "deep-nesting"],
)
def test_10_manifests_that_are_not_utf8_json_or_nest_deeply_are_model_errors(model_copy, content):
    path = model_copy / "manifest.json"
    text = path.read_text().rstrip()
    path.write_bytes(content if isinstance(content, bytes) else content(text).encode())
    with pytest.raises(ModelError, match=r"manifest\.json"):
        load_model(model_copy)


def test_10_a_vocabulary_of_non_strings_is_a_model_error(model_copy):
    terms = json.loads((model_copy / "vocabulary.json").read_text())
    _forge(model_copy, "vocabulary.json", json.dumps([1, *terms[1:]]).encode())
    with pytest.raises(ModelError, match=r"vocabulary\.json"):
        load_model(model_copy)


def _weights(model_dir: Path) -> dict[str, np.ndarray]:
    with np.load(model_dir / "weights.npz", allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def _forge_weights(model_dir: Path, **arrays: np.ndarray) -> None:
    from narratives.model import _write_npz

    temporary = model_dir.parent / "forged.npz"
    _write_npz(temporary, **{**_weights(model_dir), **arrays})
    _forge(model_dir, "weights.npz", temporary.read_bytes())


def test_10_an_npy_header_claiming_a_huge_shape_is_refused_before_allocating(model_copy):
    import zipfile

    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (400000, 1000000), }"
    header += b" " * (118 - len(header)) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 64
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("coef", "intercept", "idf"):
            archive.writestr(f"{name}.npy", npy)
    _forge(model_copy, "weights.npz", buffer.getvalue())
    with pytest.raises(ModelError, match=r"weights\.npz"):
        within(1.0, load_model, model_copy)


@pytest.mark.parametrize("broken", ["nan-coef", "inf-intercept", "intercept-shape", "idf-shape"])
def test_11_weights_that_load_but_are_broken_are_refused(model_copy, broken):
    arrays = _weights(model_copy)
    if broken == "nan-coef":
        arrays["coef"][0, 0] = np.nan
    elif broken == "inf-intercept":
        arrays["intercept"][1] = np.inf
    elif broken == "intercept-shape":
        arrays["intercept"] = np.zeros((2, 4))
    else:
        arrays["idf"] = arrays["idf"][:-1]
    _forge_weights(model_copy, **arrays)
    with pytest.raises(ModelError, match=r"NaN|shape"):
        load_model(model_copy)


def test_11_duplicate_vocabulary_terms_are_refused(model_copy):
    terms = json.loads((model_copy / "vocabulary.json").read_text())
    _forge(model_copy, "vocabulary.json", json.dumps([terms[1], *terms[1:]]).encode())
    with pytest.raises(ModelError, match="same term twice"):
        load_model(model_copy)


# -- 12. label files: bad bytes, bad types, deep nesting, FIFOs ------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"doc": "a.txt", "text": "Coup \xff", "label": "opinion"}', "not valid UTF-8"),
        (b'{"doc": "a.txt", "text": "Coup.", "label": ["opinion"]}', "unknown label"),
        (b'{"doc": "a.txt", "text": "Coup.", "label": {"x": 1}}', "unknown label"),
        (_nested(100_000).encode(), "nested too deeply"),
    ],
    ids=["invalid-utf8", "label-a-list", "label-a-dict", "deep-nesting"],
)
def test_12_bad_label_records_are_label_file_errors_with_file_and_line(tmp_path, line, message):
    labels = tmp_path / "labels"
    labels.mkdir()
    good = b'{"doc": "a.txt", "text": "Troops took the palace.", "label": "reported_fact"}'
    (labels / "x.jsonl").write_bytes(good + b"\n" + line + b"\n")
    with pytest.raises(LabelFileError, match=message) as raised:
        load_labels(labels)
    assert f"{labels / 'x.jsonl'}:2:" in str(raised.value)


def test_12_a_fifo_named_like_a_label_file_is_reported_not_waited_for(tmp_path):
    labels = tmp_path / "labels"
    labels.mkdir()
    os.mkfifo(labels / "batch.jsonl")
    with pytest.raises(LabelFileError, match=r"batch\.jsonl: cannot read: not a regular file"):
        within(5, load_labels, labels)


# -- 13. training data too small, checked before any work ---------------------------------------


def _labels_from(folder: Path, records_: list[dict]) -> Path:
    labels = folder / "labels"
    labels.mkdir(parents=True)
    (labels / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records_))
    return labels


def test_13_too_few_documents_or_one_class_are_reported_before_training(tmp_path, capsys):
    three_docs = [
        {"doc": f"d{i}.txt", "text": f"Paragraph {i} {label}.", "label": label}
        for i in range(3)
        for label in ("opinion", "reported_fact")
    ]
    labels = _labels_from(tmp_path / "three", three_docs)
    assert main(["train", "--labels", str(labels), "--out", str(tmp_path / "m"), "--skip-ablation"]) == 1
    err = capsys.readouterr().err
    assert "at least 5 documents" in err and "Traceback" not in err
    assert main(["evaluate", "--labels", str(labels)]) == 1
    assert "at least 5 documents" in capsys.readouterr().err
    one_class = [{"doc": f"d{i}.txt", "text": f"Paragraph {i}.", "label": "opinion"} for i in range(8)]
    labels = _labels_from(tmp_path / "one", one_class)
    assert main(["train", "--labels", str(labels), "--out", str(tmp_path / "m"), "--skip-ablation"]) == 1
    assert "at least two labels" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_13_out_is_checked_before_cross_validation(small_labels, tmp_path, monkeypatch):
    import narratives.train

    def no_cross_validation(*args, **kwargs):
        raise AssertionError("cross-validation ran before --out was checked")

    monkeypatch.setattr(narratives.train, "cross_validate", no_cross_validation)
    bad_out = tmp_path / "file.txt"
    bad_out.write_text("mine")
    assert main(["train", "--labels", str(small_labels), "--out", str(bad_out)]) == 2
    assert bad_out.read_text() == "mine"


# -- 14. encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["base64", "rot13", "hex", "zlib"])
def test_14_codecs_that_are_not_text_encodings_are_usage_errors(encoding, capsys):
    assert main(["classify", "--encoding", encoding, str(SEEDS[0])]) == 2
    assert main(["labels", "suggest", "--encoding", encoding, str(SEEDS[0])]) == 2
    assert "not a text encoding" in capsys.readouterr().err


def test_14_a_file_an_encoding_cannot_decode_to_text_is_reported_and_the_run_continues(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("Soldiers seized the palace.\n\nIt may not last.", encoding="utf-7")
    lone = tmp_path / "lone.txt"
    lone.write_bytes(b"Coup +2AA- in the capital.")  # UTF-7 for a lone surrogate
    output = tmp_path / "out.jsonl"
    assert main(["classify", "--encoding", "utf-7", str(lone), str(good), "-o", str(output)]) == 1
    assert f"{lone}: decoding as utf-7 gives a lone surrogate" in capsys.readouterr().err
    assert [r["text"] for r in records(output.read_text())] == [
        "Soldiers seized the palace.",
        "It may not last.",
    ]


# -- 15. arguments and messages --------------------------------------------------------------------


@pytest.mark.parametrize(("n_jobs", "error"), [(0, ValueError), ("2", TypeError), (2.0, TypeError)])
def test_15_bad_n_jobs_is_our_error_with_the_allowed_values(n_jobs, error):
    with pytest.raises(error, match=r"n_jobs.*-1"):
        classify_many(["Troops took the palace."], n_jobs=n_jobs)


def test_15_unreadable_label_and_model_files_say_cannot_read(tmp_path, model_copy, capsys):
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "folder.jsonl").mkdir()
    assert main(["labels", "check", "--labels", str(labels)]) == 1
    err = capsys.readouterr().err
    assert "cannot read" in err and "cannot write" not in err
    (model_copy / "vocabulary.json").unlink()
    (model_copy / "vocabulary.json").mkdir()
    assert main(["classify", "--model", str(model_copy), str(SEEDS[0])]) == 1
    err = capsys.readouterr().err
    assert "cannot read" in err and "cannot write" not in err


def test_15_an_output_that_is_a_folder_names_the_users_path(tmp_path, capsys):
    folder = tmp_path / "results"
    folder.mkdir()
    assert main(["classify", str(SEEDS[0]), "-o", str(folder)]) in (1, 2)
    err = capsys.readouterr().err
    assert str(folder) in err and ".part" not in err
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_15_an_unreadable_subfolder_is_reported(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.txt").write_text("Troops took the palace.")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text("It may fail.")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["classify", "--format", "jsonl", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"{locked}: cannot read folder: Permission denied" in captured.err
    assert [Path(r["file"]).name for r in records(captured.out)] == ["a.txt"]


def test_15_sigterm_leaves_no_part_file(tmp_path):
    script = shutil.which("narratives", path=str(Path(sys.executable).parent))
    big = tmp_path / "big.txt"
    text = "\n\n".join(read_document(seed) for seed in SEEDS)
    big.write_text("\n\n".join([text] * 200), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [script, "classify", str(big), "-o", str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".out.jsonl.*.part")) and time.monotonic() < deadline:
            assert process.poll() is None, "finished before it could be interrupted; make the input bigger"
            time.sleep(0.05)
        assert list(tmp_path.glob(".out.jsonl.*.part"))
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 143
    finally:
        process.kill()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]


# -- 16. memory follows the largest file, not its paragraph objects --------------------------------


def _peak_kib(*arguments: str) -> int:
    """Peak resident memory (KiB) of ``narratives classify`` over ``arguments``, in a fresh process.

    Read from ``VmHWM`` of the process's own memory map: ``ru_maxrss`` can carry over the
    parent's size from before ``exec``, which would hide the figure being tested.
    """
    script = (
        "import sys\n"
        "from narratives.cli import main\n"
        "code = main(['classify', *sys.argv[1:]])\n"
        "assert code == 0, code\n"
        "status = open('/proc/self/status').read()\n"
        "print(status.split('VmHWM:')[1].split()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=True, timeout=300
    )
    return int(done.stdout.split()[-1])


#: What featurising one step costs whatever the file's size: 4,096 paragraphs, or one
#: paragraph of MAX_JUDGED_CHARACTERS (a million characters' tokens and bigrams).
FIXED_KIB = 48 * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(("shape", "bound"), [("paragraphs", 3), ("one-line", 7)])
def test_16_peak_memory_is_a_small_multiple_of_the_file(tmp_path, shape, bound):
    seeds = "\n\n".join(read_document(seed) for seed in SEEDS)
    one_line = " ".join([" ".join(seeds.split())] * 260)  # about 8 MB, no line break
    text = one_line if shape == "one-line" else "\n\n".join([seeds] * 960)  # or 30 MB, 128,000 paragraphs
    big = tmp_path / "big.txt"
    big.write_text(text, encoding="utf-8")
    size_kib = big.stat().st_size // 1024
    # The baseline reads the same words once, so both runs load the same modules (a new word
    # that may belong to a cue family imports nltk, a fixed cost that does not grow with the file).
    small = tmp_path / "small.txt"
    small.write_text(seeds, encoding="utf-8")
    baseline = _peak_kib(str(small), "-o", str(tmp_path / "small.jsonl"))
    peak = _peak_kib(str(big), "-o", str(tmp_path / "big.jsonl"))
    assert peak - baseline <= bound * size_kib + FIXED_KIB, (peak, baseline, size_kib)
