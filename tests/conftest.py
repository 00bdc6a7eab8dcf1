"""Fixtures shared by more than one test module."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_labels(tmp_path):
    """A labels folder with batch a only (18 documents): enough to train and cross-validate quickly."""
    labels = tmp_path / "labels"
    labels.mkdir()
    shutil.copy(ROOT / "labels" / "corpus_a.jsonl", labels)
    shutil.copytree(ROOT / "labels" / "corpus", labels / "corpus", ignore=shutil.ignore_patterns("[b-z]*"))
    return labels
