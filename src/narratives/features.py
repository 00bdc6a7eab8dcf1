"""Paragraph texts -> one sparse feature matrix: TF-IDF word 1-2 grams plus cue features.

``fit`` learns the vocabulary and idf with scikit-learn's ``TfidfVectorizer``.
``transform`` computes the same TF-IDF values with array operations instead of a
Python loop over every n-gram: each token is looked up once in a table of known
tokens, bigrams are matched as pairs of token ids in a sparse table, and the same
lookups count the cue lexicons. That is what makes featurisation plus cues faster
than a plain ``TfidfVectorizer`` (see ``python -m benchmarks.run``); a test checks
the values agree with scikit-learn's.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from narratives.cues import (
    CUE_GROUPS,
    LEXICONS,
    PHRASES,
    TOKEN_PATTERN,
    CueBatch,
    cue_matrix,
    cue_names,
    lexicon_hits,
    phrase_words,
)

__all__ = ["ParagraphFeaturizer", "tokenize"]

#: Paragraphs featurised per internal step: large enough to amortise the per-call
#: work, small enough that the batch's tokens stay a few megabytes.
CHUNK = 4096


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens: letters and digits, with inner apostrophes and hyphens."""
    return TOKEN_PATTERN.findall(text.lower())


def _unigrams_bigrams(tokens: list[str]) -> list[str]:
    return [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))]  # noqa: RUF007 (hot path)


class _TokenTable:
    """Every token the vocabulary or the cue phrases know, with its unigram column and lexicons.

    Token pairs are looked up in sparse ``tokens x tokens`` tables: scipy finds a
    whole batch of ``(left, right)`` pairs in one call, a short search per row.
    """

    def __init__(self, vocabulary: dict[str, int]) -> None:
        tokens: dict[str, int] = {}
        for term in [*vocabulary, *phrase_words()]:
            for token in term.split(" "):
                tokens.setdefault(token, len(tokens))
        self.ids = tokens
        # One extra row at the end: index -1 (an unknown token) reads "no column", "no lexicon".
        self.unigram_column = np.full(len(tokens) + 1, -1, dtype=np.int64)
        #: Which lexicons each known token belongs to (0/1), and whether it is in any.
        self.lexicons = np.zeros((len(tokens) + 1, len(LEXICONS)))
        for token, i in tokens.items():
            self.unigram_column[i] = vocabulary.get(token, -1)
            self.lexicons[i, list(lexicon_hits(token))] = 1.0
        self.in_lexicon = self.lexicons.any(axis=1)
        bigrams = [(term.split(" "), column) for term, column in vocabulary.items() if " " in term]
        #: Bigram column + 1 at ``[left id, right id]`` (0: not in the vocabulary).
        self.bigram_columns = self._pair_table([(words, column + 1) for words, column in bigrams])
        #: Bit ``g`` set at ``[left id, right id]`` when the pair is a phrase of ``PHRASES`` group ``g``.
        self.phrase_bits = self._pair_table(
            [
                (phrase.split(" "), 1 << g)
                for g, phrases in enumerate(PHRASES.values())
                for phrase in set(phrases)
            ]
        )

    def _pair_table(self, entries: list[tuple[list[str], int]]) -> sp.csr_array:
        rows = [self.ids[left] for (left, _), _ in entries]
        columns = [self.ids[right] for (_, right), _ in entries]
        values = np.asarray([value for _, value in entries], dtype=np.int64)
        # Entries for the same pair are summed: for phrase bits (distinct within a group) that is an OR.
        table = sp.csr_array((values, (rows, columns)), shape=(len(self.ids), len(self.ids)))
        table.sort_indices()
        return table


class _Pairs:
    """Adjacent known tokens inside one paragraph: left and right ids and their paragraph."""

    def __init__(self, ids: np.ndarray, owner: np.ndarray) -> None:
        left, right = ids[:-1], ids[1:]
        valid = (owner[:-1] == owner[1:]) & (left >= 0) & (right >= 0)
        self.left, self.right, self.owner = left[valid], right[valid], owner[:-1][valid]

    def look_up(self, table: sp.csr_array) -> np.ndarray:
        """Each pair's value in a ``tokens x tokens`` table (0 where it has none)."""
        if not len(self.left):
            return np.zeros(0, dtype=table.dtype)
        return np.asarray(table[self.left, self.right]).ravel()


def _csr(data: np.ndarray, columns: np.ndarray, rows: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A CSR matrix from entries already in row order (columns sorted within each row)."""
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
    return sp.csr_matrix((data, columns, indptr), shape=shape)


class ParagraphFeaturizer(TransformerMixin, BaseEstimator):
    """TF-IDF over word 1-2 grams, followed by scaled cue-feature columns.

    Parameters are stored as given (scikit-learn convention); what is learned ends
    in ``_``: ``vocabulary_`` and ``idf_`` of the TF-IDF part.

    >>> featurizer = ParagraphFeaturizer(min_df=1).fit(["Troops seized the palace.", "It may fail."])
    >>> featurizer.transform(["Officials said it may fail."]).shape[0]
    1
    """

    def __init__(
        self,
        *,
        min_df: int = 2,
        sublinear_tf: bool = True,
        cue_groups: Sequence[str] = tuple(CUE_GROUPS),
        cue_weight: float = 1.0,
    ) -> None:
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.cue_groups = cue_groups
        self.cue_weight = cue_weight

    def _check_texts(self, texts: Sequence[str]) -> None:
        if isinstance(texts, str):
            raise ValueError("expected a sequence of paragraph texts, got a single str; wrap it in a list")
        unknown = set(self.cue_groups) - set(CUE_GROUPS)
        if unknown:
            raise ValueError(f"unknown cue groups {sorted(unknown)}; known: {list(CUE_GROUPS)}")

    def reference_vectorizer(self) -> TfidfVectorizer:
        """The scikit-learn vectorizer whose TF-IDF values ``transform`` reproduces."""
        return TfidfVectorizer(
            analyzer=lambda text: _unigrams_bigrams(tokenize(text)),
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            dtype=np.float64,
        )

    def fit(self, texts: Sequence[str], y: object = None) -> ParagraphFeaturizer:
        self._check_texts(texts)
        vectorizer = self.reference_vectorizer().fit(texts)
        self.vocabulary_: dict[str, int] = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        self.idf_: np.ndarray = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._table = _TokenTable(self.vocabulary_)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Feature matrix of shape ``(len(texts), n_features)``, TF-IDF columns first.

        Long inputs are featurised ``CHUNK`` paragraphs at a time: the vectorised path
        holds every token of a call at once, so chunking keeps memory flat.
        """
        check_is_fitted(self, "vocabulary_")
        self._check_texts(texts)
        if len(texts) > CHUNK:
            texts = list(texts)
            return sp.vstack(
                [self._transform(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)], format="csr"
            )
        return self._transform(texts)

    def _transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        table = self._token_table()
        lowered = [text.lower() for text in texts]
        token_lists = [TOKEN_PATTERN.findall(text) for text in lowered]
        n_tokens = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(texts))
        flat = list(chain.from_iterable(token_lists))
        ids = np.fromiter(map(table.ids.get, flat, [-1] * len(flat)), dtype=np.int64, count=len(flat))
        owner = np.repeat(np.arange(len(texts)), n_tokens)
        pairs = _Pairs(ids, owner)
        n = len(texts)
        data, columns, rows = self._tfidf(table, ids, owner, pairs, n)
        if not self.cue_groups:
            return _csr(data, columns, rows, (n, len(self.vocabulary_)))
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
        return _csr(
            np.concatenate([data, cues[cue_rows, cue_columns]])[order],
            np.concatenate([columns, cue_columns + len(self.vocabulary_)])[order],
            rows[order],
            (n, len(self.vocabulary_) + cues.shape[1]),
        )

    def _token_table(self) -> _TokenTable:
        table = getattr(self, "_table", None)
        if table is None:  # a featuriser rebuilt from a model directory
            table = self._table = _TokenTable(self.vocabulary_)
        return table

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
        check_is_fitted(self, "vocabulary_")
        terms = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return np.asarray([*terms, *cue_names(self.cue_groups)], dtype=object)
