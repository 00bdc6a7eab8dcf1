"""Paragraph texts -> one sparse feature matrix: TF-IDF word 1-2 grams plus cue features.

``fit`` learns the vocabulary and idf with scikit-learn's ``TfidfVectorizer``.
``transform`` computes the same TF-IDF values with array operations instead of a
Python loop over every n-gram: each token is looked up once in a table of known
tokens, bigrams are matched as integer pairs with ``np.searchsorted``, and the same
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
from sklearn.preprocessing import normalize
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
_PAIR = np.int64(1 << 31)  # bigram key = left id * _PAIR + right id (ids stay below 2**31)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens: letters and digits, with inner apostrophes and hyphens."""
    return TOKEN_PATTERN.findall(text.lower())


def _unigrams_bigrams(tokens: list[str]) -> list[str]:
    return [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))]  # noqa: RUF007 (hot path)


class _TokenTable:
    """Every token the vocabulary or the cue phrases know, with its unigram column and lexicons."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        tokens: dict[str, int] = {}
        for term in [*vocabulary, *phrase_words()]:
            for token in term.split(" "):
                tokens.setdefault(token, len(tokens))
        self.ids = tokens
        # One extra row at the end: index -1 (an unknown token) reads "no column".
        self.unigram_column = np.full(len(tokens) + 1, -1, dtype=np.int64)
        member_rows, member_columns = [], []
        for token, i in tokens.items():
            self.unigram_column[i] = vocabulary.get(token, -1)
            for lexicon in lexicon_hits(token):
                member_rows.append(i)
                member_columns.append(lexicon)
        #: Which lexicons each known token belongs to (tokens x lexicons, 0/1).
        self.lexicons = sp.csr_matrix(
            (np.ones(len(member_rows)), (member_rows, member_columns)), shape=(len(tokens), len(LEXICONS))
        )
        keys, columns = [], []
        for term, column in vocabulary.items():
            if " " in term:
                left, right = term.split(" ")
                keys.append(tokens[left] * int(_PAIR) + tokens[right])
                columns.append(column)
        order = np.argsort(keys)
        self.bigram_keys = np.asarray(keys, dtype=np.int64)[order]
        self.bigram_columns = np.asarray(columns, dtype=np.int64)[order]
        self.phrase_keys = {
            name: np.asarray([self.pair_key(phrase) for phrase in phrases], dtype=np.int64)
            for name, phrases in PHRASES.items()
        }

    def pair_key(self, phrase: str) -> int:
        left, right = phrase.split(" ")
        return self.ids[left] * int(_PAIR) + self.ids[right]


class _Pairs:
    """Adjacent known tokens inside one paragraph, as integer keys, with their paragraph."""

    def __init__(self, ids: np.ndarray, owner: np.ndarray) -> None:
        left, right = ids[:-1], ids[1:]
        valid = (owner[:-1] == owner[1:]) & (left >= 0) & (right >= 0)
        self.keys = (left * _PAIR + right)[valid]
        self.owner = owner[:-1][valid]


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
        words = self._tfidf(table, ids, owner, pairs, len(texts))
        if not self.cue_groups:
            return words
        lexicon_counts = self._lexicon_counts(table, flat, ids, owner, len(texts))
        phrase_counts = {
            name: np.bincount(pairs.owner[np.isin(pairs.keys, keys)], minlength=len(texts)).astype(np.float64)
            for name, keys in table.phrase_keys.items()
        }
        batch = CueBatch(texts, lowered, n_tokens, lexicon_counts, phrase_counts)
        return sp.hstack(
            [words, sp.csr_matrix(cue_matrix(batch, self.cue_groups) * self.cue_weight)], format="csr"
        )

    def _token_table(self) -> _TokenTable:
        table = getattr(self, "_table", None)
        if table is None:  # a featuriser rebuilt from a model directory
            table = self._table = _TokenTable(self.vocabulary_)
        return table

    def _tfidf(
        self, table: _TokenTable, ids: np.ndarray, owner: np.ndarray, pairs: _Pairs, n: int
    ) -> sp.csr_matrix:
        unigram = table.unigram_column[ids]
        known = unigram >= 0
        rows, columns = [owner[known]], [unigram[known]]
        if len(table.bigram_keys) and len(pairs.keys):
            slot = np.minimum(np.searchsorted(table.bigram_keys, pairs.keys), len(table.bigram_keys) - 1)
            found = table.bigram_keys[slot] == pairs.keys
            rows.append(pairs.owner[found])
            columns.append(table.bigram_columns[slot[found]])
        row, column = np.concatenate(rows), np.concatenate(columns)
        counts = sp.csr_matrix(
            (np.ones(len(row), dtype=np.float64), (row, column)), shape=(n, len(self.vocabulary_))
        )
        counts.sum_duplicates()
        if self.sublinear_tf:
            np.log(counts.data, out=counts.data)
            counts.data += 1.0
        counts.data *= self.idf_[counts.indices]
        return normalize(counts, norm="l2", copy=False)

    @staticmethod
    def _lexicon_counts(
        table: _TokenTable, flat: list[str], ids: np.ndarray, owner: np.ndarray, n: int
    ) -> np.ndarray:
        """Lexicon matches per paragraph: table lookups for known tokens, the stemmer for the rest."""
        known = ids >= 0
        occurrences = sp.csr_matrix(
            (np.ones(int(known.sum())), (owner[known], ids[known])), shape=(n, len(table.ids))
        )
        counts = (occurrences @ table.lexicons).toarray()  # sparse both sides: memory stays O(tokens)
        for position in np.flatnonzero(ids < 0):
            for lexicon in lexicon_hits(flat[position]):
                counts[owner[position], lexicon] += 1.0
        return counts

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        terms = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return np.asarray([*terms, *cue_names(self.cue_groups)], dtype=object)
