"""A regional system's archive for the backfill (``manage.py import_reports``): N reports of
Kota Bandung as JSON lines, filed over the past two years, each with a history that ends in
one of the statuses a real archive holds (still waiting, answered, resolved, closed with a
rating, disputed and reopened, rejected).

    python bench/make_archive.py 10000 > /tmp/archive.jsonl
    python manage.py import_reports --agency pemkot-3273 /tmp/archive.jsonl
"""

import datetime as dt
import json
import random
import sys

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

SHAPES = [
    [],  # filed, never verified
    [("verify", 20 * HOUR)],
    [("verify", DAY), ("dispatch", HOUR)],
    [("verify", DAY), ("dispatch", HOUR), ("respond", 2 * DAY, "Kami cek ke lokasi.")],
    [
        ("verify", DAY),
        ("dispatch", HOUR),
        ("respond", 2 * DAY, "Kami cek ke lokasi."),
        ("resolve", 9 * DAY, "Sudah diperbaiki."),
    ],
    [
        ("verify", DAY),
        ("dispatch", HOUR),
        ("respond", 3 * DAY, "Diterima."),
        ("resolve", 12 * DAY, "Selesai."),
        ("accept", 2 * DAY, "", 5),
    ],
    [
        ("verify", DAY),
        ("dispatch", HOUR),
        ("respond", DAY, "Diterima."),
        ("resolve", 5 * DAY, "Selesai."),
        ("dispute", DAY, "Belum diperbaiki."),
        ("resolve", 4 * DAY, "Sudah diperbaiki ulang."),
        ("auto_close", 15 * DAY),
    ],
    [("reject", 2 * DAY, "Bukan laporan pelayanan publik.")],
]


def record(n: int, rng: random.Random, now: dt.datetime) -> dict:
    filed = now - dt.timedelta(days=rng.randint(40, 730), minutes=rng.randint(0, 1440))
    at, history = filed, []
    for step in rng.choice(SHAPES):
        action, gap, *rest = step
        at = at + gap
        entry = {"action": action, "at": at.isoformat()}
        if rest and rest[0]:
            entry["note"] = rest[0]
        if len(rest) > 1:
            entry["rating"] = rest[1]
        history.append(entry)
    return {
        "external_id": f"SIPELADA-{n:07d}",
        "kind": rng.choice(["complaint", "complaint", "aspiration", "information_request"]),
        "title": f"Laporan arsip nomor {n}",
        "description": "Arsip sistem pengaduan Kota Bandung: jalan rusak di kelurahan, belum "
        "ditangani sejak lama.",
        "province": "32",
        "regency": "3273",
        "reporter_name": f"Warga {n}",
        "reporter_phone": f"08123{n:07d}",
        "is_anonymous": n % 7 == 0,
        "filed_at": filed.isoformat(),
        "history": history,
    }


def main(count: int, seed: int = 19) -> None:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for n in range(1, count + 1):
        sys.stdout.write(json.dumps(record(n, rng, now)) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
