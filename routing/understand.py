"""What a citizen's text says about where a report belongs: the category (the classifier's first
three) and, within it, the matter (which road, which school, which hospital), found by plain
patterns where the text names it, or asked as one question where it matters and is not clear.

Patterns rather than a model for matters: the words that settle a matter are few and fixed by
the law's own names ("jalan nasional", "SMA", "RSUD provinsi", "paspor", "tol", "KRL"), a
pattern says why it matched, and a model would need thousands of labelled matters to learn
them as surely. The category classifier (routing.suggest) stays the model."""

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .models import Category, Matter
from .suggest import MINIMUM, suggest
from .textnorm import normalize

PATTERNS = Path(__file__).parent / "data" / "matter_patterns.csv"
UNKNOWN = "tidak-tahu"  # the answer "tidak tahu": the category's most likely holder
# How sure the classifier's first category must be to stand against a strong pattern of
# another category (routing.understand._overriding); chosen on tests/routing/classifier_eval.csv.
UNSURE, SURE = 0.35, 0.5


@dataclass(frozen=True)
class Pattern:
    matter: str
    category: str
    regex: re.Pattern
    # A strong pattern names a matter no other category has ("paspor", "KRL"): it settles the
    # category too when the citizen did not choose one.
    strong: bool


@cache
def patterns() -> tuple[Pattern, ...]:
    """The shipped patterns (routing/data/matter_patterns.csv), in file order: first match wins
    within a category, so the narrower pattern comes first."""
    with PATTERNS.open(encoding="utf-8", newline="") as f:
        return tuple(
            Pattern(
                row["matter"],
                row["category"],
                re.compile(row["pattern"], re.IGNORECASE),
                row["strong"] == "1",
            )
            for row in csv.DictReader(f)
        )


@dataclass(frozen=True)
class Question:
    """One plain question where the category's holder depends on a matter the text did not
    name. ``about`` finds that the text is about such a thing (a road, not a drain)."""

    key: str
    category: str
    text: str
    about: re.Pattern
    choices: tuple[tuple[str, str], ...]  # (matter code or UNKNOWN, label)
    unknown: str  # the matter "tidak tahu" stands for: the most likely holder


# The choices follow the division of affairs (UU 23/2014 Lampiran I): roads by status (UU
# 2/2022 Pasal 9 and 25: nasional, provinsi, kabupaten/kota, desa; toll roads by BPJT), schools
# by level (huruf A: SMA/SMK/SLB the province, PAUD/SD/SMP the regency or city; madrasah Kemenag),
# hospitals by owner (huruf B: RSUD of each level, Kemenkes' own vertical hospitals).
QUESTIONS = (
    Question(
        "road",
        "infrastruktur",
        _("Jalan ini jalan apa?"),
        re.compile(r"\b(jalan|aspal|ruas|jalur)\b"),
        (
            ("jalan-nasional", _("Jalan nasional (jalur utama antarkota/antarprovinsi)")),
            ("jalan-provinsi", _("Jalan provinsi")),
            ("jalan-kabupaten-kota", _("Jalan kabupaten/kota, jalan desa atau lingkungan")),
            ("jalan-tol", _("Jalan tol (berbayar)")),
            (UNKNOWN, _("Tidak tahu")),
        ),
        "jalan-kabupaten-kota",  # most roads by length (UU 38/2004 Pasal 16)
    ),
    Question(
        "school",
        "pendidikan",
        _("Sekolah ini jenjang apa?"),
        re.compile(r"\b(sekolah|guru|murid|siswa|kepala sekolah|kepsek|ijazah|rapor|raport)\b"),
        (
            ("paud-sd-smp", _("PAUD, TK, SD atau SMP")),
            ("sma-smk-slb", _("SMA, SMK atau SLB")),
            ("madrasah", _("Madrasah (MI, MTs, MA) atau pesantren")),
            (UNKNOWN, _("Tidak tahu")),
        ),
        "paud-sd-smp",  # most schools are SD and SMP
    ),
    Question(
        "hospital",
        "kesehatan",
        _("Rumah sakit ini milik siapa?"),
        re.compile(r"\b(rumah sakit|rsud|rsup|rsu|rs)\b"),
        (
            ("rsud-kabupaten-kota", _("RSUD kabupaten/kota")),
            ("rsud-provinsi", _("RSUD provinsi")),
            ("rs-vertikal-kemenkes", _("Rumah sakit pusat milik Kemenkes (RSUP)")),
            (UNKNOWN, _("Tidak tahu")),
        ),
        "rsud-kabupaten-kota",  # most public hospitals belong to a regency or city
    ),
)


@dataclass(frozen=True)
class Reading:
    """What the text (and the citizen's choices) say. ``matter_from`` is "given", "answer",
    "text", "default" (tidak tahu, or an unanswered question) or ""."""

    categories: list[tuple[str, float]] = field(default_factory=list)
    category: Category | None = None
    score: float | None = None
    matter: Matter | None = None
    matter_from: str = ""
    question: Question | None = None
    because: str = ""  # the words that settled the matter


def match_matter(text: str, *, category: str | None) -> tuple[Pattern, str] | None:
    """The first pattern of ``category`` (or, with no category, the first strong one) that
    matches ``text``, and the words it matched."""
    plain = normalize(text)
    for p in patterns():
        if (p.category == category or (category is None and p.strong)) and (
            m := p.regex.search(plain)
        ):
            return p, m.group(0)
    return None


def question_for(category: str | None, text: str) -> Question | None:
    plain = normalize(text)
    for q in QUESTIONS:
        if q.category == category and q.about.search(plain):
            return q
    return None


def default_matter(category: Category, question: Question | None) -> Matter | None:
    """The matter "tidak tahu" stands for: the question's most likely holder, else the
    category's default (routing/data/matters.csv is_default)."""
    if question is not None and (found := _matter(question.unknown)) is not None:
        return found
    return Matter.objects.filter(category=category, is_default=True, is_active=True).first()


def read(
    *,
    text: str,
    category: str | None = None,
    matter: str | None = None,
) -> Reading:
    """Reads ``text`` (title and description) for its category and matter.

    ``category``: the citizen's choice (a code), which wins over the classifier. ``matter``: the
    citizen's choice or answer (a code, or UNKNOWN), which wins over the text when it belongs
    to the category. Where nothing names the matter, the category's most likely holder stands
    for it (``matter_from`` "default" when a question was due, else "category"). Costs the
    classifier and a few small queries."""
    ranked = suggest(text, limit=3, minimum=0.0)
    scores = dict(ranked)
    chosen = _category(category) if category else None
    if chosen is None and ranked and ranked[0][1] >= MINIMUM:
        chosen = _category(ranked[0][0])
    given = _matter(matter) if matter and matter != UNKNOWN else None
    if given is not None and (chosen is None or given.category_id == chosen.pk):
        return Reading(ranked, given.category, scores.get(given.category.code), given, "given")
    found = match_matter(text, category=chosen.code if chosen else None)
    if found is None and category is None:
        found = _overriding(match_matter(text, category=None), ranked)
    if found is not None and (m := _matter(found[0].matter)) is not None:
        if chosen is None or m.category_id == chosen.pk or category is None:
            code = m.category.code
            return Reading(ranked, m.category, scores.get(code), m, "text", because=found[1])
    if chosen is None:
        return Reading(ranked)
    question = None if matter == UNKNOWN else question_for(chosen.code, text)
    fallback = default_matter(chosen, question or question_for(chosen.code, text))
    how = ("default" if question or matter == UNKNOWN else "category") if fallback else ""
    return Reading(ranked, chosen, scores.get(chosen.code), fallback, how, question)


def _overriding(found, ranked):
    """A strong pattern of another category than the classifier's settles the category only
    when the classifier is unsure (below UNSURE), or not sure (below SURE) and has that category
    among its three."""
    if found is None or not ranked:
        return found
    first = ranked[0][1]
    if first < UNSURE or (first < SURE and found[0].category in {c for c, _ in ranked}):
        return found
    return None


def _category(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True).first()


def _matter(code: str) -> Matter | None:
    return Matter.objects.filter(code=code, is_active=True).select_related("category").first()
