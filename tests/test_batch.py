"""Corpus-scale classification: parallel, on Dask, streamed with flat memory, file by file."""

import itertools
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from narratives import ModelError, classify, classify_files, classify_many, iter_classify, load_model
from narratives.model import DEFAULT_MODEL_DIR
from narratives.training import fit_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def documents() -> list[str]:
    """Real seeds, corpus documents, and awkward ones: empty, blank, one huge paragraph."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "labels" / "corpus").glob("*.txt"))[:40]
    ]
    return [*texts[:3], "", "   \n\n  ", "word " * 5000, *texts[3:]]


def fingerprint(results):
    """Everything a result says, in comparable form."""
    return [
        [
            (p.index, p.start, p.end, p.text, p.label, p.confidence, tuple(p.probabilities.items()))
            for p in doc
        ]
        for doc in results
    ]


def test_parallel_equals_serial_for_any_batch_size(documents):
    serial = fingerprint(classify(text) for text in documents)
    assert fingerprint(classify_many(documents, n_jobs=1)) == serial
    assert fingerprint(classify_many(documents, n_jobs=2, batch_size=50)) == serial
    assert fingerprint(classify_many(iter(documents), n_jobs=2)) == serial
    assert sum(len(doc) for doc in serial) > 500


def test_dask_local_cluster_gives_the_serial_results(documents):
    distributed = pytest.importorskip("dask.distributed")
    from joblib import parallel_config

    serial = fingerprint(classify_many(documents))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        parallel_config(backend="dask"),
    ):
        on_dask = fingerprint(classify_many(documents, batch_size=100))
        workers_used = client.run(lambda: sys.modules.get("narratives.model") is not None)
    assert on_dask == serial
    assert len(workers_used) == 2 and all(workers_used.values())  # both workers did the work


def test_a_loaded_model_travels_as_a_reference_and_loads_once_per_process():
    model = load_model()
    payload = pickle.dumps(model)
    assert len(payload) < 1_000  # the weights are megabytes; the reference is not
    assert pickle.loads(payload) is model
    copy_dir = load_model(DEFAULT_MODEL_DIR)
    assert pickle.loads(pickle.dumps(copy_dir)) is pickle.loads(pickle.dumps(copy_dir))


def test_a_reference_to_a_changed_model_directory_is_refused(tmp_path):
    import shutil

    shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    payload = pickle.dumps(load_model(tmp_path / "model"))
    forged = payload.replace(load_model(tmp_path / "model").origin[1].encode(), b"0" * 64)
    with pytest.raises(ModelError, match="changed after the model was loaded"):
        pickle.loads(forged)


def test_an_unsaved_model_is_shipped_whole_and_still_agrees(documents):
    from narratives import load_labels

    examples = load_labels(ROOT / "labels")[::5]
    model = fit_model(examples)
    assert model.origin is None
    assert len(pickle.dumps(model)) > 10_000
    texts = documents[:8]
    assert fingerprint(classify_many(texts, model=model, n_jobs=2, batch_size=20)) == fingerprint(
        classify(t, model=model) for t in texts
    )


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_iter_classify_reads_its_input_lazily(n_jobs):
    pulled = itertools.count()

    def endless():
        for i in itertools.count():
            next(pulled)
            yield f"Soldiers entered the capital on day {i}.\n\nIt may not last."

    first = list(itertools.islice(iter_classify(endless(), n_jobs=n_jobs, batch_size=10), 30))
    assert len(first) == 30 and all(len(doc) == 2 for doc in first)
    assert next(pulled) < 200  # a few batches of read-ahead, not the whole (endless) input


def test_iter_classify_checks_arguments_before_reading():
    with pytest.raises(ValueError, match="batch_size"):
        iter_classify(["x"], batch_size=0)
    with pytest.raises(TypeError, match="single text"):
        iter_classify("one article")
    with pytest.raises(TypeError, match="bytes"):
        list(iter_classify(["fine", b"raw bytes"]))


def test_streaming_memory_does_not_grow_with_the_corpus():
    script = textwrap.dedent(
        """
        import resource, sys
        from narratives import iter_classify
        n = int(sys.argv[1])
        texts = (f"Army units took the radio station, item {i}.\\n\\nA deal may follow.\\n\\nSubscribe now"
                 for i in range(n))
        labelled = sum(len(doc) for doc in iter_classify(texts))
        assert labelled == 3 * n, labelled
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )
    peaks = {}
    for n in (10_000, 50_000):
        run = subprocess.run(
            [sys.executable, "-c", script, str(n)], capture_output=True, text=True, check=True, timeout=300
        )
        peaks[n] = int(run.stdout.split()[-1])
    assert abs(peaks[50_000] - peaks[10_000]) <= 0.10 * peaks[10_000], peaks


def test_classify_files_reports_failures_in_place_and_classifies_the_rest(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Troops seized the palace.\n\nThe coup may fail.", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Le coup d'\u00e9tat".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"PK\x00\x03\x00")
    missing = tmp_path / "missing.txt"
    paths = [missing, good, latin, empty, good, binary, tmp_path]
    results = list(classify_files(paths, n_jobs=2))
    assert [r.path for r in results] == [str(p) for p in paths]
    assert [r.ok for r in results] == [False, True, False, False, True, False, False]
    expected = classify(good.read_text(encoding="utf-8"))
    assert results[1].paragraphs == expected and results[4].paragraphs == expected
    reasons = [r.error for r in results if not r.ok]
    assert "No such file" in reasons[0]
    assert "not valid utf-8" in reasons[1] and "--encoding" in reasons[1]
    assert "empty" in reasons[2] and "binary" in reasons[3] and "folder" in reasons[4]
    assert [r.ok for r in classify_files([latin], encoding="latin-1")] == [True]
    for n_jobs in (1, 2):  # one document per batch: failures fall between batches
        again = list(classify_files(paths, n_jobs=n_jobs, batch_size=1))
        assert [(r.path, r.ok, r.error) for r in again] == [(r.path, r.ok, r.error) for r in results]
        assert again[1].paragraphs == expected


def test_parallel_input_is_read_in_the_callers_thread():
    import threading

    readers = set()

    def texts():
        for i in range(300):
            readers.add(threading.get_ident())
            yield f"Troops moved on day {i}.\n\nTalks may resume."

    assert len(classify_many(texts(), n_jobs=2, batch_size=10)) == 300
    assert readers == {threading.get_ident()}


def test_the_shipped_model_is_referred_to_without_a_path_and_copies_are_detached():
    import copy

    model = load_model()
    assert str(DEFAULT_MODEL_DIR).encode() not in pickle.dumps(model)
    clone = copy.deepcopy(model)
    assert clone is not model and clone.origin is None
    assert clone.predict(["Troops seized the palace."]) == model.predict(["Troops seized the palace."])
    assert len(pickle.dumps(clone)) > 10_000


def test_a_saved_model_travels_as_a_reference(tmp_path):
    from narratives import load_labels

    model = fit_model(load_labels(ROOT / "labels")[::7])
    model.save(tmp_path / "m", manifest_extra={}, card="test model")
    payload = pickle.dumps(model)
    assert len(payload) < 1_000
    assert pickle.loads(payload).predict(["It may fail."]) == model.predict(["It may fail."])


def test_small_input_stays_in_this_process_whatever_n_jobs_says(monkeypatch):
    """Five short texts are one batch: starting workers would cost seconds for milliseconds of work."""
    import joblib

    from narratives import classify, classify_many

    texts = ["Troops seized the palace.", "It may not last.\n\nA shameful coup."] * 2 + ["Subscribe"]

    def no_workers(*args, **kwargs):
        raise AssertionError("workers were started for a single batch")

    monkeypatch.setattr(joblib, "Parallel", no_workers)
    assert classify_many(texts, n_jobs=2) == [classify(t) for t in texts]
