"""Every door fuzzed with hostile values: no 5xx anywhere, and nothing changed in the database.

The URLs come from the URL configuration (the walk of tests/test_url_inventory.py), and the
parameters from what each view reads: a first, empty GET and POST of every URL records each
key a view, form or serializer asks of request.GET, request.POST or DRF's request.data (the
QueryDict lookups are watched while it runs), and a base list of names attackers try is added.
So a new URL, or a new parameter of an old one, is fuzzed without anyone listing it.

Each parameter is sent hostile values (NUL, lone surrogate, 1 MB, RTL and zero-width text, -1,
10**20, year 9999, ../, SQL and template strings, a +99:00 offset), each path segment too, and
each URL gets a body of the wrong content type or JSON nested 100,000 deep, as an anonymous
caller, a citizen, an officer and an agency's API key. Values are sampled deterministically per
(URL, parameter, caller) so that the four callers between them send each parameter four
different values, and the run stays short. A 5xx fails the test naming caller, method, URL,
parameter and value."""

import json
import os
import re
import time
import zlib
from urllib.parse import quote

import pytest
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from agencies.models import Agency, Role, User
from complaints.models import AnswerTemplate, Attachment, OutboxMessage, Report, ReportEvent
from integrations.models import ApiKey, SmsInbound, WebhookDelivery, WebhookEndpoint
from integrations.services import apikey_issue
from routing.models import Category, RoutingRule
from tests.test_url_inventory import OWN, PUBLIC, ROUTES, _url, target  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

VALUES = [
    ("nul", "a\x00b"),
    ("surrogate", "a\ud800b"),
    ("1MB", "A" * 1_000_000),
    ("rtl-zero-width", "\u202etxet\u200b\u200d\ufeff\u2066"),
    ("-1", "-1"),
    ("10**20", str(10**20)),
    ("year-9999", "9999-12-31"),
    ("traversal", "../../../../etc/passwd"),
    ("sql", "' OR '1'='1'; DROP TABLE complaints_report; --"),
    ("template", "{{ settings.SECRET_KEY }}{% debug %}${7*7}<script>alert(1)</script>"),
    ("offset", "2026-01-01T00:00:00+99:00"),
    ("empty", ""),
]
# Names attackers try whether or not a view reads them.
BASE_NAMES = ["page", "q", "cari", "format", "start", "end", "next", "k", "token", "id", "status"]
BODIES = [
    ("nested-json", "application/json", "[" * 100_000 + "]" * 100_000),
    ("broken-json", "application/json", '{"title": "tidak selesai'),
    ("json-as-form", "application/x-www-form-urlencoded", '{"a": 1}'),
    ("multipart-no-boundary", "multipart/form-data", "--x\r\n\r\n"),
    ("xml", "application/xml", "<?xml version='1.0'?><!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>"),
]
SLOW: list = []
ONLY = re.compile(os.environ.get("LAPOR_FUZZ_ONLY", ""))
CALLERS = ["anonymous", "citizen", "officer", "api_key"]


class _Reads:
    """Keys looked up on a QueryDict (request.GET, request.POST, DRF's form data) while
    recording. The methods are MultiValueDict's, which QueryDict inherits."""

    keys: set | None = None

    @classmethod
    def install(cls, monkeypatch):
        for method in ("get", "getlist", "__getitem__", "__contains__"):
            original = getattr(MultiValueDict, method)
            monkeypatch.setattr(MultiValueDict, method, cls._wrap(original))

    @classmethod
    def _wrap(cls, original):
        def watched(self, key, *args, **kwargs):
            if cls.keys is not None and isinstance(self, QueryDict) and isinstance(key, str):
                cls.keys.add(key)
            return original(self, key, *args, **kwargs)

        return watched


def _callers_for(name: str) -> list[str]:
    """Who fuzzes a URL: a public one anonymously and as one other caller (in turn), one's own
    pages as the citizen, staff pages as the officer, the agency API with the key. Each caller
    draws its own values, so a URL's parameters get two draws where two callers try it."""
    if name in PUBLIC:
        return ["anonymous", CALLERS[1 + _pick(name, 0, 3)]]
    if name in OWN:
        return ["citizen"]
    return ["officer", "api_key"] if name.startswith("api-") else ["officer"]


def _q(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _pick(seed: str, caller: int, n: int) -> int:
    return (zlib.crc32(seed.encode()) + caller) % n


def _rows() -> dict:
    models = [Report, ReportEvent, Attachment, OutboxMessage, AnswerTemplate, User, Role]
    models += [Agency, Category, RoutingRule, ApiKey, WebhookEndpoint, WebhookDelivery]
    models += [SmsInbound]
    return {m.__name__: m.objects.count() for m in models}


def _path_variants(route: str, name: str, report, numbers) -> list[tuple[str, str]]:
    """(parameter, route) with one path segment replaced by a placeholder, for each segment."""
    variants = []
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)", route):
        param = match.group(2) or match.group(3)
        if param == "fmt":
            continue
        variants.append((param, route[: match.start()] + "\x01" + route[match.end() :]))
    return variants


@pytest.fixture
def callers(client, cast, agency_a, settings):
    settings.LAPOR_RATE_LIMITS = {
        k: (10**9, w) for k, (_n, w) in settings.LAPOR_RATE_LIMITS.items()
    }
    settings.LAPOR_SMS_INBOUND_TOKEN = "rahasia-gateway"
    raw = apikey_issue(agency=agency_a, name="Sistem fuzz").raw
    return {"cast": cast, "key": raw}


def _login(client, caller: str, cast) -> dict:
    client.logout()
    if caller == "citizen":
        client.force_login(cast.citizen)
    elif caller == "officer":
        client.force_login(cast.officer_a)
    return {}


def test_no_door_answers_5xx_or_changes_anything(client, target, callers, monkeypatch):  # noqa: F811
    report, numbers = target
    cast, key = callers["cast"], callers["key"]
    _Reads.install(monkeypatch)
    before = _rows()
    failures, sent, params_seen = [], 0, set()
    for index, caller in enumerate(CALLERS):
        _login(client, caller, cast)
        for route, name in ROUTES:
            if name == "accounts:logout" or not ONLY.search(route):
                continue
            if caller not in _callers_for(name):
                continue
            url = _url(route, name, report, numbers)

            def send(method, target_url, data=None, content_type=None, label="", *, who=caller):
                nonlocal sent
                sent += 1
                kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if who == "api_key" else {}
                if content_type is not None:
                    kwargs["content_type"] = content_type
                started = time.monotonic()
                response = getattr(client, method)(target_url, data, **kwargs)
                SLOW.append((time.monotonic() - started, who, method, target_url[:80], label))
                if response.status_code >= 500:
                    failures.append((who, method.upper(), target_url[:120], label))
                return response

            # 1. What the view reads, recorded on an empty GET and POST (none for a method
            # the URL refuses); the base names are shared out among the callers.
            names = {}
            for method in ("get", "post"):
                _Reads.keys = set()
                response = send(method, url, label="(discovery)")
                read, _Reads.keys = _Reads.keys, None
                if response.status_code != 405:
                    base = {n for n in BASE_NAMES if _pick(f"{name}:{n}", index, 4) == 0}
                    names[method] = read | base
            # 2. Each parameter with a value sampled for this caller.
            for method, keys in names.items():
                for param in sorted(keys):
                    params_seen.add((name, method, param))
                    label, value = VALUES[_pick(f"{name}:{param}", index, len(VALUES))]
                    body = f"{_q(param)}={_q(value)}"
                    if method == "get":
                        sep = "&" if "?" in url else "?"
                        send("get", f"{url}{sep}{body}", label=f"{param}={label}")
                    elif url.startswith("/api/"):
                        payload = json.dumps({param: value}, ensure_ascii=True)
                        send("post", url, payload, "application/json", f"{param}={label}")
                    else:
                        form = "application/x-www-form-urlencoded"
                        send("post", url, body, form, f"{param}={label}")
            # 3. Each path segment with a hostile value.
            for param, variant in _path_variants(route, name, report, numbers):
                params_seen.add((name, "path", param))
                label, value = VALUES[_pick(f"{name}:path:{param}", index, len(VALUES) - 1)]
                hostile = _url(variant, name, report, numbers).replace("\x01", _q(value))
                send("get", hostile, label=f"<{param}>={label}")
            # 4. A body the door does not expect.
            label, content_type, body = BODIES[_pick(name, index, len(BODIES))]
            send("post", url, body, content_type, label)
    assert not failures, f"{len(failures)} answers 5xx: {failures[:40]}"
    assert _rows() == before
    urls = len({name for name, _m, _p in params_seen} | {n for _r, n in ROUTES})
    print(
        f"\nfuzz: {urls} URLs, {len(params_seen)} parameters (URL, method, name), "
        f"{sent} requests, {len(failures)} x 5xx"
    )
    print("slowest:", *sorted(SLOW, reverse=True)[:10], sep="\n  ")
