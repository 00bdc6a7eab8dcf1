"""The public API: article text in, labelled paragraphs out, one article or a corpus.

Data flows one way: texts are grouped into batches, each batch is split, featurised
in one call and scored (in this process or in joblib workers), and the parent turns
the compact per-batch result back into :class:`ClassifiedParagraph` objects, in
input order.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from narratives.documents import describe_read_error
from narratives.labels import Label
from narratives.model import Model, load_model
from narratives.paragraphs import paragraph_spans

if TYPE_CHECKING:
    from narratives.html import HtmlBlock, HtmlPage

__all__ = [
    "ClassifiedParagraph",
    "FileResult",
    "classify",
    "classify_files",
    "classify_html",
    "classify_many",
    "iter_classify",
]

#: How input texts are read: ``"text"`` as plain text, ``"html"`` as web pages,
#: ``"auto"`` as pages when they look like HTML (:func:`narratives.html.looks_like_html`).
InputFormat = Literal["text", "html", "auto"]
INPUT_FORMATS = ("text", "html", "auto")

#: Lines of text per batch (a line count bounds the paragraph count from above):
#: big enough that per-call overhead vanishes, small enough to keep memory flat.
DEFAULT_BATCH_SIZE = 2048
#: A batch also closes at ``batch_size`` times this many characters, so text with very
#: long lines (or no newlines) cannot make a batch unbounded.
CHARACTERS_PER_LINE = 256
#: Fewer batches than this are classified in this process whatever ``n_jobs`` says.
MIN_PARALLEL_BATCHES = 2
#: Batches read ahead per parallel worker: enough to keep workers busy between windows.
WINDOW_PER_WORKER = 16
#: A paragraph longer than this is judged (features and page context) on its first this
#: many characters: real paragraphs are a few thousand characters, and featurising one
#: 40 MB "paragraph" (a file with no line breaks) whole would take gigabytes of tokens.
#: The paragraph's text and offsets in the results are still complete.
MAX_JUDGED_CHARACTERS = 1_000_000
#: Paragraphs featurised, scored or turned into objects per step inside a batch (the
#: featuriser's own chunk size): what keeps one huge document from being copied whole.
CHUNK = 4096


@dataclass(frozen=True, slots=True)
class ClassifiedParagraph:
    """A :class:`Paragraph` with its label, the label's probability and all four probabilities."""

    text: str
    start: int
    end: int
    index: int
    label: Label
    confidence: float
    probabilities: Mapping[Label, float]
    #: For a paragraph read from HTML, the block it came from and what the markup says
    #: about it (tag, heading level, link density, page zones); ``None`` for plain text.
    block: HtmlBlock | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; labels as their string values; ``tag`` for paragraphs from HTML."""
        row = {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "label": self.label.value,
            "confidence": self.confidence,
            "probabilities": {label.value: p for label, p in self.probabilities.items()},
            "text": self.text,
        }
        if self.block is not None:
            row["tag"] = self.block.tag
        return row


@dataclass(frozen=True, slots=True)
class FileResult:
    """One input file of :func:`classify_files`: its paragraphs, or why it failed."""

    path: str
    paragraphs: list[ClassifiedParagraph] | None
    error: str | None = None
    #: The page's ``<title>`` when the file was read as HTML.
    title: str | None = None
    #: Warnings met while reading it (e.g. a page whose bytes fit no declared charset).
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def classify(text: str, *, model: Model | None = None) -> list[ClassifiedParagraph]:
    """Split ``text`` into paragraphs and label each one.

    Each paragraph is judged by the model alone, then revised by the model's learned
    page-context stage (runs of other headlines, the page's own headline); see
    :mod:`narratives.context`.

    >>> [p.label.value for p in classify("Troops seized the palace on Monday.")]  # doctest: +SKIP
    ['reported_fact']

    Empty or whitespace-only text gives ``[]``; anything but a ``str`` raises ``TypeError``.
    """
    if not isinstance(text, str):
        raise TypeError(_type_message(text))
    model = model or load_model()
    return _assemble([text], _score_batch([text], model), model.classes_)[0]


def classify_html(
    html: str | bytes, *, url: str | None = None, model: Model | None = None
) -> list[ClassifiedParagraph]:
    """Read a web page and label each of its blocks (paragraphs, headings, list items, captions ...).

    Needs the ``html`` extra (``pip install 'narratives[html]'``). Bytes are decoded by
    the page's declared charset; what a reader never sees (scripts, styles, hidden
    elements) is dropped and every visible word lands in exactly one paragraph.
    Offsets are into the page's extracted text (the blocks joined by blank lines), and
    each paragraph carries its ``block``: the markup facts the model's structure stage
    used. A page with no text gives ``[]``.
    """
    from narratives.html import read_html

    page = read_html(html, url=url)
    model = model or load_model()
    return _assemble([page], _score_batch([page], model), model.classes_)[0]


def classify_many(
    texts: Iterable[str],
    *,
    model: Model | None = None,
    n_jobs: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    input_format: InputFormat = "text",
) -> list[list[ClassifiedParagraph]]:
    """Classify many documents; equal to ``[classify(t) for t in texts]`` for any ``n_jobs``.

    With ``input_format="html"`` every text (``str`` or ``bytes``) is a web page, read
    as :func:`classify_html` reads it; with ``"auto"``, those that look like HTML are.
    See :func:`iter_classify` for batching and parallelism. If reading ``texts`` fails,
    the error is raised with a note saying how many texts were classified before it;
    use :func:`iter_classify` to keep those results.
    """
    results: list[list[ClassifiedParagraph]] = []
    try:
        results.extend(
            iter_classify(texts, model=model, n_jobs=n_jobs, batch_size=batch_size, input_format=input_format)
        )
    except Exception as error:
        error.add_note(
            f"classify_many: {len(results)} texts were classified before this error; "
            "iter_classify() delivers them before raising"
        )
        raise
    return results


def iter_classify(
    texts: Iterable[str],
    *,
    model: Model | None = None,
    n_jobs: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    input_format: InputFormat = "text",
) -> Iterator[list[ClassifiedParagraph]]:
    """Yield ``classify(text)`` for each text of any iterable, in input order.

    ``input_format`` is ``"text"``, ``"html"`` (each text, ``str`` or ``bytes``, is a web
    page, labelled as :func:`classify_html` labels it) or ``"auto"`` (pages where they
    look like HTML, plain text otherwise).

    Texts are read lazily, in the caller's thread, and grouped into batches of about
    ``batch_size`` lines (or 256 times as many characters); each batch is split,
    featurised in one call and scored. With ``n_jobs`` other
    than ``None`` or 1 (or inside ``joblib.parallel_config``, e.g. the Dask backend)
    batches run in ``joblib.Parallel`` workers, a window of a few batches per worker at
    a time, so memory is bounded by the batch size, not the corpus size. A model loaded from
    a directory travels to workers as a reference and is loaded once per worker.

    If the input raises (a file that cannot be read, a cursor that drops its connection,
    an item that is not a ``str``), every text read before the failure is still
    classified and yielded, in order, and then the error is raised, so a consumer loses
    nothing that was computed. ``n_jobs`` is ``None``, a positive int, or a negative int
    counting back from the number of cores (-1: every core).
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError("expected an iterable of texts, got a single text; use classify()")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    _check_n_jobs(n_jobs)
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input_format must be one of {', '.join(INPUT_FORMATS)}, got {input_format!r}")
    return _iterate(texts, model or load_model(), n_jobs, batch_size, input_format)


def _check_n_jobs(n_jobs: object) -> None:
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)):
        raise TypeError(
            f"n_jobs must be None or an int (1: one process, 2: two, -1: every core), got {n_jobs!r}"
        )
    if n_jobs == 0:
        raise ValueError(
            "n_jobs must not be 0: use None or 1 for one process, 2 or more, or -1 for every core"
        )


def classify_files(
    paths: Iterable[str | Path],
    *,
    model: Model | None = None,
    n_jobs: int | None = None,
    encoding: str = "utf-8",
    batch_size: int = DEFAULT_BATCH_SIZE,
    input_format: InputFormat = "auto",
) -> Iterator[FileResult]:
    """Classify article files, one :class:`FileResult` per path, in order.

    A file that cannot be read (missing, unreadable, not valid ``encoding``, binary,
    empty, a page with no visible text) gives a result with ``error`` set to the
    reason; the others are still classified. ``"-"`` reads standard input. With
    ``input_format="auto"`` (the default) ``*.html`` / ``*.htm`` files and inputs that
    look like HTML are read as web pages (:func:`classify_html`), and their results
    carry the page ``title``.
    """
    from narratives.documents import read_input

    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input_format must be one of {', '.join(INPUT_FORMATS)}, got {input_format!r}")
    failures: dict[int, str] = {}
    titles: dict[int, str | None] = {}
    noted: dict[int, tuple[str, ...]] = {}
    names: list[str] = []

    def readable_documents() -> Iterator[str | HtmlPage]:
        for number, path in enumerate(paths):
            names.append(str(path))
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    document = read_input(path, encoding, input_format)
            except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
                failures[number] = describe_read_error(error)
                continue
            if caught:
                noted[number] = tuple(str(warning.message) for warning in caught)
            if not isinstance(document, str):
                titles[number] = document.title
            yield document

    results = iter_classify(readable_documents(), model=model, n_jobs=n_jobs, batch_size=batch_size)
    done = 0
    for paragraphs in results:
        while done in failures:
            yield FileResult(names[done], None, failures.pop(done))
            done += 1
        yield FileResult(names[done], paragraphs, title=titles.pop(done, None), warnings=noted.pop(done, ()))
        done += 1
    while done < len(names):
        yield FileResult(names[done], None, failures.pop(done))
        done += 1


# -- internals -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BatchScores:
    """What a worker sends back: spans, paragraph counts and probabilities, no text."""

    spans: np.ndarray  # (n, 2) start and end of every paragraph of the batch
    counts: np.ndarray  # paragraphs per document
    probabilities: np.ndarray  # (n, len(classes)), revised by page context


def _iterate(
    texts: Iterable[str],
    model: Model,
    n_jobs: int | None,
    batch_size: int,
    input_format: InputFormat = "text",
) -> Iterator[list[ClassifiedParagraph]]:
    batches = _batches(texts, batch_size, input_format)
    if not _runs_serially(n_jobs):
        # Input of one batch runs here: starting workers costs more than the batch (seconds
        # against milliseconds), and one batch cannot be shared between workers anyway.
        first, failure = _take(batches, MIN_PARALLEL_BATCHES)
        if len(first) >= MIN_PARALLEL_BATCHES:
            yield from _iterate_parallel(chain(first, batches), model, n_jobs)
            return
        for batch in first:
            yield from _assemble(batch, _score_batch(batch, model), model.classes_)
        if failure is not None:
            raise failure
        return
    for batch in batches:  # _batches yields the texts read before a failure, then raises
        yield from _assemble(batch, _score_batch(batch, model), model.classes_)


def _iterate_parallel(
    batches: Iterator[list[str]], model: Model, n_jobs: int | None
) -> Iterator[list[ClassifiedParagraph]]:
    from joblib import Parallel, delayed, effective_n_jobs

    # The input is read here, in the caller's thread, a window of batches at a time:
    # joblib would otherwise pull it from its own dispatch thread (on Dask, the client's
    # event loop), which breaks inputs such as database cursors bound to one thread.
    window = WINDOW_PER_WORKER * max(effective_n_jobs(n_jobs), 1)
    with Parallel(n_jobs=n_jobs, return_as="generator", batch_size=1, pre_dispatch="all") as parallel:
        while True:
            chunk, failure = _take(batches, window)
            if not chunk and failure is None:
                return
            scored = parallel(delayed(_score_batch)(batch, model) for batch in chunk)
            try:
                for batch, scores in zip(chunk, scored):
                    yield from _assemble(batch, scores, model.classes_)
            finally:
                # A consumer that stops early lets the (bounded) window finish rather
                # than cancelling tasks mid-flight, which upsets joblib's executor.
                for _ in scored:
                    pass
            if failure is not None:
                raise failure


def _take(batches: Iterator[list[str]], count: int) -> tuple[list[list[str]], Exception | None]:
    """Up to ``count`` batches, and the error that stopped the input early (the batches before it kept)."""
    chunk: list[list[str]] = []
    try:
        chunk.extend(islice(batches, count))
    except Exception as error:
        return chunk, error
    return chunk, None


def _runs_serially(n_jobs: int | None) -> bool:
    """One process unless ``n_jobs`` or an active ``joblib.parallel_config`` asks for more."""
    from joblib import effective_n_jobs

    return effective_n_jobs(n_jobs) == 1


def _batches(
    texts: Iterable[str], batch_size: int, input_format: InputFormat = "text"
) -> Iterator[list[str | HtmlPage]]:
    """Consecutive documents, closed at ``batch_size`` lines or ``CHARACTERS_PER_LINE`` times as many characters.

    HTML pages are read here, in the caller's thread; a page counts one line per block.
    """
    batch: list[str | HtmlPage] = []
    lines = characters = 0
    failure: Exception | None = None
    try:
        for text in texts:
            document = _read(text, input_format)
            batch.append(document)
            if isinstance(document, str):
                lines += document.count("\n") + 1
                characters += len(document)
            else:
                lines += len(document.blocks) + 1
                characters += len(document.text)
            if lines >= batch_size or characters >= batch_size * CHARACTERS_PER_LINE:
                yield batch
                batch, lines, characters = [], 0, 0
    except Exception as error:  # the input failed: what was read before it is still classified
        failure = error
    if batch:
        yield batch
    if failure is not None:
        raise failure


def _read(text: object, input_format: InputFormat) -> str | HtmlPage:
    """One input as a document: the text itself, or the page read from its HTML."""
    if input_format == "text" and isinstance(text, str):  # the common case imports nothing
        return text
    from narratives.html import HtmlPage, decode_html, looks_like_html, read_html

    if isinstance(text, HtmlPage):  # read already (classify_files reads files by name)
        return text
    if input_format == "text":
        if not isinstance(text, str):
            raise TypeError(_type_message(text))
        return text
    if not isinstance(text, (str, bytes, bytearray)):
        raise TypeError(f"expected a text or page as str or bytes, got {type(text).__name__}")
    if input_format == "auto":
        decoded = text if isinstance(text, str) else decode_html(bytes(text))
        return read_html(decoded) if looks_like_html(decoded) else decoded
    return read_html(text)


class _Judged(Sequence[str]):
    """A batch's paragraph texts as the model judges them, sliced from the documents on demand.

    Holding offsets instead of copies keeps the batch's text in memory once, however
    large one document is; each paragraph is cut to ``MAX_JUDGED_CHARACTERS``.
    """

    def __init__(self, texts: list[str], spans: np.ndarray, counts: np.ndarray) -> None:
        self.texts, self.spans = texts, spans
        self.owners = np.repeat(np.arange(len(texts)), counts)

    def __len__(self) -> int:
        return len(self.owners)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            owners = self.owners[start:stop].tolist()
            starts, ends = self.spans[start:stop].T.tolist() if stop > start else ([], [])
            texts = self.texts
            return [
                texts[owner][begin : min(end, begin + MAX_JUDGED_CHARACTERS)]
                for owner, begin, end in zip(owners, starts, ends)
            ]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self[index : index + 1][0]

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), CHUNK):
            yield from self[start : start + CHUNK]


def _score_batch(documents: list[str | HtmlPage], model: Model) -> _BatchScores:
    """Split, featurise (a chunk of paragraphs at a time) and score one batch; runs in workers too."""
    texts = [_text_of(document) for document in documents]
    spans_of = [
        paragraph_spans(document)
        if isinstance(document, str)
        else [(b.start, b.end) for b in document.blocks]
        for document in documents
    ]
    counts = np.fromiter(map(len, spans_of), dtype=np.int64, count=len(texts))
    spans = np.array([span for spans in spans_of for span in spans], dtype=np.int64).reshape(-1, 2)
    del spans_of  # a list of tuples costs several times the array
    judged = _Judged(texts, spans, counts)
    if not len(judged):
        return _BatchScores(spans, counts, np.zeros((0, len(model.classes_))))
    # An ordinary batch is cut into a list once (the context stage reads paragraphs by
    # index); only a batch larger than one chunk stays a view, to keep memory flat.
    paragraphs: Sequence[str] = judged[0 : len(judged)] if len(judged) <= CHUNK else judged
    probabilities = np.concatenate(
        [
            model.predict_proba_features(model.features(paragraphs[start : start + CHUNK]))
            for start in range(0, len(paragraphs), CHUNK)
        ]
    )
    if all(isinstance(document, str) for document in documents):
        probabilities = model.revise(probabilities, paragraphs, counts.tolist())
    else:
        probabilities = _revise_mixed(documents, paragraphs, counts, probabilities, model)
    return _BatchScores(spans, counts, probabilities)


def _text_of(document: str | HtmlPage) -> str:
    return document if isinstance(document, str) else document.text


def _revise_mixed(
    documents: list[str | HtmlPage],
    paragraphs: Sequence[str],
    counts: np.ndarray,
    probabilities: np.ndarray,
    model: Model,
) -> np.ndarray:
    """Page context for plain texts, the structure stage for HTML pages, each on its own rows."""
    from narratives.structure import structure_facts

    revised = probabilities.copy()
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int)
    is_page = np.fromiter((not isinstance(d, str) for d in documents), dtype=bool, count=len(documents))
    for page_kind in (False, True):
        chosen = np.flatnonzero((is_page == page_kind) & (counts > 0))
        if not len(chosen):
            continue
        rows = np.concatenate([np.arange(starts[i], starts[i] + counts[i]) for i in chosen])
        texts = [paragraphs[i] for i in rows.tolist()]
        sizes = counts[chosen].tolist()
        if page_kind:
            facts = np.vstack([structure_facts(documents[i].blocks, documents[i].title) for i in chosen])
            revised[rows] = model.revise_blocks(probabilities[rows], texts, facts, sizes)
        else:
            revised[rows] = model.revise(probabilities[rows], texts, sizes)
    return revised


def _assemble(
    documents: list[str | HtmlPage], scores: _BatchScores, classes: tuple[Label, ...]
) -> list[list[ClassifiedParagraph]]:
    """Turn one batch's compact scores back into paragraphs, document by document.

    This runs in the parent process for every paragraph, so it is written as whole-batch
    column operations and ``map`` over them rather than a Python loop per field.
    """
    labels, confidences, mappings = _columns(scores.probabilities, classes)
    starts, ends = scores.spans.T.tolist() if len(labels) else ([], [])
    results = []
    offset = 0
    for document, count in zip(documents, scores.counts.tolist()):
        window = slice(offset, offset + count)
        paragraphs = _paragraphs(
            _text_of(document),
            starts[window],
            ends[window],
            range(count),
            *(labels[window], confidences[window], mappings[window]),
        )
        if not isinstance(document, str):
            paragraphs = [_with_block(p, block) for p, block in zip(paragraphs, document.blocks)]
        results.append(paragraphs)
        offset += count
    return results


_FIELDS = ("text", "start", "end", "index", "label", "confidence", "probabilities", "block")


def _with_block(paragraph: ClassifiedParagraph, block: HtmlBlock) -> ClassifiedParagraph:
    return ClassifiedParagraph(*(getattr(paragraph, name) for name in _FIELDS[:-1]), block)


def _columns(
    probabilities: np.ndarray, classes: tuple[Label, ...]
) -> tuple[list[Label], list[float], list[dict]]:
    """Each row's label, confidence and label-to-probability dict, as whole-column operations."""
    best = probabilities.argmax(axis=1)
    labels = [classes[i] for i in best.tolist()]
    confidences = probabilities[np.arange(len(best)), best].tolist()
    mappings = list(map(dict, map(zip, repeat(classes), probabilities.tolist())))
    return labels, confidences, mappings


def _paragraphs(
    text: str,
    starts: list[int],
    ends: list[int],
    indices: range,
    labels: list[Label],
    confidences: list[float],
    mappings: list[dict],
) -> list[ClassifiedParagraph]:
    texts = [text[start:end] for start, end in zip(starts, ends)]
    return list(map(ClassifiedParagraph, texts, starts, ends, indices, labels, confidences, mappings))


class StreamedDocument:
    """``classify(text)`` as a stream: the labels up front, the paragraphs built a chunk at a time.

    What the command line uses so that a huge file never has all its
    :class:`ClassifiedParagraph` objects in memory at once; iterating gives exactly the
    paragraphs :func:`classify` returns.
    """

    def __init__(self, text: str, model: Model) -> None:
        scores = _score_batch([text], model)
        self.text, self.classes = text, model.classes_
        self._spans, self._probabilities = scores.spans, scores.probabilities
        self.labels = [self.classes[i] for i in self._probabilities.argmax(axis=1).tolist()]

    def __len__(self) -> int:
        return len(self.labels)

    def __iter__(self) -> Iterator[ClassifiedParagraph]:
        for start in range(0, len(self), CHUNK):
            stop = min(start + CHUNK, len(self))
            starts, ends = self._spans[start:stop].T.tolist()
            columns = _columns(self._probabilities[start:stop], self.classes)
            yield from _paragraphs(self.text, starts, ends, range(start, stop), *columns)


def _type_message(value: object) -> str:
    hint = "; decode bytes first, e.g. data.decode('utf-8')" if isinstance(value, (bytes, bytearray)) else ""
    return f"expected article text as str, got {type(value).__name__}{hint}"
