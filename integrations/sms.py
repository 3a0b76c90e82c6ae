"""The SMS channel (the 1708 number): texts arriving from the SMS gateway become reports, and
answers go back by SMS through the outbox (``complaints.sms`` sends them).

What a citizen may send:

- ``LAPOR <kab/kota or province> <message>``: a report in that region. The region is a
  regency or city name ("LAPOR KOTA BANDUNG ...", "LAPOR KAB BOGOR ...", "LAPOR BANDUNG BARAT
  ..."), a province name ("LAPOR JAWA BARAT ...") or an official code ("LAPOR 3273 ...").
  The longest name that matches wins. A bare name shared by a kabupaten and a kota ("LAPOR
  BANDUNG ...") files the report for their province and leaves the regency to triage; a name
  shared across provinces is asked back.
- ``STATUS <tracking number>``: the report's status.
- ``BERES <tracking number>`` / ``BELUM <tracking number> <what is not fixed>``: the answer to
  "Sudah beres?" (complaints.sweeps.ask_followups), from the phone the report gave; "belum"
  reopens the report.
- Anything else (free text): a report if it names its place with "KOTA x", "KAB x" or
  "PROVINSI x"; otherwise LAPOR asks for the region and files the text when the citizen
  answers with one (within a day).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Province, Regency
from complaints import tracking
from complaints.errors import DomainError
from complaints.models import Channel, FollowUp, Kind, Report
from complaints.notifications import outbox_add
from complaints.services import NewReport, followup_answer, report_submit
from core.memo import Memo

from .models import SmsInbound

MIN_MESSAGE = 15
PENDING_FOR = dt.timedelta(hours=24)
HELP = "Format: LAPOR <kab/kota> <isi laporan>. Cek status: STATUS <nomor laporan>."
_KAB = {"KAB", "KAB.", "KABUPATEN"}
_KOTA = {"KOTA"}
_PROV = {"PROV", "PROV.", "PROVINSI"}


def _norm(text: str) -> str:
    return re.sub(r"[^A-Z0-9 ]+", " ", text.upper()).strip()


def _strip_kind(name: str) -> str:
    for prefix in ("KABUPATEN ", "KOTA ", "KOTA ADM ", "KOTA ADMINISTRASI "):
        if name.startswith(prefix):
            return name[len(prefix) :].strip()
    return name


def _load_index() -> dict:
    regencies: dict[str, list[tuple[str, str, str]]] = {}
    for code, province, kind, name in Regency.objects.values_list(
        "code", "province_id", "kind", "name"
    ):
        base = _strip_kind(_norm(name).replace("ADM ", "ADMINISTRASI "))
        base = base.replace("ADMINISTRASI ", "")
        regencies.setdefault(base, []).append((code, province, kind))
    provinces = {_norm(name): code for code, name in Province.objects.values_list("code", "name")}
    return {"regencies": regencies, "provinces": provinces}


REGIONS = Memo(_load_index, ttl=3600)


@dataclass
class Region:
    province: str
    regency: str | None = None


class Ambiguous(Exception):
    pass


def match_region(words: list[str]) -> tuple[Region | None, int]:
    """The region named at the start of ``words`` and how many words it used.

    Raises Ambiguous for a bare name shared by regencies of different provinces."""
    if not words:
        return None, 0
    index = REGIONS.get()
    first = words[0]
    if re.fullmatch(r"\d{4}", first):
        regency = Regency.objects.filter(code=first).values_list("province_id", flat=True).first()
        return (Region(regency, first), 1) if regency else (None, 0)
    if re.fullmatch(r"\d{2}", first) and first in index["provinces"].values():
        return Region(first), 1
    hint, skip = None, 0
    if first in _KAB:
        hint, skip = "kabupaten", 1
    elif first in _KOTA:
        hint, skip = "kota", 1
    elif first in _PROV:
        hint, skip = "province", 1
    rest = words[skip:]
    for n in range(min(5, len(rest)), 0, -1):
        name = " ".join(rest[:n])
        candidates = []
        if hint != "province":
            candidates = [
                Region(province, code)
                for code, province, kind in index["regencies"].get(name, [])
                if hint is None or kind == hint
            ]
        province_code = index["provinces"].get(name) if hint in (None, "province") else None
        if not candidates and not province_code:
            continue
        used = skip + n
        if len(candidates) == 1 and not province_code:
            return candidates[0], used
        provinces = {c.province for c in candidates} | ({province_code} - {None})
        if len(provinces) == 1:
            return Region(provinces.pop()), used
        raise Ambiguous(name)
    return None, 0


def find_region_in(text: str) -> Region | None:
    """A place named explicitly anywhere in free text: "kota x", "kab x", "provinsi x"."""
    words = _norm(text).split()
    for i, word in enumerate(words):
        if word in _KAB | _KOTA | _PROV:
            try:
                region, _used = match_region(words[i:])
            except Ambiguous:
                continue
            if region is not None:
                return region
    return None


# --- handling one inbound text -------------------------------------------------------------


@dataclass
class Outcome:
    reply: str
    state: str
    report: Report | None = None


def handle_inbound(*, gateway_id: str, sender: str, text: str) -> SmsInbound:
    """Handles one text once: a second delivery of the same gateway id changes nothing and
    returns the first outcome. The reply SMS is an outbox row committed with the report."""
    sender = sender.strip()[:20]
    text = (text or "").strip()[:2000]
    with translation.override("id"), transaction.atomic():
        inbound, created = SmsInbound.objects.get_or_create(
            gateway_id=gateway_id[:100],
            defaults={"sender": sender, "text": text, "state": SmsInbound.State.REJECTED},
        )
        if not created:
            return inbound
        outcome = _decide(sender, text)
        inbound.state, inbound.reply, inbound.report = (
            outcome.state,
            outcome.reply,
            outcome.report,
        )
        inbound.save(update_fields=["state", "reply", "report"])
        if outcome.reply:
            outbox_add(
                dedupe_key=f"sms-in:{inbound.pk}:reply",
                channel="sms",
                recipient=sender,
                subject="SMS 1708",
                body=outcome.reply[:459],  # three SMS parts at most
                report=outcome.report,
            )
    return inbound


def _decide(sender: str, text: str) -> Outcome:
    words = _norm(text).split()
    keyword = words[0] if words else ""
    if keyword == "STATUS":
        return _status(" ".join(text.split()[1:]))
    if keyword in ("BERES", "BELUM"):
        return _followup(sender, text.split()[1:], fixed=keyword == "BERES")
    if keyword == "LAPOR":
        raw_words = text.split()[1:]
        try:
            region, used = match_region(words[1:])
        except Ambiguous as exc:
            return Outcome(
                _(
                    "Nama wilayah %(n)s ada di beberapa provinsi. Tulis: LAPOR KOTA/KAB <nama> "
                    "<isi laporan>."
                )
                % {"n": str(exc).title()},
                SmsInbound.State.REJECTED,
            )
        if region is None:
            return _ask_region(sender, " ".join(raw_words), first=False)
        message = " ".join(raw_words[used:]).strip()
        if not message:
            pending = _pending(sender)
            if pending is not None:
                return _file(sender, pending.text, region, pending=pending)
            return Outcome(_("Isi laporan kosong. ") + HELP, SmsInbound.State.REJECTED)
        return _file(sender, message, region)
    # Free text: a region named in it, or an answer naming the region of a pending text.
    pending = _pending(sender)
    if pending is not None:
        try:
            region, used = match_region(words)
        except Ambiguous:
            region, used = None, 0
        if region is not None and used == len(words):
            return _file(sender, pending.text, region, pending=pending)
    region = find_region_in(text)
    if region is not None:
        return _file(sender, text, region)
    return _ask_region(sender, text, first=True)


def _pending(sender: str) -> SmsInbound | None:
    return (
        SmsInbound.objects.filter(
            sender=sender,
            state=SmsInbound.State.AWAITING_REGION,
            created_at__gte=timezone.now() - PENDING_FOR,
        )
        .order_by("-created_at")
        .first()
    )


def _ask_region(sender: str, text: str, *, first: bool) -> Outcome:
    if len(text) < MIN_MESSAGE:
        return Outcome(HELP, SmsInbound.State.REJECTED)
    return Outcome(
        _(
            "Laporan Anda belum kami terima karena wilayahnya belum jelas. Balas dengan nama "
            "kab/kota Anda, contoh: KOTA BANDUNG. Atau kirim: LAPOR <kab/kota> <isi laporan>."
        ),
        SmsInbound.State.AWAITING_REGION,
    )


def _file(sender: str, message: str, region: Region, pending: SmsInbound | None = None):
    if len(message) < MIN_MESSAGE:
        return Outcome(
            _("Isi laporan terlalu singkat. Ceritakan apa, di mana, kapan. ") + HELP,
            SmsInbound.State.REJECTED,
        )
    title = message if len(message) <= 80 else message[:77].rsplit(" ", 1)[0] + "..."
    report = report_submit(
        data=NewReport(
            kind=Kind.COMPLAINT,
            title=title if len(title) >= 5 else f"Laporan SMS: {title}",
            description=message,
            province_id=region.province,
            regency_id=region.regency,
            channel=Channel.SMS,
            reporter_phone=sender,
        )
    )
    if pending is not None:
        SmsInbound.objects.filter(pk=pending.pk).update(state=SmsInbound.State.USED, report=report)
    return Outcome(
        _("Laporan Anda diterima dengan nomor %(t)s. Cek status: kirim STATUS %(t)s ke 1708.")
        % {"t": report.tracking},
        SmsInbound.State.FILED,
        report,
    )


def _status(number: str) -> Outcome:
    try:
        normalized = tracking.normalize(number)
    except tracking.TrackingError:
        return Outcome(
            _("Nomor laporan tidak dikenali. Contoh: STATUS LPR-7K3QA-9M2XB"),
            SmsInbound.State.STATUS,
        )
    report = Report.objects.select_related("agency").filter(tracking=normalized).first()
    if report is None:
        return Outcome(
            _("Laporan %(t)s tidak ditemukan.") % {"t": normalized}, SmsInbound.State.STATUS
        )
    text = f"{report.tracking}: {report.get_status_display()}"
    if report.agency is not None:
        text += f" ({report.agency.name})"
    return Outcome(text + ".", SmsInbound.State.STATUS, report)


def _digits(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


def _followup(sender: str, words: list[str], *, fixed: bool) -> Outcome:
    """ "BERES <nomor>" or "BELUM <nomor> <alasan>": answers the open "Sudah beres?" question of
    a report filed with this phone (services.followup_answer, the status machine)."""
    number = " ".join(words[:1])
    note = " ".join(words[1:]).strip()
    try:
        normalized = tracking.normalize(number)
    except tracking.TrackingError:
        return Outcome(
            _("Nomor laporan tidak dikenali. Contoh: BERES LPR-7K3QA-9M2XB"),
            SmsInbound.State.STATUS,
        )
    question = (
        FollowUp.objects.select_related("report")
        .filter(report__tracking=normalized, answer="")
        .order_by("-pk")
        .first()
    )
    if question is None or _digits(question.report.reporter_phone) != _digits(sender):
        return Outcome(
            _("Tidak ada pertanyaan terbuka untuk laporan %(t)s dari nomor ini.")
            % {"t": normalized},
            SmsInbound.State.STATUS,
        )
    report = question.report
    if not fixed and not note:
        return Outcome(
            _("Tulis apa yang belum beres: BELUM %(t)s <alasan>.") % {"t": report.tracking},
            SmsInbound.State.STATUS,
            report,
        )
    try:
        followup_answer(
            followup_id=question.pk,
            fixed=fixed,
            note=note,
            token=report.reporter_secret,  # the phone the report gave: its reporter
        )
    except DomainError as exc:
        return Outcome(exc.message, SmsInbound.State.STATUS, report)
    if fixed:
        reply = _("Terima kasih, jawaban Anda untuk %(t)s tercatat.")
    else:
        reply = _("Laporan %(t)s dibuka kembali dan diteruskan ke instansi.")
    return Outcome(reply % {"t": report.tracking}, SmsInbound.State.STATUS, report)
