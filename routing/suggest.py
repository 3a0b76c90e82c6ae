"""Category suggestion: which category a report's text most likely belongs to, with a confidence.

A TF-IDF model (words and word pairs, plus character n-grams within words so that misspellings,
"KTP-el"/"ktp el" and affixed forms still match) with a multinomial logistic regression, whose
probabilities are the confidences. It learns from the labelled Indonesian examples shipped in
``routing/data/labelled_examples.csv`` and, once ``manage.py train_classifier`` has run, from
every report whose category an admin confirmed in triage. The trained model is stored in the
database (``Classifier``), so every web machine suggests the same thing, and loads it in under
half a second (``warm`` at start-up). Until one is stored, each process trains on the shipped
examples on first use, which costs 8 s of CPU (36 s on a loaded 2-core machine): the deploy step
runs ``manage.py train_classifier --if-missing`` so that no citizen waits for it.

A suggestion only helps a person choose: the citizen picks the category on the form and the
triage admin confirms it. Nothing is routed on a suggestion alone."""

import csv
import io
import logging
import pickle
import random
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from core.memo import Memo

from .models import Classifier
from .textnorm import normalize

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "labelled_examples.csv"
# Chat, slang and the names of the matters' agencies and programmes (KRL, tol, SPPG, JHT ...):
# written apart from tests/routing/classifier_eval.csv, which measures on texts never trained on.
REGISTERS = DATA / "labelled_examples_registers.csv"
KEYWORDS = DATA / "category_keywords.csv"
log = logging.getLogger(__name__)
MINIMUM = 0.12  # below this a "suggestion" is noise; nothing is shown


def shipped_examples() -> list[tuple[str, str]]:
    examples = []
    for path in (EXAMPLES, REGISTERS):
        with path.open(encoding="utf-8", newline="") as f:
            examples += [(row["text"], row["category"]) for row in csv.DictReader(f)]
    return examples


def knowledge() -> list[tuple[str, str]]:
    """What a category is about, as text: its name and a list of the words that name its
    subject (agencies, programmes, documents). Always trained on, never held out."""
    with KEYWORDS.open(encoding="utf-8", newline="") as f:
        keywords = [(row["keywords"], row["category"]) for row in csv.DictReader(f)]
    with (DATA / "categories.csv").open(encoding="utf-8", newline="") as f:
        names = [(row["name_id"], row["code"]) for row in csv.DictReader(f)]
    return keywords + names


def build() -> Pipeline:
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(preprocessor=normalize, sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=normalize,
                    analyzer="char_wb",
                    ngram_range=(3, 6),
                    sublinear_tf=True,
                ),
            ),
        ]
    )
    model = LogisticRegression(C=50.0, max_iter=3000)
    return Pipeline([("features", features), ("model", model)])


def train(examples: Sequence[tuple[str, str]]) -> Pipeline:
    texts, labels = zip(*[*examples, *knowledge()], strict=True)
    return build().fit(list(texts), list(labels))


def split(
    examples: Sequence[tuple[str, str]], held_out: float = 0.2, seed: int = 7
) -> tuple[list, list]:
    """A stratified split: the same share of every category is held out."""
    by_label: dict[str, list] = {}
    for example in examples:
        by_label.setdefault(example[1], []).append(example)
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    train_part, test_part = [], []
    for label in sorted(by_label):
        rows = sorted(by_label[label])
        rng.shuffle(rows)
        cut = max(1, round(len(rows) * held_out)) if len(rows) > 2 else 0
        test_part += rows[:cut]
        train_part += rows[cut:]
    return train_part, test_part


def evaluate(model: Pipeline, examples: Iterable[tuple[str, str]]) -> dict:
    """Accuracy of the first suggestion and of the first three, on examples it did not see."""
    examples = list(examples)
    if not examples:
        return {"n": 0, "accuracy": None, "top3": None}
    texts = [text for text, _ in examples]
    probabilities = model.predict_proba(texts)
    classes = model.classes_
    first = top3 = 0
    for (_, label), row in zip(examples, probabilities, strict=True):
        ranked = [classes[i] for i in row.argsort()[::-1][:3]]
        first += ranked[0] == label
        top3 += label in ranked
    return {"n": len(examples), "accuracy": first / len(examples), "top3": top3 / len(examples)}


def dumps(model: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes) -> Pipeline:
    # Only manage.py train_classifier writes this column (there is no upload of models).
    return joblib.load(io.BytesIO(bytes(blob)))


_fallback_lock = threading.Lock()
_fallback: list[Pipeline] = []


def _shipped_model() -> Pipeline:
    with _fallback_lock:
        if not _fallback:
            _fallback.append(train(shipped_examples()))
        return _fallback[0]


def _current() -> Pipeline:
    stored = Classifier.objects.order_by("-trained_at", "-pk").only("model").first()
    if stored is None:
        return _shipped_model()
    try:
        return loads(stored.model)
    except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        # A model from an incompatible scikit-learn: suggest from the shipped set meanwhile.
        return _shipped_model()


# Read at most every five minutes per process; at once in the process that trained a new one.
current = Memo(_current, ttl=300.0).clear_on_change(Classifier)


def warm() -> None:
    """Loads the stored model into this process, if there is one (never trains: a process
    starting up must not spend seconds of CPU), so the first citizen's routing preview does
    not wait for it. Called by lapor.wsgi. A database not reachable yet at start-up is no
    reason not to serve: the first suggestion loads it then."""
    from django.db import DatabaseError

    try:
        if Classifier.objects.exists():
            current.get()
    except DatabaseError:
        log.warning("classifier not loaded at start-up; the first suggestion will load it")


def suggest(text: str, limit: int = 3, minimum: float = MINIMUM) -> list[tuple[str, float]]:
    """The likeliest category codes for ``text``, best first, with confidences in 0..1."""
    text = (text or "").strip()
    if len(text) < 8:
        return []
    model = current.get()
    row = model.predict_proba([text])[0]
    ranked = sorted(zip(model.classes_, row, strict=True), key=lambda p: p[1], reverse=True)
    return [(str(code), round(float(p), 3)) for code, p in ranked[:limit] if p >= minimum]
