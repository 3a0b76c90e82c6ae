"""Summary rows for the dashboards. The dashboards read these, never the reports table.

A report counts in one row per grain and period:
- grains: by province (``P``: national and public pages), by top-level agency and the report's
  province (``O``: province pages, agency pages, rankings) and by agency and unit (``H``: an
  agency's units);
- periods: the year (``y``), month (``m``) and day (``d``) it was received, so any range reads
  whole years, whole months and a few days, and "this year" is one row per province and status.
When a report changes (a status, a transfer, a reopening), its old contribution is taken out
and its new one put in, in the transaction of the change (monitoring.facts), so counts stay
right. ``manage.py rebuild_summaries --check`` recomputes everything from the reports.

Filings do not update these shared rows: every change appends its difference to a delta table
of the same shape (``SummaryDelta``, ``DurationDelta``, ``WeeklyDelta``, ``SkmDelta``, plain
INSERTs, so no two filings wait on one row), and ``monitoring.fold`` adds the deltas into the
rows every few seconds. Readers add the unfolded deltas to the rows in the same statement, so a
figure is exact at any moment.

Key columns are plain values with sentinels ('' for no province, 0 for no agency) rather than
nullable foreign keys, so one INSERT ... ON CONFLICT adds to a row."""

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY = ["grain", "period", "start", "province", "owner", "holder", "status"]
DURATION_KEY = ["grain", "period", "start", "province", "owner", "holder", "measure", "bucket"]


class Grain(models.TextChoices):
    PROVINCE = "P", _("provinsi")
    OWNER = "O", _("instansi")
    HOLDER = "H", _("unit kerja")


class Period(models.TextChoices):
    YEAR = "y", _("tahun")
    MONTH = "m", _("bulan")
    DAY = "d", _("hari")


class SummaryFields(models.Model):
    """The columns of a summary row (``Summary``) and of a change to one (``SummaryDelta``)."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField()
    province = models.CharField(max_length=2, blank=True)
    owner = models.IntegerField(default=0)  # top-level agency holding the report, 0 = none
    holder = models.IntegerField(default=0)  # the agency or unit holding it, 0 = none
    status = models.CharField(max_length=12)

    n = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    followed_up = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)  # answered within every limit due so far
    late = models.IntegerField(default=0)  # missed a limit (complaints.deadlines.is_late)
    overdue = models.IntegerField(default=0)
    resolved_ever = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    reopen_total = models.IntegerField(default=0)
    transferred = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    rating_n = models.IntegerField(default=0)
    # The verification clock (complaints.deadlines): verified within the limit, missed it
    # (waiting past it now, or verified after it), waiting past it now, and of those the ones
    # national triage must verify (the others name an agency that verifies them itself).
    verify_on_time = models.IntegerField(default=0)
    verify_late = models.IntegerField(default=0)
    verify_overdue = models.IntegerField(default=0)
    verify_overdue_triage = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Summary(SummaryFields):
    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY, name="summary_key")]
        indexes = [
            # monitoring.selectors: rows of one grain and period, by start (and then agency).
            # On PostgreSQL this index and summary_key also INCLUDE the summed columns
            # (migration 0002), so a dashboard reads the index alone.
            models.Index(fields=["grain", "period", "start", "owner"], name="summary_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.grain}{self.period}{self.start} {self.province}/{self.owner} {self.status}"


class DurationFields(models.Model):
    """How many reports took a number of days, dispatch to first response or to resolution.
    Buckets 0 to 30 are single days; then 31-60, 61-90, 91-180, 181-365, and over 365."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField()
    province = models.CharField(max_length=2, blank=True)
    owner = models.IntegerField(default=0)
    holder = models.IntegerField(default=0)
    measure = models.CharField(max_length=10)  # "response" or "resolution"
    bucket = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Duration(DurationFields):
    class Meta:
        constraints = [models.UniqueConstraint(fields=DURATION_KEY, name="duration_key")]
        indexes = [
            # With its other columns INCLUDEd on PostgreSQL, as summary_lookup (migration 0002).
            models.Index(fields=["grain", "period", "start", "owner"], name="duration_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.bucket} x{self.n}"


class SummaryDelta(SummaryFields):
    """A change to a ``Summary`` row not yet folded into it (append-only, no index: filings
    only INSERT here, the fold deletes what it added)."""

    def __str__(self) -> str:
        return f"delta {self.pk}: {self.n:+d}"


class DurationDelta(DurationFields):
    """A change to a ``Duration`` row not yet folded into it."""

    def __str__(self) -> str:
        return f"delta {self.pk}: {self.n:+d}"


class RatingBand(models.Model):
    """Thresholds for grading a regional government (good / fair; below fair is poor), set by
    national admins. Rates are fractions from 0 to 1."""

    class Band(models.TextChoices):
        GOOD = "good", _("Baik")
        FAIR = "fair", _("Cukup")

    band = models.CharField(max_length=4, choices=Band.choices, unique=True)
    min_completion = models.FloatField(default=0)
    min_follow_up = models.FloatField(default=0)
    min_on_time = models.FloatField(default=0)

    class Meta:
        verbose_name = _("ambang peringkat")
        verbose_name_plural = _("ambang peringkat")

    def __str__(self) -> str:
        return self.get_band_display()


class WeeklyFields(models.Model):
    """Reports received per week (Monday to Sunday, Jakarta time), regency and category: the
    series the early-warning check reads (monitoring.warnings). Kept up to date in the
    transaction of each change, like the summaries; ``rebuild_summaries`` recomputes it."""

    week = models.DateField()  # the Monday
    province = models.CharField(max_length=2, blank=True)
    regency = models.CharField(max_length=4, blank=True)  # '' = no regency given
    category = models.IntegerField(default=0)  # 0 = no category
    n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class WeeklyCount(WeeklyFields):
    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "province", "regency", "category"], name="weekly_key"
            )
        ]
        indexes = [models.Index(fields=["week", "province"], name="weekly_lookup")]

    def __str__(self) -> str:
        return f"{self.week} {self.regency}/{self.category}: {self.n}"


class WeeklyDelta(WeeklyFields):
    """A change to a ``WeeklyCount`` row not yet folded into it."""

    def __str__(self) -> str:
        return f"delta {self.pk}: {self.n:+d}"


class EarlyWarning(models.Model):
    """A regency and category whose reports in a week were far above their usual level, by the
    rule in monitoring.warnings (written by the weekly check, once per week and place)."""

    week = models.DateField()
    province = models.CharField(max_length=2)
    regency = models.CharField(max_length=4, blank=True)
    category = models.IntegerField(default=0)
    count = models.IntegerField()
    mean = models.FloatField()  # of the previous weeks
    sd = models.FloatField()
    threshold = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week", "province", "regency", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "province", "regency", "category"], name="warning_once"
            )
        ]
        verbose_name = _("peringatan dini")
        verbose_name_plural = _("peringatan dini")

    def __str__(self) -> str:
        return f"{self.week} {self.regency}/{self.category}: {self.count}"


class SkmFields(models.Model):
    """The public service survey's answers (complaints.SurveyResponse) added up per period of
    the survey, province, agency and category, so the index (complaints.skm.index) of any
    agency, service or period reads these rows, not the answers."""

    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField()
    province = models.CharField(max_length=2, blank=True)
    owner = models.IntegerField(default=0)
    category = models.IntegerField(default=0)
    n = models.IntegerField(default=0)
    s1 = models.IntegerField(default=0)
    s2 = models.IntegerField(default=0)
    s3 = models.IntegerField(default=0)
    s4 = models.IntegerField(default=0)
    s5 = models.IntegerField(default=0)
    s6 = models.IntegerField(default=0)
    s7 = models.IntegerField(default=0)
    s8 = models.IntegerField(default=0)
    s9 = models.IntegerField(default=0)

    class Meta:
        abstract = True


class SkmSummary(SkmFields):
    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "start", "province", "owner", "category"], name="skm_key"
            )
        ]

    def __str__(self) -> str:
        return f"SKM {self.period}{self.start} {self.owner}/{self.category}: {self.n}"


class SkmDelta(SkmFields):
    """A survey's answers not yet folded into their ``SkmSummary`` rows."""

    def __str__(self) -> str:
        return f"delta {self.pk}: {self.n:+d}"


# Each summary table and the table of its unfolded changes (monitoring.fold).
DELTAS = {
    Summary: SummaryDelta,
    Duration: DurationDelta,
    WeeklyCount: WeeklyDelta,
    SkmSummary: SkmDelta,
}
