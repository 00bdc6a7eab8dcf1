"""Guards on the hand-written training corpus: size, balance, whole documents, no near-duplicates."""

import re
from collections import Counter
from pathlib import Path

import pytest

from narratives import Label, load_labels

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "labels" / "corpus"
MIN_DOCUMENTS = 150
MIN_PARAGRAPHS = 1500
MIN_PER_LABEL = 300
MIN_PARAGRAPHS_PER_DOCUMENT = 4
#: Two paragraphs sharing this many consecutive words means copying or a template.
SHARED_RUN = 8
WORD = re.compile(r"\w+(?:['’]\w+)*")


@pytest.fixture(scope="module")
def examples():
    return load_labels(ROOT / "labels")


@pytest.fixture(scope="module")
def corpus(examples):
    return [e for e in examples if (CORPUS_DIR / e.doc).is_file()]


def test_corpus_size_and_balance(corpus):
    assert len({e.doc for e in corpus}) >= MIN_DOCUMENTS
    assert len(corpus) >= MIN_PARAGRAPHS
    counts = Counter(e.label for e in corpus)
    assert {label: counts[label] for label in Label} == {
        label: n for label, n in counts.items() if n >= MIN_PER_LABEL
    }, counts


def test_every_corpus_document_is_whole(corpus):
    per_doc = Counter(e.doc for e in corpus)
    short = {doc: n for doc, n in per_doc.items() if n < MIN_PARAGRAPHS_PER_DOCUMENT}
    assert not short
    assert {path.name for path in CORPUS_DIR.glob("*.txt")} == set(per_doc)


def shared_runs(texts: list[tuple[str, str]], n: int = SHARED_RUN) -> list[tuple[str, str, str]]:
    """Pairs of paragraphs (by source) that share a run of ``n`` identical words."""
    owners: dict[tuple[str, ...], str] = {}
    found = []
    for source, text in texts:
        words = [w.lower() for w in WORD.findall(text)]
        seen_here: set[tuple[str, ...]] = set()
        for i in range(len(words) - n + 1):
            run = tuple(words[i : i + n])
            if run in seen_here:
                continue
            seen_here.add(run)
            if run in owners and owners[run] != source:
                found.append((owners[run], source, " ".join(run)))
            owners.setdefault(run, source)
    return found


def test_shared_run_detector_catches_a_near_duplicate():
    a = "Soldiers loyal to the general seized the state broadcaster before dawn on Monday."
    b = "Reports say soldiers loyal to the general seized the state broadcaster yesterday."
    assert shared_runs([("a", a), ("b", b)])
    assert not shared_runs([("a", a), ("b", "Soldiers loyal to the general took the radio station.")])


def test_no_near_duplicates_in_corpus_or_with_seeds(examples, corpus):
    # The seeds are real pages and repeat themselves (a disclaimer printed twice); only
    # clashes that involve a corpus paragraph count.
    in_corpus = {e.source for e in corpus}
    clashes = shared_runs([(e.source, e.text) for e in examples])
    assert [c for c in clashes if c[0] in in_corpus or c[1] in in_corpus] == []
