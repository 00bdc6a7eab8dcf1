"""The featuriser as a scikit-learn estimator: ``fit`` learns TF-IDF terms, ``transform`` adds cues.

``fit`` learns the vocabulary and idf with scikit-learn's ``TfidfVectorizer``;
``transform`` runs :class:`narratives.featurize.FittedFeaturizer`, which reproduces
its TF-IDF values with array operations and appends the cue features. Being an
estimator, it composes with ``Pipeline`` and runs scikit-learn's ``check_estimator``
checks that apply to text input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from narratives.cues import CUE_GROUPS
from narratives.featurize import FittedFeaturizer, as_texts, tokenize, unigrams_bigrams

__all__ = ["SHIPPED_CUE_GROUPS", "ParagraphFeaturizer", "tokenize"]

#: The cue groups of the shipped model; ``training.FEATURE_CONFIG`` says why the others are left out.
SHIPPED_CUE_GROUPS = ("hedging", "attribution", "evaluative", "furniture")


class ParagraphFeaturizer(TransformerMixin, BaseEstimator):
    """TF-IDF over word 1-2 grams, followed by scaled cue-feature columns.

    Parameters are stored as given (scikit-learn convention), and their defaults are
    the shipped model's configuration; what is learned ends in ``_``: ``vocabulary_``
    and ``idf_`` of the TF-IDF part. Input is an iterable of paragraph strings, not a
    2-D array (declared in its scikit-learn tags).

    >>> featurizer = ParagraphFeaturizer(min_df=1).fit(["Troops seized the palace.", "It may fail."])
    >>> featurizer.transform(["Officials said it may fail."]).shape[0]
    1
    """

    def __init__(
        self,
        *,
        min_df: int = 2,
        sublinear_tf: bool = True,
        cue_groups: Sequence[str] = SHIPPED_CUE_GROUPS,
        cue_weight: float = 1.0,
    ) -> None:
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.cue_groups = cue_groups
        self.cue_weight = cue_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags

    def _check_config(self) -> None:
        unknown = set(self.cue_groups) - set(CUE_GROUPS)
        if unknown:
            raise ValueError(f"unknown cue groups {sorted(unknown)}; known: {list(CUE_GROUPS)}")

    def reference_vectorizer(self) -> TfidfVectorizer:
        """The scikit-learn vectorizer whose TF-IDF values ``transform`` reproduces."""
        return TfidfVectorizer(
            analyzer=lambda text: unigrams_bigrams(tokenize(text)),
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            dtype=np.float64,
        )

    def fit(self, texts: Iterable[str], y: object = None) -> ParagraphFeaturizer:
        texts = as_texts(texts)
        self._check_config()
        vectorizer = self.reference_vectorizer().fit(texts)
        self.vocabulary_: dict[str, int] = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        self.idf_: np.ndarray = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._fitted = self.fitted()
        return self

    def fitted(self) -> FittedFeaturizer:
        """The fitted state alone, without scikit-learn (what a saved model holds)."""
        check_is_fitted(self, "vocabulary_")
        return FittedFeaturizer(
            vocabulary=self.vocabulary_,
            idf=self.idf_,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            cue_groups=self.cue_groups,
            cue_weight=self.cue_weight,
        )

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Feature matrix of shape ``(n_texts, n_features)``, TF-IDF columns first."""
        check_is_fitted(self, "vocabulary_")
        texts = as_texts(texts)
        fitted = getattr(self, "_fitted", None)
        if fitted is None or fitted.vocabulary_ is not self.vocabulary_:
            fitted = self._fitted = self.fitted()
        return fitted.transform(texts)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.fitted().get_feature_names_out()
