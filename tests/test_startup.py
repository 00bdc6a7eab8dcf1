"""What importing and classifying pulls in: heavy modules only where they are needed.

Timings are the benchmark harness's business (``python -m benchmarks.startup``); these
tests check the causes instead, in a fresh interpreter each.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("nltk", "sklearn", "scipy.stats", "numpy", "scipy")


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_narratives_loads_no_numerical_library():
    loaded = _modules_after("import narratives")
    assert not loaded & set(HEAVY)


def test_public_names_still_import():
    import narratives

    for name in narratives.__all__:
        assert getattr(narratives, name) is not None
    assert set(narratives.__all__) <= set(dir(narratives))


def test_classifying_with_the_shipped_model_needs_neither_nltk_nor_scikit_learn_nor_scipy():
    sample = ROOT / "examples" / "demo_article.txt"
    loaded = _modules_after(
        "import narratives\n"
        f"narratives.classify(open({str(sample)!r}, encoding='utf-8').read())\n"
        "narratives.classify('Soldiers denied the claims.')"
    )
    assert "nltk" not in loaded and "sklearn" not in loaded and "scipy" not in loaded


def test_the_cli_classifies_a_file_without_nltk_scikit_learn_or_scipy():
    sample = ROOT / "examples" / "demo_article.txt"
    loaded = _modules_after(
        f"from narratives.cli import main\nassert main(['classify', {str(sample)!r}, '-o', '/dev/null']) == 0"
    )
    assert "nltk" not in loaded and "sklearn" not in loaded
    assert "scipy" not in loaded  # its sparse module alone was a third of a one-file call


def test_a_word_the_model_never_saw_is_still_stemmed_into_its_family():
    from narratives import load_model

    model = load_model()
    names = list(model.feature_names())
    column = names.index("cue:hedge_words")
    # "speculatively" is in no training text; only the stemmer links it to "speculate".
    assert "speculatively" not in model.featurizer.vocabulary_
    with_word = model.transform(["The colonel speculatively named a date."])[0, column]
    without = model.transform(["The colonel calmly named a date."])[0, column]
    assert with_word > without
