"""The trained classifier and its model directory: plain arrays and JSON, never pickles.

A model directory holds::

    manifest.json   format, versions, labels, feature config, metrics, sha256 of every file
    weights.npz     coef, intercept, idf (loaded with allow_pickle=False)
    vocabulary.json TF-IDF terms in column order
    MODEL_CARD.md   data, metrics and limits, for people

Loading reads and checks the manifest before touching any other file, reads only the
files it lists, each a plain file checked for size and checksum before it is parsed
(:mod:`narratives.model_files`), validates shapes and values, and rebuilds the model
from arrays, so no code in the files can run and the model works under any supported
scikit-learn version. Saving writes a temporary sibling folder and swaps it in, and
never writes into a folder that holds anything but a model.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from narratives.context import CONTEXT_FEATURES, ContextStage, softmax
from narratives.cues import remember_stems
from narratives.errors import ModelError, OutputError
from narratives.labels import Label
from narratives.model_files import (
    FILE_LIMITS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    load_arrays,
    parse_stems,
    parse_vocabulary,
    read_listed,
    read_manifest,
)
from narratives.safe_io import replace_directory
from narratives.structure import STRUCTURE_FEATURES, StructureStage

__all__ = ["DEFAULT_MODEL_DIR", "FORMAT", "FORMAT_VERSION", "Model", "check_model_destination", "load_model"]

DEFAULT_MODEL_DIR = Path(str(resources.files("narratives") / "default_model"))
_LABEL_RANK = {label: rank for rank, label in enumerate(Label)}


class Model:
    """A fitted featuriser plus multinomial logistic-regression weights.

    ``predict_proba`` is the softmax of ``features @ coef.T + intercept``: exactly
    what scikit-learn's ``LogisticRegression`` computes, rebuilt from plain arrays.
    Labels are kept in :class:`Label` order (reported_fact, speculation, opinion,
    boilerplate), the order of ``classes_``, every probability array, JSON, CSV and the
    report, whatever order they were given in (scikit-learn sorts them alphabetically):
    ``coef``, ``intercept`` and the ``context`` stage (whose classes and probability
    inputs follow ``classes``) are reordered to match.

    >>> load_model()  # doctest: +SKIP
    Model(labels=[reported_fact, speculation, opinion, boilerplate], 31,912 terms + 19 cues, context stage, shipped)
    """

    def __init__(
        self,
        featurizer: Any,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence[Label],
        manifest: dict[str, Any] | None = None,
        context: ContextStage | None = None,
        structure: StructureStage | None = None,
    ) -> None:
        # A scikit-learn ParagraphFeaturizer is kept as its fitted state, which needs no scikit-learn.
        self.featurizer = featurizer.fitted() if hasattr(featurizer, "fitted") else featurizer
        given = [Label(c) for c in classes]
        order = sorted(range(len(given)), key=lambda i: _LABEL_RANK[given[i]])
        self.coef_ = np.asarray(coef, dtype=np.float64)[order]
        self.intercept_ = np.asarray(intercept, dtype=np.float64)[order]
        self.classes_ = tuple(given[i] for i in order)
        self.manifest = manifest or {}
        #: The learned page-context stage :func:`narratives.classify` applies (None: none).
        self.context = None if context is None else context.reordered(order)
        #: The learned stage that revises HTML blocks by their markup (None: HTML pages
        #: get the page-context stage, as plain text does).
        self.structure = None if structure is None else structure.reordered(order)
        self._coef_t = np.ascontiguousarray(self.coef_.T)  # features @ _coef_t: the scores
        self._feature_names: np.ndarray | None = None
        #: Where a loaded or saved model lives: (directory, digest of its checksums);
        #: the directory is None for the model shipped in the package.
        self.origin: tuple[str | None, str] | None = None

    def __repr__(self) -> str:
        labels = ", ".join(label.value for label in self.classes_)
        n_terms = len(self.featurizer.vocabulary_)
        n_cues = self.coef_.shape[1] - n_terms
        where = "unsaved" if self.origin is None else (self.origin[0] or "shipped")
        context = ", context stage" if self.context is not None else ""
        context += ", structure stage" if self.structure is not None else ""
        return f"Model(labels=[{labels}], {n_terms:,} terms + {n_cues} cues{context}, {where})"

    def __reduce_ex__(self, protocol: Any) -> Any:
        """A loaded or saved model pickles as a reference to its directory, a few hundred bytes.

        Parallel workers (joblib, Dask) then load it from disk once per process
        instead of receiving the weights with every batch; the checksums make sure
        they load the same model. The shipped model is referred to as "the shipped
        model", so workers find it wherever narratives is installed. Treat a loaded
        model as read-only; a model never saved pickles in full.
        """
        if self.origin is None:
            return super().__reduce_ex__(protocol)
        return _load_shared, self.origin

    def __deepcopy__(self, memo: dict[int, Any]) -> Model:
        """A real copy, detached from its directory (copies may be changed)."""
        clone = Model.__new__(Model)
        memo[id(self)] = clone
        for name, value in vars(self).items():
            setattr(clone, name, copy.deepcopy(value, memo))
        clone.origin = None
        return clone

    def transform(self, texts: Sequence[str]) -> Any:
        """Featurise paragraph texts (one call per batch) into a scipy CSR matrix."""
        return self.featurizer.transform(texts)

    def features(self, texts: Sequence[str]) -> Any:
        """The features of :meth:`transform` as numpy arrays (:class:`~narratives.featurize.SparseRows`).

        What classifying uses: scoring them needs numpy alone, where a scipy matrix
        would cost importing scipy's sparse module (a third of a one-file CLI call).
        A featuriser without ``rows`` gives its ``transform``.
        """
        rows = getattr(self.featurizer, "rows", None)
        return self.featurizer.transform(texts) if rows is None else rows(texts)

    def predict_proba_features(self, features: Any) -> np.ndarray:
        """Class probabilities from precomputed features, columns in ``classes_`` order.

        ``features``: :meth:`features` (scored with numpy) or :meth:`transform` (scipy).
        """
        scores = features @ self._coef_t + self.intercept_
        return softmax(scores)

    def revise(
        self, probabilities: np.ndarray, texts: Sequence[str], document_sizes: Sequence[int] | None = None
    ) -> np.ndarray:
        """Probabilities of paragraphs in page order, revised by the context stage (if the model has one)."""
        if self.context is None:
            return probabilities
        return self.context.revise(probabilities, texts, document_sizes)

    def revise_blocks(
        self,
        probabilities: np.ndarray,
        texts: Sequence[str],
        facts: np.ndarray,
        document_sizes: Sequence[int],
    ) -> np.ndarray:
        """Probabilities of HTML blocks in page order, revised by the structure stage (if any).

        ``facts`` are :func:`narratives.structure.structure_facts` of the blocks. A model
        without a structure stage revises them as plain-text paragraphs.
        """
        if self.structure is None:
            return self.revise(probabilities, texts, document_sizes)
        return self.structure.revise(probabilities, texts, facts, document_sizes)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities of every label for each paragraph text; rows sum to 1."""
        return self.predict_proba_features(self.features(_as_texts(texts)))

    def predict(self, texts: Sequence[str]) -> list[Label]:
        """The most probable label of each paragraph text."""
        probabilities = self.predict_proba(texts)
        return [self.classes_[i] for i in probabilities.argmax(axis=1)]

    def explain(self, text: str, k: int = 10, *, label: Label | str | None = None) -> list[tuple[str, float]]:
        """The ``k`` features that pushed ``text`` most towards ``label`` (default: its predicted label).

        A feature's push is its value times its weight for the label minus its mean
        weight over all labels (softmax ignores what all labels share), so the pushes
        plus the intercepts add up exactly to the label's centred score. Pass the label
        :func:`classify` gave when page context changed it, to explain that label.

        >>> load_model().explain("Shots were reportedly fired near the palace.", k=3)  # doctest: +SKIP
        [('cue:hedge_words', 0.71), ('reportedly', 0.52), ('shots', 0.21)]
        """
        if not isinstance(text, str):
            raise TypeError(f"explain expects one paragraph str, got {type(text).__name__}")
        features = self.features([text])
        if label is None:
            target = int(self.predict_proba_features(features).argmax())
        else:
            target = self.classes_.index(Label(label))
        centred = self.coef_[target] - self.coef_.mean(axis=0)
        pushes = features.data * centred[features.indices]
        order = np.argsort(-pushes, kind="stable")[:k]
        names = self.feature_names()
        return [(str(names[features.indices[i]]), float(pushes[i])) for i in order]

    def explain_words(
        self, text: str, k: int = 5, *, label: Label | str | None = None
    ) -> list[tuple[str, float]]:
        """What in ``text`` itself pushed it towards ``label``: its words, phrases and named cues.

        The same pushes as :meth:`explain`, made readable for an analyst: terms made only
        of function words ("the", "than that") are left out (they carry the label's
        base rate, not this paragraph's reasons), and a cue is named by its group with
        the paragraph's own words that fired it.

        >>> load_model().explain_words("The coup may well fail, and it is shameful.", k=3)  # doctest: +SKIP
        [('hedge: "may"', 0.9), ('verdict: "shameful"', 0.7), ('"coup may"', 0.2)]
        """
        from narratives.cues import describe_cue, is_function_term

        readable = []
        for name, push in self.explain(text, k=len(self.feature_names()), label=label):
            if push <= 0 or len(readable) == k:
                break
            if name.startswith("cue:"):
                readable.append((describe_cue(name[4:], text), push))
            elif not is_function_term(name):
                readable.append((f'"{name}"', push))
        return readable

    def feature_names(self) -> np.ndarray:
        if self._feature_names is None:
            self._feature_names = self.featurizer.get_feature_names_out()
        return self._feature_names

    # -- persistence -------------------------------------------------------------------

    def save(
        self, directory: str | Path, *, manifest_extra: dict[str, Any] | None = None, card: str | None = None
    ) -> Path:
        """Write the model directory (see module docstring) and swap it in; returns its path.

        ``manifest_extra`` adds entries to the manifest (``narratives train`` adds its
        data and metrics) and ``card`` is the model card; without them the manifest holds
        what the model itself knows and the card says how it was made.

        >>> model.save("my-model/")  # doctest: +SKIP
        PosixPath('my-model')

        Raises :class:`OutputError` when ``directory`` exists and holds anything but a
        narratives model; a failure while writing leaves any earlier model untouched.
        """
        directory = Path(directory)
        check_model_destination(directory)
        manifest_extra = {} if manifest_extra is None else manifest_extra
        card = _plain_card(self) if card is None else card
        manifest: dict[str, Any] = {}
        replace_directory(directory, lambda fresh: manifest.update(self._write(fresh, manifest_extra, card)))
        self.manifest = manifest
        self.origin = _origin(directory, manifest)
        return directory

    def _write(self, directory: Path, manifest_extra: dict[str, Any], card: str) -> dict[str, Any]:
        from narratives.cues import lexicon_fingerprint

        featurizer = self.featurizer
        terms = sorted(featurizer.vocabulary_, key=featurizer.vocabulary_.__getitem__)
        context = (
            {}
            if self.context is None
            else {"context_coef": self.context.coef, "context_intercept": self.context.intercept}
        )
        if self.structure is not None:
            if self.context is None:
                raise ValueError("a model with a structure stage needs a context stage too")
            context |= {
                "structure_coef": self.structure.coef,
                "structure_intercept": self.structure.intercept,
            }
        _write_npz(
            directory / "weights.npz",
            coef=self.coef_,
            intercept=self.intercept_,
            idf=featurizer.idf_,
            **context,
        )
        (directory / "vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
        (directory / "stems.json").write_text(
            json.dumps(stems_to_store(terms), ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        (directory / "MODEL_CARD.md").write_text(card, encoding="utf-8")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labels": [label.value for label in self.classes_],
            "features": {
                "ngram_range": [1, 2],
                "min_df": featurizer.min_df,
                "sublinear_tf": featurizer.sublinear_tf,
                "cue_groups": list(featurizer.cue_groups),
                "cue_weight": featurizer.cue_weight,
                "lexicon_fingerprint": lexicon_fingerprint(),
            },
            "context": None
            if self.context is None
            else {
                "features": list(CONTEXT_FEATURES),
                **(
                    {}
                    if self.context.headline_boilerplate is None
                    else {"headline_boilerplate": self.context.headline_boilerplate}
                ),
            },
            "structure": None
            if self.structure is None
            else {
                "features": list(STRUCTURE_FEATURES),
                "headline_boilerplate": self.structure.headline_boilerplate,
            },
            **manifest_extra,
            "files": {
                name: {"sha256": _sha256(directory / name), "size": (directory / name).stat().st_size}
                for name in ("weights.npz", "vocabulary.json", "stems.json", "MODEL_CARD.md")
            },
        }
        (directory / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return manifest


def stems_to_store(terms: Sequence[str]) -> dict[str, str]:
    """Snowball stems of every word of ``terms``, the cue phrases and the lexicon families that needs one.

    Stored in the model directory as ``stems.json``, so classifying with the model
    does not import nltk (over a second) unless a text holds a word the model has
    never seen that could belong to a lexicon family.
    """
    from narratives.cues import _stem, family_words, needs_stem, phrase_words

    words = {word for term in terms for word in term.split(" ")} | phrase_words() | family_words()
    return {word: _stem(word) for word in sorted(words) if needs_stem(word) or word in family_words()}


def _plain_card(model: Model) -> str:
    labels = ", ".join(label.value for label in model.classes_)
    return (
        "# narratives model\n\n"
        f"Saved with `Model.save` by narratives: labels {labels}; "
        f"{len(model.featurizer.vocabulary_):,} TF-IDF terms; cue groups "
        f"{', '.join(model.featurizer.cue_groups) or 'none'}; "
        f"{'with' if model.context is not None else 'without'} a page-context stage.\n\n"
        "No training data or metrics were recorded: `narratives train` writes those.\n"
    )


def check_model_destination(directory: str | Path) -> None:
    """Refuse (:class:`OutputError`) to write a model where it would replace anything but a model.

    A new or empty folder is fine, and so is a narratives model directory holding only
    its own files; anything else is a user's folder, which saving would destroy.
    """
    directory = Path(directory)
    if not os.path.lexists(directory):
        return
    if not directory.is_dir():
        raise OutputError(f"cannot write the model to {directory}: it exists and is not a folder")
    names = sorted(os.listdir(directory))
    if not names:
        return
    foreign = [name for name in names if name != MANIFEST and name not in FILE_LIMITS]
    if foreign or not _looks_like_model(directory / MANIFEST):
        shown = ", ".join(foreign[:5]) or MANIFEST
        raise OutputError(
            f"refusing to write the model into {directory}: it is not a narratives model directory "
            f"(it holds {shown}{', ...' if len(foreign) > 5 else ''}). Choose a new or empty folder."
        )


def _looks_like_model(manifest: Path) -> bool:
    """Is ``manifest`` a (perhaps outdated or damaged) narratives manifest we may replace?"""
    from narratives.safe_io import read_regular

    try:
        return (
            json.loads(read_regular(manifest, limit=1024 * 1024, follow_symlinks=False)).get("format")
            == FORMAT
        )
    except (OSError, ValueError, AttributeError, RecursionError):
        return False


def _as_texts(texts: Sequence[str]) -> Sequence[str]:
    if isinstance(texts, str):
        raise TypeError("expected a sequence of paragraph texts, got a single str; wrap it in a list")
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"paragraph texts must be str, got {type(text).__name__}")
    return texts


def _write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write an ``.npz`` byte for byte the same for the same arrays.

    ``np.savez`` stamps the current time into the zip, so retraining would change the
    checksum of identical weights; a fixed timestamp keeps the shipped model's diff honest.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_default_model: Model | None = None
_default_lock = threading.Lock()
_shared: dict[tuple[str, str], Model] = {}


def load_model(path: str | Path | None = None) -> Model:
    """Load a model directory, or the shipped default when ``path`` is None.

    The default is loaded once, on first use, and shared. Raises :class:`ModelError`
    for a missing directory, an unknown format, a checksum mismatch, or files that
    are not plain arrays.
    """
    global _default_model
    if path is not None:
        return _load(Path(path))
    with _default_lock:
        if _default_model is None:
            _default_model = _load(DEFAULT_MODEL_DIR)
        return _default_model


def _load_shared(directory: str | None, digest: str) -> Model:
    """The model a pickled reference points to, loaded once per process."""
    key = (directory, digest)
    if directory is None:
        model = load_model()
        if model.origin != key:
            raise ModelError(
                "the shipped model here differs from the one the work was sent with; "
                "install the same narratives version on every worker"
            )
        return model
    with _default_lock:
        if key not in _shared:
            model = _load(Path(directory))
            if model.origin != key:
                raise ModelError(
                    f"{directory} changed after the model was loaded for parallel work; "
                    "load it again so every worker uses the same model"
                )
            _shared[key] = model
        return _shared[key]


def _origin(directory: Path, manifest: dict[str, Any]) -> tuple[str | None, str]:
    digest = hashlib.sha256(json.dumps(manifest["files"], sort_keys=True).encode()).hexdigest()
    resolved = directory.resolve()
    return (None if resolved == DEFAULT_MODEL_DIR.resolve() else str(resolved)), digest


def _load(directory: Path) -> Model:
    manifest = read_manifest(directory)
    data = {name: read_listed(directory, manifest, name) for name in manifest["files"]}
    arrays = load_arrays(data["weights.npz"], directory / "weights.npz")
    terms = parse_vocabulary(data["vocabulary.json"], directory / "vocabulary.json")
    stems = parse_stems(data["stems.json"], directory / "stems.json") if "stems.json" in data else None
    if stems is not None and directory.resolve() == DEFAULT_MODEL_DIR.resolve():
        remember_stems(stems)  # trusted: it ships in the package; other models use theirs alone
    has_context = "context_coef" in arrays
    if has_context != (manifest.get("context") is not None):
        raise ModelError(
            f"{directory}: the manifest and weights.npz disagree on whether the model has a context stage; "
            "retrain the model."
        )
    column = (
        manifest["labels"].index(Label.BOILERPLATE.value)
        if Label.BOILERPLATE.value in manifest["labels"]
        else -1
    )
    context = None
    if has_context:
        share = _headline_share(manifest["context"], "context", directory, required=False)
        context = ContextStage(arrays["context_coef"], arrays["context_intercept"], share, column)
    has_structure = "structure_coef" in arrays
    if has_structure != (manifest.get("structure") is not None):
        raise ModelError(
            f"{directory}: the manifest and weights.npz disagree on whether the model has a structure stage; "
            "retrain the model."
        )
    structure = None
    if has_structure:
        share = _headline_share(manifest["structure"], "structure", directory, required=True)
        structure = StructureStage(arrays["structure_coef"], arrays["structure_intercept"], share, column)
    return _assemble(
        manifest,
        arrays["coef"],
        arrays["intercept"],
        arrays["idf"],
        terms,
        directory,
        context,
        stems,
        structure,
    )


def _assemble(
    manifest: dict[str, Any],
    coef: np.ndarray,
    intercept: np.ndarray,
    idf: np.ndarray,
    terms: list[str],
    directory: Path,
    context: ContextStage | None = None,
    stems: dict[str, str] | None = None,
    structure: StructureStage | None = None,
) -> Model:
    from narratives.cues import lexicon_fingerprint
    from narratives.featurize import FittedFeaturizer

    config = manifest["features"]
    if config["lexicon_fingerprint"] != lexicon_fingerprint():
        raise ModelError(
            f"{directory} was trained with other cue lexicons than this narratives has; "
            "retrain it with `narratives train` so features and weights agree."
        )
    labels = manifest["labels"]
    expected = (len(labels), len(terms) + _n_cues(config["cue_groups"]))
    if coef.shape != expected or intercept.shape != (len(labels),) or idf.shape != (len(terms),):
        raise ModelError(
            f"{directory}: weight shapes (coef {coef.shape}, intercept {intercept.shape}, idf {idf.shape}) "
            f"do not match {len(labels)} labels and {len(terms)} terms; retrain the model."
        )
    for name, array in (("coef", coef), ("intercept", intercept), ("idf", idf)):
        if not np.isfinite(array).all():
            raise ModelError(
                f"{directory}: weights.npz {name} holds NaN or infinite values; retrain the model."
            )
    if context is not None:
        if (
            manifest["context"]["features"] != list(CONTEXT_FEATURES)
            or context.coef.shape != (len(labels), len(CONTEXT_FEATURES))
            or context.intercept.shape != (len(labels),)
        ):
            raise ModelError(
                f"{directory}: the context stage does not match this narratives' context features; retrain it"
            )
        if not (np.isfinite(context.coef).all() and np.isfinite(context.intercept).all()):
            raise ModelError(
                f"{directory}: weights.npz context stage holds NaN or infinite values; retrain it"
            )
    if structure is not None:
        _check_stage(
            directory, "structure", manifest["structure"]["features"], STRUCTURE_FEATURES, structure, labels
        )
    featurizer = FittedFeaturizer(
        vocabulary={term: i for i, term in enumerate(terms)},
        idf=idf,
        min_df=config["min_df"],
        sublinear_tf=config["sublinear_tf"],
        cue_groups=tuple(config["cue_groups"]),
        cue_weight=config["cue_weight"],
        stems=stems,
    )
    model = Model(featurizer, coef, intercept, labels, manifest, context, structure)
    model.origin = _origin(directory, manifest)
    return model


def _headline_share(stage: dict[str, Any], name: str, directory: Path, *, required: bool) -> float | None:
    """A stage's learned own-headline boilerplate share from the manifest (older context stages have none)."""
    share = stage.get("headline_boilerplate")
    if share is None and not required:
        return None
    if isinstance(share, bool) or not isinstance(share, float) or not 0.0 < share < 1.0:
        raise ModelError(f"{directory}: manifest {name}.headline_boilerplate must be a number in (0, 1)")
    return share


def _check_stage(
    directory: Path,
    name: str,
    listed: list[str],
    expected: Sequence[str],
    stage: StructureStage,
    labels: list,
) -> None:
    """Refuse a revision stage whose features or arrays do not fit this narratives."""
    if (
        listed != list(expected)
        or stage.coef.shape != (len(labels), len(expected))
        or stage.intercept.shape != (len(labels),)
    ):
        raise ModelError(
            f"{directory}: the {name} stage does not match this narratives' {name} features; retrain it"
        )
    if not (np.isfinite(stage.coef).all() and np.isfinite(stage.intercept).all()):
        raise ModelError(f"{directory}: weights.npz {name} stage holds NaN or infinite values; retrain it")


def _n_cues(groups: list[str]) -> int:
    from narratives.cues import cue_names

    return len(cue_names(groups))
