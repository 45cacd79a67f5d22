"""The memoised char_wb transform is scikit-learn's, to the bit."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from core.ai import char_ngrams
from core.ai.offline import classifier_input, get_model, load_handwritten

ODD = ["", "   ", "a", "ab", "ab  c\t\u00a0d\n\ne", "ÀÉÎ Straße İstanbul ﬁle", "y" * 40, "a a a a"]


def same(a: csr_matrix, b: csr_matrix) -> bool:
    return (
        a.shape == b.shape
        and a.dtype == b.dtype
        and all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("data", "indices", "indptr"))
    )


def test_equal_to_scikit_learn_for_a_fitted_vectorizer() -> None:
    docs = [r["text"] for r in load_handwritten()]
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    )
    vectorizer.fit(docs[::2])
    probe = docs[1::2] + ODD
    assert same(char_ngrams.transform(vectorizer, probe), vectorizer.transform(probe))
    # the memo is warm the second time: the same answer
    assert same(char_ngrams.transform(vectorizer, probe), vectorizer.transform(probe))


def test_equal_for_the_offline_model() -> None:
    chars = get_model().chars
    assert char_ngrams.supports(chars)
    probe = [classifier_input(r["subject"], r["text"]) for r in load_handwritten()] + ODD
    assert same(char_ngrams.transform(chars, probe), chars.transform(probe))


def test_other_settings_go_to_scikit_learn() -> None:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3)).fit(["hello world", "help"])
    assert not char_ngrams.supports(vectorizer)
    assert same(char_ngrams.transform(vectorizer, ["hello"]), vectorizer.transform(["hello"]))
