"""The offline triage provider: no network, no key; the embedded default and the fallback.

Category and urgency come from two logistic-regression classifiers over TF-IDF word and
character n-grams plus the keyword cues of ``core.ai.lexicon`` (one 0/1 column per cue
group), trained on the generated ``data/examples.jsonl`` (written by
``data/make_examples.py``) and the hand-written mails of ``data/handwritten.csv`` (weight
``HANDWRITTEN_WEIGHT``); never on the evaluation corpora nor on the held-out split
``data/heldout.csv``. ``confidence`` is the probability of the chosen category after
temperature scaling: ``train`` scores each hand-written mail by a model fitted without its
cross-validation fold (``out_of_fold``), picks the softmax temperatures that fit those
out-of-fold scores best, and keeps them for the model fitted on all rows (its figures:
``bench/offline_cv.py``, and ``desk eval --heldout``). Training is deterministic and takes
about 25 seconds of CPU (six fits), so it happens once, not per process: the fitted model is
saved with joblib (scikit-learn's documented persistence) next to its training data,
``data/offline-model.joblib``, or, when the package directory is not writable (a system-wide
install), in the user's cache directory (``$XDG_CACHE_HOME/ai-support-desk/``, else
``~/.cache/ai-support-desk/``). The file holds a key: a hash of the training data, of the
code that trains (``train``, ``classifier_input``, ``MODEL_NAME``) and of the
numpy/scipy/scikit-learn versions; a file whose key differs, or that cannot be read, is
replaced by a freshly trained model (``load_or_train``). ``make`` builds it at install
(``python -m core.ai.offline``), otherwise the first triage does. Importing this module
loads none of numpy, scipy or scikit-learn.

The draft adapts the closest reply people approved for similar mail of the same category
and language when the request carries one (``TriageRequest.examples``, ``core.ai.adapt``:
the new customer's name, ticket and order numbers in place of the old ones); otherwise it
comes from the in-app template of the category, else from ``core.ai.templates``, which
quotes what the mail says (``core.ai.facts``: numbers, amounts, dates, errors, attachments,
what was tried, the signer's title) and links the best source's public page when it has
one. The fix steps come from ``core.ai.templates`` and start from the same facts; the best
source is cited (the draft links it or the steps point the agent to it). The summary is the
first meaningful sentence(s) of the email.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import inspect
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.ai import char_ngrams, guardrails, lexicon, lexicon_scan, templates
from core.ai.adapt import adapt_reply, closest, find_reference
from core.ai.facts import extract_facts
from core.ai.provider import BatchAnswer
from core.ai.result import (
    Category,
    KnowledgeSource,
    Triaged,
    TriageMeta,
    TriageRequest,
    TriageResult,
    Urgency,
)
from core.errors import AIError, ValidationError
from core.replies.rendering import first_name, render_text
from core.vocabulary import USER_TEMPLATE_VERSION  # drafted from an in-app response template

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

log = logging.getLogger(__name__)

EXAMPLES_PATH = Path(__file__).with_name("data") / "examples.jsonl"
HANDWRITTEN_PATH = EXAMPLES_PATH.with_name("handwritten.csv")
MODEL_FILE = "offline-model.joblib"
CACHE_DIR_NAME = "ai-support-desk"
MODEL_NAME = "tfidf-lexicon-logreg-v2"
PROMPT_VERSION = "offline-templates-v2"  # v2: drafts quote the facts of the mail (core.ai.facts)
LEARNED_VERSION = "offline-learned-v1"  # adapted from a reply people approved (core.ai.adapt)


@dataclass(frozen=True, slots=True)
class Prediction:
    category: Category
    urgency: Urgency
    category_probability: float
    urgency_probability: float


@dataclass(frozen=True, slots=True)
class OfflineModel:
    words: TfidfVectorizer
    chars: TfidfVectorizer
    category_clf: LogisticRegression
    urgency_clf: LogisticRegression
    n_examples: int
    training_seconds: float  # wall time
    training_cpu_seconds: float  # CPU time of the process (stable on a busy machine)
    # softmax temperatures fitted on the calibration slice (``train``); 1.0 = raw
    category_temperature: float = 1.0
    urgency_temperature: float = 1.0

    def transform(self, texts: list[str]) -> csr_matrix:
        """The features of ``texts``: what the vectorizers' and ``cue_matrix``'s own
        transforms give, computed faster (``core.ai.char_ngrams`` memoises each word's
        character n-grams, ``core.ai.lexicon_scan`` finds the cues by prefix trees)."""
        import sklearn
        from scipy.sparse import hstack

        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return hstack(
                [
                    self.words.transform(texts),
                    char_ngrams.transform(self.chars, texts),
                    lexicon_scan.cue_matrix(texts, CUE_WEIGHT),
                ],
                format="csr",
            )

    def predict(self, texts: list[str]) -> list[Prediction]:
        import numpy as np

        x = self.transform(texts)
        cat_p = _softmax(
            (x @ self.category_clf.coef_.T + self.category_clf.intercept_)
            / self.category_temperature
        )
        urg_p = _softmax(
            (x @ self.urgency_clf.coef_.T + self.urgency_clf.intercept_) / self.urgency_temperature
        )
        out: list[Prediction] = []
        for cp, up in zip(cat_p, urg_p, strict=True):
            ci, ui = int(np.argmax(cp)), int(np.argmax(up))
            out.append(
                Prediction(
                    category=Category(self.category_clf.classes_[ci]),
                    urgency=Urgency(self.urgency_clf.classes_[ui]),
                    category_probability=float(cp[ci]),
                    urgency_probability=float(up[ui]),
                )
            )
        return out


CUE_WEIGHT = 0.25  # a lexicon hit next to the L2-normalised TF-IDF blocks (norm 1 each)


def cue_matrix(texts: list[str]) -> csr_matrix:
    """One column per ``lexicon.GROUPS``: CUE_WEIGHT where the group's stems occur."""
    from scipy.sparse import csr_matrix

    return csr_matrix([[CUE_WEIGHT * v for v in lexicon.vector(t)] for t in texts])


def _softmax(scores: np.ndarray) -> np.ndarray:
    import numpy as np

    scores = np.asarray(scores, dtype=np.float64)
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def classifier_input(subject: str, text: str) -> str:
    """What the classifier sees: subject and body, the subject twice for weight."""
    return f"{subject}\n{subject}\n{text}"


def load_examples(path: Path = EXAMPLES_PATH) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# sample weights: a hand-written mail's and a generated row's, chosen across the
# hand-written batches (``bench/offline_cv.py --by-batch``: each batch scored by a model
# fitted without it; against 3 and 1: category 0.922 and 0.916, urgency 0.873 and 0.868)
HANDWRITTEN_WEIGHT = 10.0
GENERATED_WEIGHT = 0.3
CLASSIFIED_CHARS = 4_000  # of a mail's text the classifier reads (``predict``)
CLASSIFIER_C = 16.0  # inverse regularisation strength of both logistic regressions
CV_FOLDS = 5  # folds of the hand-written rows that calibrate (``out_of_fold``)
TEMPERATURES = tuple(round(0.25 + 0.05 * i, 2) for i in range(96))  # 0.25 .. 5.0


def load_handwritten(path: Path = HANDWRITTEN_PATH) -> list[dict[str, str]]:
    """The hand-written mails (columns lang, category, urgency, subject, text, batch) as
    training rows. Each row's ``group`` is its batch and its position among the batch's
    mails of its language: the batches tell the same situations in each language, so a
    situation's translations share a group and a cross-validation fold."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    seen: Counter[tuple[str, str]] = Counter()
    out: list[dict[str, str]] = []
    for row in rows:
        where = (row.get("batch") or "", row["lang"])
        out.append(
            {
                "lang": row["lang"],
                "subject": row["subject"],
                "text": row["text"],
                "category": row["category"],
                "urgency": row["urgency"],
                "group": f"hand/{where[0]}/{seen[where]}",
            }
        )
        seen[where] += 1
    return out


def fold_of(example: dict[str, str], folds: int = CV_FOLDS) -> int:
    """The cross-validation fold of a hand-written row: by its group (whole situations)."""
    digest = hashlib.sha256(example["group"].encode("utf-8")).hexdigest()
    return int(digest, 16) % folds


def fit_temperature(scores: np.ndarray, labels: np.ndarray) -> float:
    """The softmax temperature (of ``TEMPERATURES``) with the least negative log-likelihood
    of the true ``labels`` (column indices) under ``scores`` (one row per example)."""
    import numpy as np

    best, best_nll = 1.0, float("inf")
    for t in TEMPERATURES:
        p = _softmax(scores / t)[np.arange(len(labels)), labels]
        nll = float(-np.log(np.clip(p, 1e-12, None)).mean())
        if nll < best_nll:
            best, best_nll = t, nll
    return best


def _fit(
    examples: list[dict[str, str]],
    texts: list[str],
    cues: csr_matrix,
    weights: np.ndarray,
) -> tuple[TfidfVectorizer, TfidfVectorizer, LogisticRegression, LogisticRegression]:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",
        min_df=2,
        max_features=40000,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=3, max_features=40000
    )
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts), cues], format="csr")
    for vectorizer in (words, chars):  # the pruned terms: only introspection reads them
        vectorizer.stop_words_ = None  # (scikit-learn: safe to drop before pickling)
    category_clf = LogisticRegression(
        C=CLASSIFIER_C, solver="newton-cg", max_iter=300, class_weight="balanced"
    )
    category_clf.fit(x, [e["category"] for e in examples], sample_weight=weights)
    urgency_clf = LogisticRegression(
        C=CLASSIFIER_C, solver="newton-cg", max_iter=300, class_weight="balanced"
    )
    urgency_clf.fit(x, [e["urgency"] for e in examples], sample_weight=weights)
    return words, chars, category_clf, urgency_clf


@dataclass(frozen=True, slots=True)
class OutOfFold:
    """The raw scores (logits) of each hand-written row by a model fitted without its fold."""

    rows: list[dict[str, str]]
    category_classes: list[str]
    category_scores: np.ndarray
    urgency_classes: list[str]
    urgency_scores: np.ndarray


def out_of_fold(
    examples: list[dict[str, str]],
    handwritten: list[dict[str, str]],
    *,
    folds: int = CV_FOLDS,
    weight: float = HANDWRITTEN_WEIGHT,
) -> OutOfFold:
    """Grouped cross-validation over the hand-written rows: per fold, a model fitted on
    every generated row and the other folds' hand-written rows scores the fold's rows."""
    import numpy as np

    rows = examples + handwritten
    texts = [classifier_input(e["subject"], e["text"]) for e in rows]
    cues = cue_matrix(texts)
    fold = [-1] * len(examples) + [fold_of(e, folds) for e in handwritten]
    weights = np.array([GENERATED_WEIGHT] * len(examples) + [weight] * len(handwritten))
    order: list[int] = []
    cat_scores: list[np.ndarray] = []
    urg_scores: list[np.ndarray] = []
    classes: tuple[list[str], list[str]] | None = None
    for k in range(folds):
        held = [i for i, f in enumerate(fold) if f == k]
        kept = [i for i, f in enumerate(fold) if f != k]
        if not held:
            continue
        probe = OfflineModel(
            *_fit([rows[i] for i in kept], [texts[i] for i in kept], cues[kept], weights[kept]),
            n_examples=len(kept),
            training_seconds=0.0,
            training_cpu_seconds=0.0,
        )
        fold_classes = (list(probe.category_clf.classes_), list(probe.urgency_clf.classes_))
        if classes is not None and fold_classes != classes:
            raise AIError("a cross-validation fold lacks a class: the training data is too small")
        classes = fold_classes
        x = probe.transform([texts[i] for i in held])
        cat_scores.append(
            np.asarray(x @ probe.category_clf.coef_.T + probe.category_clf.intercept_)
        )
        urg_scores.append(np.asarray(x @ probe.urgency_clf.coef_.T + probe.urgency_clf.intercept_))
        order.extend(held)
    if classes is None:
        raise AIError("no hand-written rows to cross-validate")
    return OutOfFold(
        rows=[rows[i] for i in order],
        category_classes=classes[0],
        category_scores=np.vstack(cat_scores),
        urgency_classes=classes[1],
        urgency_scores=np.vstack(urg_scores),
    )


def _temperatures(oof: OutOfFold) -> tuple[float, float]:
    """The category and urgency temperatures fitted on the out-of-fold scores."""
    import numpy as np

    out: list[float] = []
    for key, classes, scores in (
        ("category", oof.category_classes, oof.category_scores),
        ("urgency", oof.urgency_classes, oof.urgency_scores),
    ):
        known = [j for j, e in enumerate(oof.rows) if e[key] in classes]
        labels = np.array([classes.index(oof.rows[j][key]) for j in known])
        out.append(fit_temperature(scores[known], labels) if known else 1.0)
    return out[0], out[1]


def train(
    examples: list[dict[str, str]], handwritten: list[dict[str, str]] | None = None
) -> OfflineModel:
    """Fit both classifiers on the generated ``examples`` and the ``handwritten`` mails
    (weight ``HANDWRITTEN_WEIGHT``), then calibrate; deterministic (no randomness anywhere).

    Calibration: the hand-written rows are scored by grouped cross-validation
    (``out_of_fold``: each by a model fitted without its fold), and the temperatures that
    make those probabilities fit best (``fit_temperature``) are kept for the model fitted on
    every row; so confidence is calibrated on real mail the model had not seen. Without
    hand-written rows the temperatures stay 1.0. "Confidence" stays the calibrated
    probability of the predicted category.
    """
    import numpy as np

    started, started_cpu = time.perf_counter(), time.process_time()
    handwritten = list(handwritten or [])
    temperatures = _temperatures(out_of_fold(examples, handwritten)) if handwritten else (1.0, 1.0)
    rows = examples + handwritten
    texts = [classifier_input(e["subject"], e["text"]) for e in rows]
    weights = np.array([GENERATED_WEIGHT] * len(examples) + [HANDWRITTEN_WEIGHT] * len(handwritten))
    words, chars, category_clf, urgency_clf = _fit(rows, texts, cue_matrix(texts), weights)
    return OfflineModel(
        words=words,
        chars=chars,
        category_clf=category_clf,
        urgency_clf=urgency_clf,
        n_examples=len(rows),
        training_seconds=time.perf_counter() - started,
        training_cpu_seconds=time.process_time() - started_cpu,
        category_temperature=temperatures[0],
        urgency_temperature=temperatures[1],
    )


def model_key(
    examples_path: Path = EXAMPLES_PATH, handwritten_path: Path = HANDWRITTEN_PATH
) -> str:
    """What a saved model must have been built from: this training data (generated and
    hand-written), this training code and these library versions (a pickle is only safe to
    load on the versions that wrote it)."""
    import numpy
    import scipy
    import sklearn

    digest = hashlib.sha256()
    digest.update(examples_path.read_bytes())
    digest.update(b"\0" + handwritten_path.read_bytes())
    for part in (
        MODEL_NAME,
        inspect.getsource(train),
        inspect.getsource(_fit),
        inspect.getsource(load_handwritten),
        inspect.getsource(fold_of),
        inspect.getsource(out_of_fold),
        inspect.getsource(_temperatures),
        inspect.getsource(fit_temperature),
        inspect.getsource(cue_matrix),
        inspect.getsource(classifier_input),
        inspect.getsource(lexicon),
        f"cue weight {CUE_WEIGHT} hand-written weight {HANDWRITTEN_WEIGHT} folds {CV_FOLDS}"
        f" C {CLASSIFIER_C} generated weight {GENERATED_WEIGHT}",
        f"temperatures {TEMPERATURES}",
        f"numpy {numpy.__version__} scipy {scipy.__version__} sklearn {sklearn.__version__}",
    ):
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()


def model_paths(examples_path: Path = EXAMPLES_PATH) -> list[Path]:
    """Where the saved model may be, in order: next to the training data, then the cache."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / CACHE_DIR_NAME
    return [examples_path.with_name(MODEL_FILE), cache / MODEL_FILE]


def read_model(path: Path, key: str) -> OfflineModel | None:
    """The model saved at ``path`` when it was built under ``key``; None when the file is
    missing, unreadable, corrupt, of another format, or stale."""
    import joblib

    if not path.is_file():
        return None
    try:
        saved = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - truncated, corrupt, or pickled by other code
        log.warning("offline model %s is unreadable (%s): training a new one", path, exc)
        return None
    if not isinstance(saved, dict) or saved.get("key") != key:
        log.info("offline model %s was built from other data or code: training a new one", path)
        return None
    model = saved.get("model")
    return model if isinstance(model, OfflineModel) else None


def write_model(model: OfflineModel, key: str, path: Path) -> bool:
    """Save ``model`` at ``path`` atomically (a reader never sees half a file, two writers
    never mix); False when the directory is not writable."""
    import joblib

    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".offline-model-")
        with os.fdopen(handle, "wb") as fh:
            joblib.dump({"key": key, "model": model}, fh, compress=3)  # a third of the size
        os.chmod(temp, 0o644)  # mkstemp makes it private; the model is no secret
        os.replace(temp, path)
    except OSError as exc:
        log.info("cannot save the offline model at %s: %s", path, exc)
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        return False
    return True


def load_or_train(
    examples_path: Path = EXAMPLES_PATH,
    *,
    handwritten_path: Path = HANDWRITTEN_PATH,
    paths: list[Path] | None = None,
) -> OfflineModel:
    """The saved model when one matches the training data and code; otherwise a freshly
    trained one, saved in the first of ``paths`` (default ``model_paths``) that is writable.
    A stale or corrupt file is replaced, never fatal."""
    key = model_key(examples_path, handwritten_path)
    candidates = paths if paths is not None else model_paths(examples_path)
    for path in candidates:
        model = read_model(path, key)
        if model is not None:
            return model
    model = train(load_examples(examples_path), load_handwritten(handwritten_path))
    if not any(write_model(model, key, path) for path in candidates):
        log.warning("the offline model could not be saved: it is trained again per process")
    return model


_model: OfflineModel | None = None
_model_lock = threading.Lock()


def get_model() -> OfflineModel:
    """The process-wide model: loaded (or trained and saved) on first use, thread-safe."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = load_or_train()
    return _model


# --- text helpers -----------------------------------------------------------------------

_GREETING_LINE = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|hallo|guten\s+"
    r"(?:tag|morgen|abend)|sehr\s+geehrte|liebe[rs]?|moin|hola|buen[oa]s\s+\w+|estimad[oa]s?|"
    r"bonjour|bonsoir|madame|monsieur|cher|chère|olá|ola|bom\s+dia|boa\s+tarde|prezad[oa]s?|"
    r"caro|cara)\b[^.!?\n]{0,60}[,:!]?\s*$",
    re.IGNORECASE,
)
_CLOSING_LINE = re.compile(
    r"^\s*(?:best|kind|warm)?\s*(?:regards|wishes)|^\s*(?:thanks|thank\s+you|cheers|sincerely|"
    r"mit\s+freundlichen|viele\s+grüße|beste\s+grüße|gruß|saludos|un\s+saludo|atentamente|"
    r"cordialement|bien\s+à\s+vous|cumprimentos|atenciosamente|obrigad[oa])\b[^.!?\n]{0,40}$",
    re.IGNORECASE,
)
_INLINE_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|hola|bonjour|olá|ola|buenos\s+días|bom\s+dia|guten\s+tag)"
    r"(?:\s+[\w.'-]+){0,3}?\s*[,!:]\s+",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _meaningful_lines(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(">"):
            continue
        if _CLOSING_LINE.match(stripped) or stripped in ("--", "-- "):
            break
        if not lines and _GREETING_LINE.match(stripped):
            continue
        lines.append(stripped)
    return lines


def summarize(subject: str, text: str, *, max_chars: int = 240) -> str:
    """The first meaningful sentence of the email (two when the first is short), trimmed."""
    body = _INLINE_GREETING.sub("", " ".join(_meaningful_lines(text)), count=1)
    sentences = [s.strip() for s in _SENTENCE_END.split(body) if s.strip()]
    summary = sentences[0] if sentences else ""
    if sentences[1:] and len(summary) < 80:
        summary = f"{summary} {sentences[1]}"
    if not summary:
        summary = subject.strip() or "(empty message)"
    summary = " ".join(summary.split())
    summary = summary[:1].upper() + summary[1:]
    if len(summary) > max_chars:
        cut = summary[: max_chars - 1].rsplit(" ", 1)[0]
        summary = cut.rstrip(",;:") + "…"
    return summary


def _safe_subject(subject: str) -> str:
    """The subject as it may be echoed in a draft: short, one line, and harmless."""
    subject = " ".join(subject.replace("“", "").replace("”", "").replace('"', "").split())
    subject = re.sub(r"^(?:(?:re|fw|fwd|aw|wg|sv|rv|tr)\s*:\s*)+", "", subject, flags=re.IGNORECASE)
    if not subject or len(subject) > 80 or not guardrails.is_safe(subject):
        return ""
    if re.search(r"https?://|www\.|[<>{}]", subject):
        return ""
    return subject


def _from_user_template(request: TriageRequest, category: Category, urgency: str = "") -> str:
    """The draft from the in-app template for ``category`` (or the general one), or "" when
    there is none or it fails to render (then the built-in templates are used)."""
    body = request.reply_templates.get(category.value) or request.reply_templates.get("*")
    if not body:
        return ""
    name = " ".join(request.sender_name.replace('"', "").split())
    customer = name or request.sender_email.split("@")[0]
    variables = {
        "customer_name": customer,
        "customer_first_name": first_name(request.sender_name) or customer,
        "customer_email": request.sender_email,
        "ticket_id": request.ticket_id if request.ticket_id is not None else "",
        "subject": _safe_subject(request.subject),
        "category": category.value,
        "urgency": urgency,
        "agent_name": request.signature.strip() or f"The {request.company_name} team",
        "agent_email": "",
        "company_name": request.company_name,
        "signature": request.signature.strip() or f"The {request.company_name} team",
        "today": time.strftime("%Y-%m-%d", time.gmtime()),
    }
    try:
        return render_text(body, variables)
    except ValidationError:
        return ""


def _web_page(source: KnowledgeSource) -> str:
    """The source's public page when it is an http(s) address, else ""."""
    url = source.public_url or ""
    return url if re.match(r"https?://\S+$", url) else ""


def _article(source: KnowledgeSource) -> str:
    """How the fix steps name a source: its title, and its public page or that it has none."""
    where = _web_page(source) or "internal, no public page: paraphrase it"
    return f"“{source.title}” (#{source.id}, {where})"


class OfflineProvider:
    """Implements ``core.ai.provider.TriageProvider`` with the local classifier."""

    name = "offline"

    def __init__(self, model: OfflineModel | None = None) -> None:
        self._model = model
        self._warm = False  # the language model of the drafts loaded (``warm_up``)

    @property
    def model(self) -> OfflineModel:
        if self._model is None:
            self._model = get_model()
        return self._model

    async def warm_up(self) -> None:
        """Train the shared model in a worker thread so the event loop is never blocked;
        the first time, load the reply-language model the drafts read too."""
        if self._model is None:
            self._model = await asyncio.to_thread(get_model)
        if not self._warm:
            await asyncio.to_thread(templates.warm_up)
            self._warm = True

    async def triage(self, request: TriageRequest) -> Triaged:
        await self.warm_up()
        return self.triage_sync(request)

    async def triage_batch(self, requests: Sequence[TriageRequest]) -> list[BatchAnswer]:
        """The whole batch through the classifier in one call, then each draft; a draft
        that fails (a bug tripped by one mail's text) is that mail's AIError, logged, and
        the others are kept."""
        await self.warm_up()
        return self.triage_batch_sync(requests)

    def triage_sync(self, request: TriageRequest) -> Triaged:
        answer = self.triage_batch_sync([request])[0]
        if isinstance(answer, AIError):
            raise answer
        return answer

    def predict(self, requests: Sequence[TriageRequest]) -> list[Prediction]:
        """Category and urgency of each request: one call of the model for all of them, each
        from the first ``CLASSIFIED_CHARS`` of its text (the ask; every training mail is
        shorter, and the n-grams cost by the character: a pasted log of a megabyte would
        otherwise cost the batch a second)."""
        if not requests:
            return []
        return self.model.predict(
            [classifier_input(r.subject, r.text[:CLASSIFIED_CHARS]) for r in requests]
        )

    def triage_batch_sync(self, requests: Sequence[TriageRequest]) -> list[BatchAnswer]:
        started = time.perf_counter()
        predictions = self.predict(requests)
        # each draft is charged its share of the one model call
        share = (time.perf_counter() - started) / max(1, len(requests))
        answers: list[BatchAnswer] = []
        for request, prediction in zip(requests, predictions, strict=True):
            try:
                answers.append(self.finish(request, prediction, seconds=share))
            except Exception as exc:  # noqa: BLE001 - one mail must not fail the batch
                log.exception("offline draft for ticket %s failed", request.ticket_id)
                answers.append(AIError(f"offline draft failed: {type(exc).__name__}: {exc}"))
        return answers

    def finish(
        self, request: TriageRequest, prediction: Prediction, *, seconds: float = 0.0
    ) -> Triaged:
        """The triage of ``request`` once classified: facts, draft, fix steps, summary.
        ``seconds``: the time already spent on it (its share of the model call)."""
        started = time.perf_counter() - seconds
        facts = extract_facts(
            request.subject,
            request.text,
            attachments=request.attachments,
            sender_name=request.sender_name,
            earlier=[m.text for m in request.history if m.direction == "in"],
        )
        reference = (
            facts.invoice or facts.order or find_reference(f"{request.subject}\n{request.text}")
        )
        language = templates.detect_language(f"{request.subject}\n{request.text}")
        example = closest(request.examples, prediction.category.value)
        learned = (
            adapt_reply(
                example,
                request,
                subject=_safe_subject(request.subject),
                references=list(facts.references),
            )
            if example is not None
            else None
        )
        from_template = (
            ""
            if learned
            else _from_user_template(request, prediction.category, prediction.urgency.value)
        )
        # the retrieval's best match (it ranks them): the built-in draft links its public page
        source = request.sources[0] if request.sources else None
        link = (
            templates.Link(source.title, _web_page(source))
            if source is not None and _web_page(source) and not learned and not from_template
            else None
        )
        draft = (
            learned
            or from_template
            or templates.render_draft(
                templates.DraftContext(
                    category=prediction.category,
                    language=language,
                    customer_name=first_name(request.sender_name),
                    company_name=request.company_name,
                    signature=request.signature,
                    subject=_safe_subject(request.subject),
                    reference=reference,
                    facts=facts,
                    link=link,
                )
            )
        )
        result = TriageResult(
            category=prediction.category,
            urgency=prediction.urgency,
            summary=summarize(request.subject, request.text),
            fix_steps=templates.fix_steps_for(
                prediction.category,
                email=request.sender_email,
                reference=reference,
                facts=facts,
                article=_article(source) if source is not None else "",
            ),
            draft_reply=draft,
            confidence=round(prediction.category_probability, 4),
            # cited: the article the draft links, or the one the fix steps point the agent to
            citations=[source.id] if source is not None else [],
        )
        meta = TriageMeta(
            provider=self.name,
            model=MODEL_NAME,
            prompt_version=LEARNED_VERSION
            if learned
            else USER_TEMPLATE_VERSION
            if from_template
            else PROMPT_VERSION,
            latency_ms=round((time.perf_counter() - started) * 1000),
        )
        return Triaged(result=result, meta=meta)


if __name__ == "__main__":  # `python -m core.ai.offline`: build (or check) the saved model
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # through the package, so the pickle names core.ai.offline.OfflineModel, not __main__'s
    from core.ai import offline as package

    built = package.load_or_train()
    print(f"offline model ready: {built.n_examples} examples, key {package.model_key()[:12]}")
