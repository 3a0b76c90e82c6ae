"""The matter read from the citizen's text: the patterns name matters of the catalogue, the
words the law uses settle the matter, the question is asked only where it matters and the text
does not say, and "tidak tahu" stands for the most likely holder."""

import csv

import pytest

from routing import understand
from routing.understand import QUESTIONS, UNKNOWN, read

from .test_classifier_eval import eval_rows

MATTERS = understand.PATTERNS.parent / "matters.csv"


def catalogue() -> dict[str, str]:
    with MATTERS.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["category"] for row in csv.DictReader(f)}


def test_patterns_and_questions_name_matters_of_their_category():
    known = catalogue()
    for p in understand.patterns():
        assert known.get(p.matter) == p.category, p.matter
    for q in QUESTIONS:
        for code, _label in q.choices:
            assert code == UNKNOWN or known.get(code) == q.category, code
        assert known.get(q.unknown) == q.category
        assert q.choices[-1][0] == UNKNOWN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "category", "matter"),
    [
        ("Jalan nasional di depan terminal amblas dan retak", "infrastruktur", "jalan-nasional"),
        ("jln tol cipularang banyak lubang", "infrastruktur", "jalan-tol"),
        ("SMAN 2 menahan ijazah karena uang komite", "pendidikan", "sma-smk-slb"),
        ("Antrean di RSUD provinsi sangat panjang", "kesehatan", "rsud-provinsi"),
        ("Bikin paspor di kanim antri 2 bulan", "keimigrasian", "paspor-visa"),
        ("KRL arah Bogor telat terus tiap pagi", "perhubungan", "krl-commuter"),
    ],
)
def test_the_words_of_the_law_settle_the_matter_and_its_category(text, category, matter):
    reading = read(text=text)
    assert (reading.category.code, reading.matter.code, reading.matter_from) == (
        category,
        matter,
        "text",
    )
    assert reading.question is None


@pytest.mark.django_db
def test_a_road_without_its_status_asks_and_tidak_tahu_is_the_regency():
    text = "Jalan menuju pasar rusak berat dan berlubang, motor sering jatuh"
    reading = read(text=text)
    assert reading.category.code == "infrastruktur"
    assert reading.question.key == "road"
    assert (reading.matter.code, reading.matter_from) == ("jalan-kabupaten-kota", "default")
    answered = read(text=text, matter="jalan-provinsi")
    assert (answered.matter.code, answered.matter_from, answered.question) == (
        "jalan-provinsi",
        "given",
        None,
    )
    unknown = read(text=text, matter=UNKNOWN)
    assert (unknown.matter.code, unknown.question) == ("jalan-kabupaten-kota", None)


@pytest.mark.django_db
def test_a_drain_is_not_asked_which_road_it_is():
    reading = read(text="Selokan di depan rumah tersumbat sampah, air meluap tiap hujan")
    assert reading.category.code == "infrastruktur"
    assert reading.question is None
    assert reading.matter.code == "drainase-jembatan-kabupaten"


@pytest.mark.django_db
def test_a_matter_of_another_category_than_the_chosen_one_is_not_taken():
    reading = read(text="Jalan tol rusak", category="pendidikan", matter="jalan-tol")
    assert reading.category.code == "pendidikan"
    assert reading.matter is None or reading.matter.category.code == "pendidikan"


@pytest.mark.django_db
def test_matter_accuracy_on_new_citizen_texts():
    rows = [r for r in eval_rows() if r["matter"]]
    from_text = given = 0
    for row in rows:
        reading = read(text=row["text"])
        from_text += bool(reading.matter) and reading.matter.code == row["matter"]
        with_category = read(text=row["text"], category=row["category"])
        given += bool(with_category.matter) and with_category.matter.code == row["matter"]
    print(
        f"\nmatter on {len(rows)} labelled texts: from the text alone {from_text / len(rows):.3f}"
        f", with the right category {given / len(rows):.3f} (before: no matter at all, 0)"
    )
    assert from_text / len(rows) >= 0.75
    assert given / len(rows) >= 0.8
