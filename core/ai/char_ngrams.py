"""A fitted ``char_wb`` TF-IDF vectorizer's transform, with the n-grams of each word memoised.

scikit-learn's ``char_wb`` analyzer cuts every word of a document (after lowercasing and
whitespace normalising) into its padded character n-grams, in Python, word after word;
the n-grams of a word depend on the word alone, and mail repeats its words. ``transform``
here counts a document's n-grams through a memo of each word's vocabulary columns, builds
the count matrix as ``CountVectorizer._count_vocab`` does (int counts, sorted columns, the
vectorizer's dtype) and hands it to the vectorizer's own fitted ``TfidfTransformer``, so the
result is the vectorizer's ``transform`` to the bit (``tests/ai/test_char_ngrams.py``). Only
for the settings the offline model uses (``supports``); anything else goes to scikit-learn.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

MEMO_WORDS = 200_000  # words remembered per vectorizer before the memo starts over


def supports(vectorizer: TfidfVectorizer) -> bool:
    """Whether ``transform`` reproduces this vectorizer: a plain ``char_wb`` analyzer."""
    return (
        vectorizer.analyzer == "char_wb"
        and vectorizer.input == "content"
        and vectorizer.preprocessor is None
        and not vectorizer.binary
        and not vectorizer.strip_accents
        and hasattr(vectorizer, "vocabulary_")
        and hasattr(vectorizer, "_tfidf")
    )


class _Counter:
    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.preprocess: Callable[[str], str] = vectorizer.build_preprocessor()
        self.white_spaces = vectorizer._white_spaces
        self.min_n, self.max_n = vectorizer.ngram_range
        self.memo: dict[str, tuple[int, ...]] = {}

    def columns(self, word: str) -> tuple[int, ...]:
        """The vocabulary columns of the padded n-grams of ``word`` (with repeats), in the
        order scikit-learn's ``_char_wb_ngrams`` yields them."""
        found = self.memo.get(word)
        if found is not None:
            return found
        vocabulary = self.vocabulary
        w = " " + word + " "
        w_len = len(w)
        out: list[int] = []
        for n in range(self.min_n, self.max_n + 1):
            offset = 0
            grams = [w[offset : offset + n]]
            while offset + n < w_len:
                offset += 1
                grams.append(w[offset : offset + n])
            out += [vocabulary[g] for g in grams if g in vocabulary]
            if offset == 0:  # a short word (w_len < n) counts once
                break
        if len(self.memo) >= MEMO_WORDS:
            self.memo.clear()
        found = self.memo[word] = tuple(out)
        return found

    def counts(self, documents: list[str]) -> csr_matrix:
        import numpy as np
        from scipy.sparse import csr_matrix

        indices: list[int] = []
        values: list[int] = []
        indptr = [0]
        for doc in documents:
            text = self.white_spaces.sub(" ", self.preprocess(doc))
            columns: list[int] = []
            for word in text.split():
                columns += self.columns(word)
            counter = Counter(columns)
            indices.extend(counter)
            values.extend(counter.values())
            indptr.append(len(indices))
        matrix = csr_matrix(
            (
                np.asarray(values, dtype=np.intc),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(documents), len(self.vocabulary)),
        )
        matrix.sort_indices()
        return matrix


_counters: weakref.WeakKeyDictionary[TfidfVectorizer, _Counter] = weakref.WeakKeyDictionary()


def clear_caches() -> None:
    """Forget every memo (benchmarks start each round cold)."""
    _counters.clear()


def transform(vectorizer: TfidfVectorizer, documents: list[str]) -> csr_matrix:
    """``vectorizer.transform(documents)``, the same values, faster on repeated words."""
    if not supports(vectorizer):
        return vectorizer.transform(documents)
    counter = _counters.get(vectorizer)
    if counter is None:
        counter = _counters[vectorizer] = _Counter(vectorizer)
    counts = counter.counts(documents).astype(vectorizer.dtype)
    return vectorizer._tfidf.transform(counts, copy=False)
