"""Where a report would go, before it is sent, and why, in words a citizen reads: the same
reading of the text (routing.understand) and the same decision (routing.selectors.decide) that
triage and routing use after filing. Plain values in; nothing is written."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from agencies.models import Agency

from .selectors import Decision, decide
from .understand import Reading, read

LEVEL_HOLDER = {
    Agency.Level.NATIONAL: lambda: _("pemerintah pusat"),
    Agency.Level.PROVINCE: lambda: _("pemerintah provinsi"),
    Agency.Level.REGENCY: lambda: _("pemerintah kabupaten/kota"),
}


@dataclass(frozen=True)
class Preview:
    reading: Reading
    decision: Decision
    agency: Agency | None
    path: list[str]
    explanation: str


def routing_preview(
    *,
    title: str,
    description: str,
    kind: str,
    province: str | None,
    regency: str | None = None,
    category: str | None = None,
    matter: str | None = None,
) -> Preview:
    """Reads the text, decides as routing will, and explains the outcome to the citizen.

    ``category`` and ``matter`` are codes the citizen chose (``matter`` may be
    routing.understand.UNKNOWN). Codes are trusted to be checked by the caller's form or
    serializer; an unknown one is ignored. Costs the classifier and a few small queries."""
    reading = read(text=f"{title}\n{description}", category=category, matter=matter)
    decision = decide(
        category_id=reading.category.pk if reading.category else None,
        matter_id=reading.matter.pk if reading.matter else None,
        kind=kind,
        province_code=province or None,
        regency_code=regency or None,
    )
    agency = Agency.objects.filter(pk=decision.agency_id).first() if decision.agency_id else None
    return Preview(reading, decision, agency, agency_path(agency), explain(reading, agency))


def agency_path(agency: Agency | None) -> list[str]:
    """Names from the top agency down to ``agency`` (one query)."""
    if agency is None:
        return []
    ids = [int(pk) for pk in agency.path.split("/") if pk]
    names = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[pk] for pk in ids if pk in names]


def explain(reading: Reading, agency: Agency | None) -> str:
    """One sentence: where, and because of what (the matter's holder, or the category)."""
    if agency is None:
        if reading.category is None:
            return _(
                "Tujuan belum dapat ditebak dari isi laporan. Admin nasional akan memeriksa "
                "laporan Anda dan meneruskannya ke instansi yang berwenang."
            )
        return _(
            "Admin nasional akan memeriksa laporan Anda dan meneruskannya ke instansi yang "
            "berwenang."
        )
    if reading.matter is not None:
        holder = LEVEL_HOLDER.get(reading.matter.level, LEVEL_HOLDER[Agency.Level.NATIONAL])()
        sentence = _(
            "Laporan Anda akan diteruskan ke %(agency)s, karena %(matter)s menjadi urusan "
            "%(holder)s."
        ) % {"agency": agency.name, "matter": _in_sentence(reading.matter.name), "holder": holder}
        if reading.matter_from == "default":
            sentence += " " + _(
                "Jika ternyata bukan urusannya, instansi itu akan meneruskannya ke yang berwenang."
            )
        return sentence
    if reading.category is None:
        return _("Laporan Anda akan diteruskan ke %(agency)s.") % {"agency": agency.name}
    return _(
        "Laporan Anda akan diteruskan ke %(agency)s, yang menangani %(category)s di wilayah ini."
    ) % {"agency": agency.name, "category": _in_sentence(reading.category.name)}


def _in_sentence(name: str) -> str:
    """ "Jalan nasional" inside a sentence is "jalan nasional"; "SMA" stays "SMA"."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name
