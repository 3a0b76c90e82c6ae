"""The public service survey (SKM) of PermenPANRB 14/2017: nine elements answered 1-4, the index
IKM = (sum of each element's mean x 0.111) x 25, graded A-D by the regulation's table; asked
once, after closing, and counted per agency and per service (category) from summary rows."""

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints import skm
from complaints.errors import InvalidAction, TransitionNotAllowed
from complaints.models import SurveyResponse
from complaints.services import report_transition
from monitoring import satisfaction
from monitoring.rebuild import differences
from monitoring.selectors import Range
from tests.factories import dispatched_report, otp_verify

# Three made-up respondents; the index worked by hand from the regulation's formula:
ANSWERS = [
    [4, 4, 3, 4, 3, 4, 4, 3, 4],
    [3, 3, 2, 4, 3, 3, 4, 2, 3],
    [4, 3, 3, 4, 4, 3, 4, 3, 3],
]
# Element sums 11, 10, 8, 12, 10, 10, 12, 8, 10; means (NRR) 3.667, 3.333, 2.667, 4.000,
# 3.333, 3.333, 4.000, 2.667, 3.333. Weighted: each x 0.111, summed = 91/3 x 0.111 = 3.367;
# x 25 = 84.175, to two decimals 84.18: grade B (76.61-88.30), "Baik".
BY_HAND = Decimal("84.18")


def test_the_index_matches_a_hand_computation():
    sums = [sum(col) for col in zip(*ANSWERS, strict=True)]
    ind = skm.index(len(ANSWERS), sums)
    assert ind.ikm == BY_HAND
    assert (ind.grade, str(ind.grade_label)) == ("B", "Baik")
    assert ind.means[:4] == (
        Decimal("3.667"),
        Decimal("3.333"),
        Decimal("2.667"),
        Decimal("4.000"),
    )


def test_the_grades_follow_the_regulations_intervals():
    def grade_of(total_answers: int, n: int = 1) -> tuple:
        ind = skm.index(n, [total_answers] + [0] * 8)  # only the sum of all answers counts
        return ind.ikm, ind.grade

    assert grade_of(36) == (Decimal("99.90"), "A")  # all 4: 36 x 0.111 x 25 (weight as written)
    assert grade_of(9) == (Decimal("24.98"), "D")  # all 1
    # 88.30 is B and 88.31 is A; 76.60 is C and 76.61 is B; 64.99 is D and 65.00 is C.
    assert skm.index(1000, [31820] + [0] * 8).ikm == Decimal("88.30")
    assert skm.index(1000, [31820] + [0] * 8).grade == "B"
    assert skm.index(10000, [318235] + [0] * 8).grade == "A"  # 88.31
    assert skm.index(1000, [27604] + [0] * 8).grade == "C"  # 76.60
    assert skm.index(1000, [27608] + [0] * 8).grade == "B"  # 76.61
    assert skm.index(1000, [23422] + [0] * 8).ikm == Decimal("65.00")
    assert skm.index(1000, [23422] + [0] * 8).grade == "C"
    assert skm.index(1000, [23420] + [0] * 8).ikm == Decimal("64.99")
    assert skm.index(1000, [23420] + [0] * 8).grade == "D"
    assert skm.index(0, [0] * 9).ikm is None


def _closed(agency, cast, **overrides):
    report = dispatched_report(agency, cast.national, **overrides)
    for action in ("respond", "resolve"):
        report_transition(report_id=report.pk, action=action, actor=cast.officer_a, note="ok")
    report_transition(report_id=report.pk, action="accept", token=report.reporter_secret, rating=4)
    return report


@pytest.mark.django_db
def test_surveys_are_counted_per_agency_and_service_from_summary_rows(
    client, cast, agency_a, django_assert_num_queries
):
    from routing.models import Category

    roads, health = Category.objects.filter(is_active=True)[:2]
    reports = [_closed(agency_a, cast, category_id=c.pk) for c in (roads, roads, health)]
    for report, answers in zip(reports, ANSWERS, strict=True):
        report_transition(
            report_id=report.pk, action="survey", token=report.reporter_secret, answers=answers
        )
    reports[0].refresh_from_db()
    assert reports[0].rating == 4 and reports[0].surveyed_at is not None  # the stars stay
    period = Range.this_year()
    with django_assert_num_queries(1):
        whole = satisfaction.index_of(period=period, where=None)
    assert (whole.n, whole.ikm) == (3, BY_HAND)
    by_agency = satisfaction.index_by(by="owner", period=period)
    assert by_agency[agency_a.pk].ikm == BY_HAND
    by_service = satisfaction.index_by(by="category", period=period)
    two = skm.index(2, [sum(c) for c in zip(*ANSWERS[:2], strict=True)])
    assert by_service[roads.pk].ikm == two.ikm and by_service[health.pk].n == 1
    assert differences() == []

    client.force_login(cast.national)
    otp_verify(client, cast.national)
    page = client.get(reverse("monitoring:agency", args=[agency_a.pk]))
    assert page.context["skm"]["whole"].ikm == BY_HAND
    assert b'data-testid="skm-ikm">84.18<' in page.content or b">84,18<" in page.content
    public = client.get(reverse("statistik"))
    assert public.context["skm"]["whole"].ikm == BY_HAND
    assert len(public.context["skm"]["categories"]) == 2


@pytest.mark.django_db
def test_the_survey_is_asked_once_and_only_after_closing(cast, agency_a):
    open_report = dispatched_report(agency_a, cast.national)
    with pytest.raises(TransitionNotAllowed):
        report_transition(
            report_id=open_report.pk,
            action="survey",
            token=open_report.reporter_secret,
            answers=ANSWERS[0],
        )
    closed = _closed(agency_a, cast)
    for bad in ([4] * 8, [5] * 9, [0] * 9, ["x"] * 9):
        with pytest.raises(InvalidAction):
            report_transition(
                report_id=closed.pk, action="survey", token=closed.reporter_secret, answers=bad
            )
    report_transition(
        report_id=closed.pk, action="survey", token=closed.reporter_secret, answers=ANSWERS[0]
    )
    with pytest.raises(TransitionNotAllowed):
        report_transition(
            report_id=closed.pk, action="survey", token=closed.reporter_secret, answers=ANSWERS[1]
        )
    assert SurveyResponse.objects.get(report=closed).answers == ANSWERS[0]
