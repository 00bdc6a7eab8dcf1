"""A fitted featuriser: paragraph texts -> TF-IDF word 1-2 grams plus cue features.

This is what a loaded model runs, with numpy alone: importing scikit-learn costs about a
second and scipy's sparse module a third of one, and classifying needs neither (fitting
does; see :class:`narratives.features.ParagraphFeaturizer`). :meth:`FittedFeaturizer.rows`
gives the features as plain CSR arrays (:class:`SparseRows`), which the model scores with
numpy; ``transform`` wraps the same arrays in a scipy matrix for callers who want one.
Both hold the TF-IDF values scikit-learn's ``TfidfVectorizer`` would, computed with
array operations instead of a Python loop over every n-gram: each token is looked up
once in a table of known tokens, bigrams are matched as pairs of token ids in a hash
table, and the same lookups count the cue lexicons. That is what makes featurisation plus cues
faster than a plain ``TfidfVectorizer`` (see ``python -m benchmarks.run``); a test
checks the values agree with scikit-learn's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import TYPE_CHECKING

import numpy as np

from narratives.cues import (
    CUE_GROUPS,
    LEXICONS,
    PHRASES,
    TOKEN_PATTERN,
    CueBatch,
    cue_matrix,
    cue_names,
    lexicon_hits,
    lexicon_table,
    phrase_words,
)

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["CHUNK", "FittedFeaturizer", "SparseRows", "as_texts", "tokenize"]

#: Paragraphs featurised per internal step: large enough to amortise the per-call
#: work, small enough that the batch's tokens stay a few megabytes.
CHUNK = 4096


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens: letters and digits, with inner apostrophes and hyphens."""
    return TOKEN_PATTERN.findall(text.lower())


def unigrams_bigrams(tokens: list[str]) -> list[str]:
    """The terms of a token list: its tokens, then each adjacent pair joined by a space."""
    return [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))]  # noqa: RUF007 (hot path)


class _TokenTable:
    """Every token the vocabulary or the cue phrases know, with its unigram column and lexicons.

    Token pairs are looked up in :class:`_PairTable`s, a whole batch of ``(left, right)``
    pairs at once.
    """

    def __init__(self, vocabulary: dict[str, int], stems: dict[str, str] | None = None) -> None:
        # One pass over the vocabulary (a model has tens of thousands of terms, and this
        # runs in the first classify of every process): token ids, unigram columns, bigram pairs.
        tokens: dict[str, int] = {}
        token_id = tokens.setdefault
        unigram_ids, unigram_columns, lefts, rights, bigram_columns = [], [], [], [], []
        for term, column in vocabulary.items():
            first, space, second = term.partition(" ")
            left = token_id(first, len(tokens))
            if space:
                lefts.append(left)
                rights.append(token_id(second, len(tokens)))
                bigram_columns.append(column + 1)
            else:
                unigram_ids.append(left)
                unigram_columns.append(column)
        for word in sorted(phrase_words()):
            token_id(word, len(tokens))
        self.ids = tokens
        # One extra row at the end: index -1 (an unknown token) reads "no column", "no lexicon".
        self.unigram_column = np.full(len(tokens) + 1, -1, dtype=np.int64)
        self.unigram_column[unigram_ids] = unigram_columns
        #: Which lexicons each known token belongs to (0/1), and whether it is in any.
        self.lexicons = np.zeros((len(tokens) + 1, len(LEXICONS)))
        self.lexicons[:-1] = lexicon_table(tokens, stems)
        self.in_lexicon = self.lexicons.any(axis=1)
        #: Bigram column + 1 at ``(left id, right id)`` (0: not in the vocabulary).
        self.bigram_columns = _PairTable(lefts, rights, bigram_columns, len(tokens))
        #: Bit ``g`` set at ``(left id, right id)`` when the pair is a phrase of ``PHRASES`` group ``g``.
        phrases = [
            (phrase.split(" "), 1 << g) for g, group in enumerate(PHRASES.values()) for phrase in set(group)
        ]
        self.phrase_bits = _PairTable(
            [tokens[left] for (left, _), _ in phrases],
            [tokens[right] for (_, right), _ in phrases],
            [bit for _, bit in phrases],
            len(tokens),
        )


class _PairTable:
    """Integer values at ``(left id, right id)`` token pairs, 0 elsewhere: an open-addressing hash table.

    A pair is the key ``left * n_tokens + right``; values given for the same pair are
    summed (for phrase bits, distinct within a group, that is an OR). A hash table in
    numpy arrays, probed for a whole batch at once, rather than a binary search over
    sorted keys: on the bigram pairs of 20k paragraphs ``np.searchsorted`` took 50 ms,
    scipy's sparse lookup (used before) 20 ms, this table 16 ms.
    """

    _EMPTY = -1
    #: Slots per key at least: at a quarter full, most lookups end at their first slot.
    _SPREAD = 4

    def __init__(self, lefts: Sequence[int], rights: Sequence[int], values: Sequence[int], n_tokens: int):
        self.n_tokens = n_tokens
        keys = np.asarray(lefts, dtype=np.int64) * n_tokens + np.asarray(rights, dtype=np.int64)
        keys, inverse = np.unique(keys, return_inverse=True)
        summed = np.zeros(len(keys), dtype=np.int64)
        np.add.at(summed, inverse, np.asarray(values, dtype=np.int64))
        #: Whether a token id is the left of any pair, for a table of fewer pairs than tokens
        #: (the cue phrases): most pairs of a text then need no probe. For the bigram
        #: vocabulary nearly every frequent token is a left, and the filter costs more than it saves.
        self.is_left = None
        if len(keys) < n_tokens:
            self.is_left = np.zeros(n_tokens, dtype=bool)
            self.is_left[keys // n_tokens] = True
        self.bits = max(4, int(len(keys) * self._SPREAD).bit_length())
        self.keys = np.full(1 << self.bits, self._EMPTY, dtype=np.int64)
        self.values = np.zeros(1 << self.bits, dtype=np.int64)
        pending, slots = np.arange(len(keys)), self._home(keys)
        while len(pending):  # linear probing, one round per step for every key still unplaced
            free = self.keys[slots] == self._EMPTY
            taken, first = np.unique(slots[free], return_index=True)  # one key per free slot
            placed = np.flatnonzero(free)[first]
            self.keys[taken], self.values[taken] = keys[pending[placed]], summed[pending[placed]]
            left = np.ones(len(pending), dtype=bool)
            left[placed] = False
            pending, slots = pending[left], (slots[left] + 1) & (len(self.keys) - 1)

    def _home(self, keys: np.ndarray) -> np.ndarray:
        """Each key's first slot: Fibonacci hashing (the top bits of key times 2^64 / golden ratio)."""
        mixed = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return (mixed >> np.uint64(64 - self.bits)).astype(np.int64)

    def look_up(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Each pair's value (0 where the table has none)."""
        if self.is_left is None:
            return self._probe(left * self.n_tokens + right)
        found = np.zeros(len(left), dtype=np.int64)
        asked = np.flatnonzero(self.is_left[left])
        found[asked] = self._probe(left[asked] * self.n_tokens + right[asked])
        return found

    def _probe(self, wanted: np.ndarray) -> np.ndarray:
        slots = self._home(wanted)
        stored = self.keys[slots]
        found = np.where(stored == wanted, self.values[slots], 0)
        pending = np.flatnonzero((stored != wanted) & (stored != self._EMPTY))
        slots = slots[pending]
        while len(pending):  # the few keys whose first slot held another key probe on
            slots = (slots + 1) & (len(self.keys) - 1)
            stored = self.keys[slots]
            hit = stored == wanted[pending]
            found[pending[hit]] = self.values[slots[hit]]
            going_on = ~hit & (stored != self._EMPTY)
            pending, slots = pending[going_on], slots[going_on]
        return found


class _Pairs:
    """Adjacent known tokens inside one paragraph: left and right ids and their paragraph."""

    def __init__(self, ids: np.ndarray, owner: np.ndarray) -> None:
        left, right = ids[:-1], ids[1:]
        valid = (owner[:-1] == owner[1:]) & (left >= 0) & (right >= 0)
        self.left, self.right, self.owner = left[valid], right[valid], owner[:-1][valid]

    def look_up(self, table: _PairTable) -> np.ndarray:
        """Each pair's value in ``table`` (0 where it has none)."""
        return table.look_up(self.left, self.right)


@dataclass(frozen=True)
class SparseRows:
    """Feature rows in CSR layout as plain numpy arrays: what scoring needs, without scipy.

    Row ``i`` holds the values ``data[indptr[i]:indptr[i + 1]]`` at the columns
    ``indices[indptr[i]:indptr[i + 1]]`` (sorted within the row), as a scipy CSR matrix
    does; ``rows @ dense`` multiplies with numpy and ``rows.tocsr()`` is the scipy matrix.

    >>> model = load_model()  # doctest: +SKIP
    >>> model.featurizer.rows(["Troops seized the palace."]) @ model.coef_.T  # doctest: +SKIP
    array([[ 1.93, -0.41, -1.22, -0.3 ]])
    """

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_entries(
        cls, data: np.ndarray, columns: np.ndarray, rows: np.ndarray, shape: tuple[int, int]
    ) -> SparseRows:
        """From entries already in row order (columns sorted within each row).

        Column numbers are stored as int32 (as scipy stores them): half the memory of int64.
        """
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
        return cls(data, columns.astype(np.int32), indptr, shape)

    @classmethod
    def stack(cls, parts: Sequence[SparseRows]) -> SparseRows:
        """The rows of ``parts`` one after another, as ``scipy.sparse.vstack`` of CSR matrices."""
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0, *(len(part.data) for part in parts[:-1])])
        indptr = np.concatenate([[0], *(part.indptr[1:] + offset for part, offset in zip(parts, offsets))])
        return cls(
            np.concatenate([part.data for part in parts]),
            np.concatenate([part.indices for part in parts]),
            indptr,
            (sum(part.shape[0] for part in parts), parts[0].shape[1]),
        )

    def __matmul__(self, dense: np.ndarray) -> np.ndarray:
        """``rows @ dense`` as a dense array, each cell summed entry by entry in row order, as scipy does.

        One ``bincount`` per column of ``dense`` (a model has four): the same products
        added in the same order as scipy's sparse product, so the same floats. Rows go
        ``CHUNK`` at a time, so the temporaries stay a few megabytes for any input.
        """
        columns = np.asarray(dense).T
        out = np.empty((self.shape[0], len(columns)))
        for first in range(0, self.shape[0], CHUNK):
            pointers = self.indptr[first : first + CHUNK + 1]
            entries = slice(pointers[0], pointers[-1])
            n_rows = len(pointers) - 1
            owner = np.repeat(np.arange(n_rows), np.diff(pointers))
            indices, data = self.indices[entries], self.data[entries]
            for k, column in enumerate(columns):
                out[first : first + n_rows, k] = np.bincount(
                    owner, weights=column.take(indices) * data, minlength=n_rows
                )
        return out

    def tocsr(self) -> sp.csr_matrix:
        """The same rows as a scipy CSR matrix (imports scipy)."""
        import scipy.sparse as sp

        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)


def as_texts(texts: Iterable[str]) -> Sequence[str]:
    """``texts`` as a sequence of paragraph strings; any iterable is accepted (a generator is read once).

    A bare ``str`` is a ``ValueError`` (it would be read as one paragraph per
    character) and ``None`` or a non-iterable a ``TypeError``, as scikit-learn's text
    vectorizers do.
    """
    if isinstance(texts, str):
        raise ValueError("expected an iterable of paragraph texts, got a single str; wrap it in a list")
    if texts is None or not isinstance(texts, Iterable):
        raise TypeError(f"expected an iterable of paragraph texts, got {type(texts).__name__}")
    return texts if isinstance(texts, Sequence) else list(texts)


class FittedFeaturizer:
    """The fitted state of a :class:`~narratives.features.ParagraphFeaturizer`, and its ``transform``.

    A model holds one of these: the same attributes
    (``min_df``, ``sublinear_tf``, ``cue_groups``, ``cue_weight``, ``vocabulary_``,
    ``idf_``) and the same output, without importing scikit-learn.
    """

    def __init__(
        self,
        *,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        min_df: int,
        sublinear_tf: bool,
        cue_groups: Sequence[str],
        cue_weight: float,
        stems: dict[str, str] | None = None,
    ) -> None:
        unknown = set(cue_groups) - set(CUE_GROUPS)
        if unknown:
            raise ValueError(f"unknown cue groups {sorted(unknown)}; known: {list(CUE_GROUPS)}")
        self.vocabulary_ = vocabulary
        self.idf_ = np.asarray(idf, dtype=np.float64)
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.cue_groups = tuple(cue_groups)
        self.cue_weight = cue_weight
        #: Stored Snowball stems of the vocabulary's words that need one (a model's ``stems.json``).
        self.stems = stems
        self._table: _TokenTable | None = None  # built on first use

    def __repr__(self) -> str:
        return (
            f"FittedFeaturizer({len(self.vocabulary_):,} terms, cue_groups={list(self.cue_groups)}, "
            f"min_df={self.min_df}, sublinear_tf={self.sublinear_tf}, cue_weight={self.cue_weight})"
        )

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Feature matrix of shape ``(len(texts), n_features)``, TF-IDF columns first (scipy CSR).

        The arrays of :meth:`rows` in a scipy matrix; scipy is imported here, not to classify.
        """
        return self.rows(texts).tocsr()

    def rows(self, texts: Iterable[str]) -> SparseRows:
        """The features of :meth:`transform` as plain CSR arrays, computed with numpy alone.

        Long inputs are featurised ``CHUNK`` paragraphs at a time: the vectorised path
        holds every token of a call at once, so chunking keeps memory flat.
        """
        texts = as_texts(texts)
        if len(texts) > CHUNK:
            texts = list(texts)
            return SparseRows.stack([self._rows(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)])
        return self._rows(texts)

    def _rows(self, texts: Sequence[str]) -> SparseRows:
        table = self._token_table()
        lowered = [text.lower() for text in texts]
        token_lists = [TOKEN_PATTERN.findall(text) for text in lowered]
        n_tokens = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(texts))
        flat = list(chain.from_iterable(token_lists))
        ids = np.fromiter(map(table.ids.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        owner = np.repeat(np.arange(len(texts)), n_tokens)
        pairs = _Pairs(ids, owner)
        n = len(texts)
        data, columns, rows = self._tfidf(table, ids, owner, pairs, n)
        if not self.cue_groups:
            return SparseRows.from_entries(data, columns, rows, (n, len(self.vocabulary_)))
        lexicon_counts = self._lexicon_counts(table, flat, ids, owner, len(texts))
        phrase_bits = pairs.look_up(table.phrase_bits)
        phrase_counts = {}
        for g, name in enumerate(PHRASES):
            in_group = (phrase_bits >> g) & 1 == 1
            phrase_counts[name] = np.bincount(pairs.owner[in_group], minlength=len(texts)).astype(np.float64)
        batch = CueBatch(texts, lowered, n_tokens, lexicon_counts, phrase_counts)
        cues = cue_matrix(batch, self.cue_groups) * self.cue_weight
        # The cue columns follow the TF-IDF columns; their non-zero entries are appended to
        # each row directly (what ``sp.hstack`` gives, without its format conversions).
        cue_rows, cue_columns = np.nonzero(cues)
        rows = np.concatenate([rows, cue_rows])
        order = np.argsort(rows, kind="stable")  # each row: its words, then its cues
        return SparseRows.from_entries(
            np.concatenate([data, cues[cue_rows, cue_columns]])[order],
            np.concatenate([columns, cue_columns + len(self.vocabulary_)])[order],
            rows[order],
            (n, len(self.vocabulary_) + cues.shape[1]),
        )

    def _token_table(self) -> _TokenTable:
        if self._table is None:
            self._table = _TokenTable(self.vocabulary_, self.stems)
        return self._table

    def _tfidf(
        self, table: _TokenTable, ids: np.ndarray, owner: np.ndarray, pairs: _Pairs, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """TF-IDF entries as ``(values, columns, rows)``, in row order, columns sorted within a row."""
        unigram = table.unigram_column[ids]
        known = unigram >= 0
        rows, columns = [owner[known]], [unigram[known]]
        bigram = pairs.look_up(table.bigram_columns) - 1
        found = bigram >= 0
        rows.append(pairs.owner[found])
        columns.append(bigram[found])
        width = len(self.vocabulary_)
        # Each (row, column) as one number: sorting and counting them gives the summed
        # counts in canonical CSR order, as scipy's ``sum_duplicates`` would.
        cells, counts = np.unique(np.concatenate(rows) * width + np.concatenate(columns), return_counts=True)
        entry_rows = cells // width
        entry_columns = cells - entry_rows * width
        data = counts.astype(np.float64)
        if self.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        data *= self.idf_[entry_columns]
        # L2-normalise rows as sklearn's ``normalize`` does (same sums, same order), without
        # its input validation, which costs more than the arithmetic on small batches.
        data /= np.sqrt(np.bincount(entry_rows, weights=data**2, minlength=n))[entry_rows]
        return data, entry_columns, entry_rows

    @staticmethod
    def _lexicon_counts(
        table: _TokenTable, flat: list[str], ids: np.ndarray, owner: np.ndarray, n: int
    ) -> np.ndarray:
        """Lexicon matches per paragraph: table lookups for known tokens, the stemmer for the rest."""
        n_lexicons = table.lexicons.shape[1]
        hits = np.flatnonzero(table.in_lexicon[ids])
        cells = owner[hits, None] * n_lexicons + np.arange(n_lexicons)  # (paragraph, lexicon) as one index
        counts = np.bincount(
            cells.ravel(), weights=table.lexicons[ids[hits]].ravel(), minlength=n * n_lexicons
        )
        counts = counts.reshape(n, n_lexicons)
        for position in np.flatnonzero(ids < 0):
            for lexicon in lexicon_hits(flat[position]):
                counts[owner[position], lexicon] += 1.0
        return counts

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        terms = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return np.asarray([*terms, *cue_names(self.cue_groups)], dtype=object)
