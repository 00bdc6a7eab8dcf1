"""Paragraph texts -> one sparse feature matrix: TF-IDF word n-grams plus cue features.

Each paragraph is tokenised once; the tokens feed both the TF-IDF vocabulary and
the cue lexicons, so adding cues costs little over a plain ``TfidfVectorizer``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from narratives.cues import CUE_GROUPS, cue_names, cue_rows, tokenize

__all__ = ["ParagraphFeaturizer"]


def _word_ngrams(tokens: Sequence[str], ngram_range: tuple[int, int]) -> list[str]:
    low, high = ngram_range
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _unigrams_bigrams(tokens: Sequence[str]) -> list[str]:
    """Fast path for the default (1, 2) range."""
    return [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class ParagraphFeaturizer(TransformerMixin, BaseEstimator):
    """TF-IDF over word n-grams, followed by scaled cue-feature columns.

    Parameters are stored as given (scikit-learn convention); what is learned ends
    in ``_``: ``vocabulary_`` and ``idf_`` of the TF-IDF part.

    >>> featurizer = ParagraphFeaturizer().fit(["Troops seized the palace.", "It may fail."])
    >>> featurizer.transform(["Officials said it may fail."]).shape[0]
    1
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        sublinear_tf: bool = True,
        cue_groups: Sequence[str] = tuple(CUE_GROUPS),
        cue_weight: float = 1.0,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.cue_groups = cue_groups
        self.cue_weight = cue_weight

    def _vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=_identity,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            dtype=np.float64,
        )

    def _check_texts(self, texts: Sequence[str]) -> None:
        if isinstance(texts, str):
            raise ValueError("expected a sequence of paragraph texts, got a single str; wrap it in a list")
        unknown = set(self.cue_groups) - set(CUE_GROUPS)
        if unknown:
            raise ValueError(f"unknown cue groups {sorted(unknown)}; known: {list(CUE_GROUPS)}")

    def _ngrams(self, token_lists: list[list[str]]) -> list[list[str]]:
        if tuple(self.ngram_range) == (1, 2):
            return [_unigrams_bigrams(tokens) for tokens in token_lists]
        return [_word_ngrams(tokens, tuple(self.ngram_range)) for tokens in token_lists]

    def fit(self, texts: Sequence[str], y: object = None) -> ParagraphFeaturizer:
        self._check_texts(texts)
        tokens = [tokenize(text) for text in texts]
        vectorizer = self._vectorizer().fit(self._ngrams(tokens))
        self.vocabulary_: dict[str, int] = vectorizer.vocabulary_
        self.idf_: np.ndarray = vectorizer.idf_
        self._tfidf = vectorizer
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Feature matrix of shape ``(len(texts), n_features)``."""
        check_is_fitted(self, "vocabulary_")
        self._check_texts(texts)
        tokens = [tokenize(text) for text in texts]
        words = self._fitted_vectorizer().transform(self._ngrams(tokens))
        if not self.cue_groups:
            return words.tocsr()
        cues = np.asarray(cue_rows(texts, tokens, self.cue_groups), dtype=np.float64).reshape(len(texts), -1)
        return sp.hstack([words, sp.csr_matrix(cues * self.cue_weight)], format="csr")

    def _fitted_vectorizer(self) -> TfidfVectorizer:
        """The TF-IDF vectorizer, rebuilt from ``vocabulary_`` and ``idf_`` after loading."""
        vectorizer = getattr(self, "_tfidf", None)
        if vectorizer is None:
            vectorizer = self._vectorizer()
            vectorizer.vocabulary_ = self.vocabulary_
            vectorizer.idf_ = self.idf_
            self._tfidf = vectorizer
        return vectorizer

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        terms = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return np.asarray([*terms, *cue_names(self.cue_groups)], dtype=object)
