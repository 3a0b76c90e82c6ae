"""Open311 GeoReport v2 under /open311/v2/, so existing Open311 clients and city apps can file
and follow reports.

- services are LAPOR's categories (``service_code`` = the category code);
- service requests are reports (``service_request_id`` = the tracking number); ``open`` is
  a report still being worked, ``closed`` one resolved, closed, rejected or merged;
- a confidential report never appears (not listed, and its id answers 404 like an unknown
  one); no request carries anything about who filed it;
- POST needs the ``api_key`` of an integration client (an agency's API key); the report is
  filed through ``complaints.services.report_submit`` (channel ``open311``) and names the
  key's agency. Its region is ``jurisdiction_id`` (a regency or province code) or else the
  key's agency's own region;
- every resource answers as ``.json`` or ``.xml``; errors are the specification's
  ``[{"code", "description"}]`` (``<errors><error>``) with the same HTTP status.
"""

import datetime as dt
import xml.etree.ElementTree as ET  # we build XML here, never parse any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Province, Regency
from complaints.audiences import Audience, view_for
from complaints.converters import canonical
from complaints.models import OPEN_STATUSES, Channel, Kind, Report, ReportEvent
from complaints.services import NewReport, report_submit
from core import ratelimit, replica
from core.inputs import date_in_range, date_range_message
from core.siteurl import site_url
from routing.models import Category

from .auth import log_call
from .services import apikey_lookup

SPEC = "http://wiki.open311.org/GeoReport_v2"
TOKEN_SALT = "integrations.open311.token"  # noqa: S105  (a salt, not a secret)
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
CLOSED = {"resolved", "closed", "rejected", "merged", "archived"}


# --- rendering ------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _iso(value)
    return str(value)


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _element(name: str, value) -> ET.Element:
    node = ET.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            node.append(_element(key, child))
    elif isinstance(value, list):
        item = ITEM_NAMES.get(name, "item")
        for child in value:
            node.append(_element(item, child))
    else:
        node.text = _text(value)
    return node


def render(fmt: str, root: str, data, status: int = 200):
    """``data`` as JSON, or as XML under ``<root>`` (lists as repeated item elements)."""
    if fmt == "xml":
        body = ET.tostring(_element(root, data), encoding="unicode")
        return HttpResponse(
            '<?xml version="1.0" encoding="utf-8"?>\n' + body,
            content_type="text/xml; charset=utf-8",
            status=status,
        )
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str):
    return render(fmt, "errors", [{"code": status, "description": description}], status)


# --- discovery and services ---------------------------------------------------------------


@require_GET
@replica.reads
def discovery(request, fmt):
    base = f"{site_url()}/open311/v2"
    data = {
        "changeset": "2026-01-01T00:00:00+07:00",
        "contact": "LAPOR! (SP4N) — kontak pengelola melalui laman LAPOR",
        "key_service": f"{site_url()}/kerja/integrasi/",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": "2026-01-01T00:00:00+07:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join([category.name_id, category.name_en]),
        "group": category.get_default_level_display(),
    }


@require_GET
@replica.reads
def services(request, fmt):
    categories = Category.objects.filter(is_active=True).order_by("code")
    return render(fmt, "services", [_service(c) for c in categories])


def _attributes() -> list[dict]:
    return [
        {
            "variable": True,
            "code": "kind",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Jenis laporan (bawaan: pengaduan)."),
            "order": 1,
            "description": _("Jenis laporan"),
            "values": [{"key": value, "name": str(label)} for value, label in Kind.choices],
        },
        {
            "variable": True,
            "code": "title",
            "datatype": "string",
            "required": False,
            "datatype_description": _("5 sampai 200 karakter."),
            "order": 2,
            "description": _("Judul laporan"),
            "values": [],
        },
        {
            "variable": True,
            "code": "anonymous",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Sembunyikan identitas pelapor dari instansi."),
            "order": 3,
            "description": _("Anonim"),
            "values": [{"key": "true", "name": _("Ya")}, {"key": "false", "name": _("Tidak")}],
        },
        {
            "variable": True,
            "code": "confidential",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Jangan tampilkan laporan kepada publik."),
            "order": 4,
            "description": _("Rahasia"),
            "values": [{"key": "true", "name": _("Ya")}, {"key": "false", "name": _("Tidak")}],
        },
        {
            "variable": True,
            "code": "show_name",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Tampilkan nama pelapor di halaman publik laporan."),
            "order": 5,
            "description": _("Tampilkan nama"),
            "values": [{"key": "true", "name": _("Ya")}, {"key": "false", "name": _("Tidak")}],
        },
    ]


@require_GET
@replica.reads
def service_definition(request, code, fmt):
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return error(fmt, 404, _("service_code %(c)s tidak ditemukan.") % {"c": code})
    data = {"service_code": category.code, "attributes": _attributes()}
    return render(fmt, "service_definition", data)


# --- service requests -----------------------------------------------------------------------


def _status_notes(report: Report, notes: dict) -> str:
    return notes.get(report.pk, "")


def _latest_public_notes(reports: list[Report]) -> dict[int, str]:
    """The note of each report's latest public event that has one (one query)."""
    rows = (
        ReportEvent.objects.public()
        .filter(report_id__in=[r.pk for r in reports])
        .exclude(note="")
        .exclude(action__in=["submit", "reply", "provide_info", "dispute", "rate"])
        .order_by("report_id", "-pk")
        .values_list("report_id", "note")
    )
    notes: dict[int, str] = {}
    for report_id, note in rows:
        notes.setdefault(report_id, note)
    return notes


def _request(report: Report, notes: dict) -> dict:
    """A service request as the public sees the report (complaints.audiences): Open311 lists
    only published reports, and the view still decides each field."""
    view = view_for(report, Audience.PUBLIC)
    content = view.content
    category = report.category if content else None
    return {
        "service_request_id": report.tracking,
        "status": "closed" if report.status in CLOSED else "open",
        "status_notes": _status_notes(report, notes) if view.timeline_text else "",
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": report.description if content else "",
        "agency_responsible": report.agency.name if report.agency else "",
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.resolution_due or report.response_due),
        "address": report.address if content else "",
        "address_id": "",
        "zipcode": "",
        "lat": float(report.latitude) if content and report.latitude is not None else None,
        "long": float(report.longitude) if content and report.longitude is not None else None,
        "media_url": "",
    }


def _visible():
    """Reports Open311 may show: exactly what the public site shows (``Report.objects.public``:
    published once verified, never a confidential, rejected or merged one)."""
    return Report.objects.public().select_related("category", "agency")


def _date(value: str):
    """The W3C datetime, or None when it is not one: an offset beyond +-24:00 (Python refuses
    it with ValueError, which was a 500) or a day outside core.inputs' range (year 9999
    overflows once converted or shifted)."""
    try:
        parsed = parse_datetime(value.strip()) if value else None
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        if parsed is not None:
            date_in_range(parsed.astimezone(dt.UTC))
    except (ValueError, OverflowError, ValidationError):
        return None
    return parsed


@csrf_exempt
@require_http_methods(["GET", "POST"])
@replica.reads
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    qs = _visible()
    ids = [canonical(i) for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(tracking__in=ids[:MAX_REQUESTS])
    else:
        qs = qs.exclude(status__in=["rejected", "merged", "archived"])
        start = _date(params.get("start_date", ""))
        end = _date(params.get("end_date", ""))
        if (params.get("start_date") and start is None) or (params.get("end_date") and end is None):
            return error(
                fmt,
                400,
                _(
                    "start_date/end_date harus berformat ISO 8601 (w3c), dengan selisih zona "
                    "waktu kurang dari 24 jam. %(range)s"
                )
                % {"range": date_range_message()},
            )
        end = end or timezone.now()
        start = start or end - dt.timedelta(days=DEFAULT_DAYS)
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        if params.get("service_code"):
            qs = qs.filter(category__code__in=params["service_code"].split(","))
        status = params.get("status", "").strip()
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status == "closed":
            qs = qs.filter(status__in=CLOSED)
        elif status:
            return error(fmt, 400, _("status harus open atau closed."))
        jurisdiction = params.get("jurisdiction_id", "").strip()
        if jurisdiction:
            qs = qs.filter(Q(regency_id=jurisdiction) | Q(province_id=jurisdiction))
    reports = list(qs.order_by("-created_at", "-pk")[:MAX_REQUESTS])
    notes = _latest_public_notes(reports)
    return render(fmt, "service_requests", [_request(r, notes) for r in reports])


@require_GET
@replica.reads
def request_detail(request, service_request_id, fmt):
    report = _visible().filter(tracking=canonical(service_request_id)).first()
    if report is None:
        return error(
            fmt, 404, _("service_request_id %(i)s tidak ditemukan.") % {"i": service_request_id}
        )
    return render(fmt, "service_requests", [_request(report, _latest_public_notes([report]))])


def make_token(report: Report) -> str:
    return signing.dumps(report.pk, salt=TOKEN_SALT, compress=False)


@require_GET
def token_detail(request, token, fmt):
    try:
        report_id = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        report_id = None
    # The token is the submitter's: it gives the request's id even before publication.
    tokens = Report.objects.filter(is_confidential=False)
    report = tokens.filter(pk=report_id).first() if isinstance(report_id, int) else None
    if report is None:
        return error(fmt, 404, _("token %(t)s tidak ditemukan.") % {"t": token})
    return render(
        fmt, "service_requests", [{"service_request_id": report.tracking, "token": token}]
    )


def _region(request, key) -> tuple[str | None, str | None]:
    """(province code, regency code) from jurisdiction_id, else the key's agency's region."""
    jurisdiction = (request.POST.get("jurisdiction_id") or "").strip()
    if jurisdiction:
        regency = Regency.objects.filter(code=jurisdiction).first()
        if regency is not None:
            return regency.province_id, regency.code
        if Province.objects.filter(code=jurisdiction).exists():
            return jurisdiction, None
        return None, None
    agency = key.agency
    return agency.province_id, agency.regency_id


def _decimal(value: str, low: float, high: float):
    try:
        number = round(float(value), 6)
    except (TypeError, ValueError):
        return "bad"
    return number if low <= number <= high else "bad"


def _create(request, fmt):
    post = request.POST
    key = apikey_lookup(post.get("api_key", "").strip())
    if key is None or key.revoked_at is not None:
        if key is not None:
            log_call(key, "POST", request.path, 403)
        return error(fmt, 403, _("api_key tidak valid atau sudah dicabut."))
    response = _create_with_key(request, fmt, post, key)
    log_call(key, "POST", request.path, response.status_code)
    return response


def _create_with_key(request, fmt, post, key):
    allowed, _retry = ratelimit.hit(request, "api", key=f"key:{key.pk}")
    if not allowed:
        return error(fmt, 429, _("Terlalu banyak permintaan. Coba lagi nanti."))
    category = Category.objects.filter(code=post.get("service_code", ""), is_active=True).first()
    if category is None:
        return error(fmt, 400, _("service_code tidak ditemukan."))
    lat, lng = post.get("lat"), post.get("long")
    if not ((lat and lng) or post.get("address_string") or post.get("address_id")):
        return error(fmt, 400, _("Lokasi wajib: lat dan long, address_string, atau address_id."))
    latitude = _decimal(lat, -90, 90) if lat else None
    longitude = _decimal(lng, -180, 180) if lng else None
    if "bad" in (latitude, longitude):
        return error(fmt, 400, _("lat/long tidak valid."))
    description = (post.get("description") or "").strip()
    if not 10 <= len(description) <= 4000:
        return error(fmt, 400, _("description wajib, 10 sampai 4000 karakter."))
    email = (post.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return error(fmt, 400, _("email tidak valid."))
    province, regency = _region(request, key)
    if province is None:
        return error(fmt, 400, _("jurisdiction_id harus kode kabupaten/kota atau provinsi."))
    kind = post.get("attribute[kind]") or Kind.COMPLAINT
    if kind not in Kind.values:
        return error(fmt, 400, _("attribute[kind] tidak valid."))
    title = (post.get("attribute[title]") or "").strip()[:200]
    if len(title) < 5:
        title = f"{category.name_id}: {description[:60]}"[:200]
    privacy = {}
    for field in ("attribute[anonymous]", "attribute[confidential]", "attribute[show_name]"):
        value = post.get(field, "")
        if value not in ("", "true", "false"):
            return error(fmt, 400, _("%(f)s harus true atau false.") % {"f": field})
        privacy[field] = value == "true"
    if privacy["attribute[anonymous]"] and privacy["attribute[show_name]"]:
        return error(fmt, 400, _("Laporan anonim tidak menampilkan nama; pilih salah satu."))
    name = " ".join(p.strip() for p in (post.get("first_name"), post.get("last_name")) if p)
    address = (post.get("address_string") or "").strip()[:255]
    report = report_submit(
        data=NewReport(
            kind=kind,
            title=title,
            description=description,
            category_id=category.pk,
            province_id=province,
            regency_id=regency,
            address=address,
            latitude=latitude,
            longitude=longitude,
            is_anonymous=privacy["attribute[anonymous]"],
            is_confidential=privacy["attribute[confidential]"],
            show_name=privacy["attribute[show_name]"],
            reporter_name=name[:150],
            reporter_email=email[:254],
            reporter_phone=(post.get("phone") or "").strip()[:20],
            channel=Channel.OPEN311,
            requested_agency_id=key.agency.root_id,
        )
    )
    data = [
        {
            "service_request_id": report.tracking,
            "service_notice": _("Laporan diterima. Pantau di %(url)s")
            % {"url": f"{site_url()}{report.get_absolute_url()}"},
            "account_id": None,
            "token": make_token(report),
        }
    ]
    return render(fmt, "service_requests", data, status=201)
