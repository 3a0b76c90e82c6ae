"""Builds ``monitoring/data/province_map.json`` (the dashboards' province map) from a GeoJSON
file of Indonesia's provinces. Run once when the boundary file changes; the result is
committed, so the pages never read the source. See ``monitoring/data/README.md`` for the
source, its licence and what this command changes (CC BY 4.0 asks that changes be named).

What it does, in order: matches each feature to a province of ``agencies/data/provinces.csv``
by name (the source's codes for the Papua provinces are not Kemendagri's), projects
longitude/latitude to plain x/y (equirectangular: Indonesia lies within 11 degrees of the
equator, where Mercator's stretch is under 2 %), simplifies every ring (Douglas-Peucker),
drops islands smaller than a pixel, and writes one SVG path string per province."""

import csv
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCALE = 10.0  # SVG units per degree
TOLERANCE = 0.35  # SVG units: Douglas-Peucker distance
MIN_AREA = 0.6  # SVG units squared: smaller islands are dropped (a province keeps its largest)
WEST, NORTH = 94.8, 6.2  # top-left corner of the drawing, degrees

# The source's names that are not the reference data's.
ALIASES = {"DKI Jakarta": "Daerah Khusus Ibukota Jakarta"}

OUT = Path(settings.BASE_DIR) / "monitoring" / "data" / "province_map.json"


def _project(lon: float, lat: float) -> tuple[float, float]:
    return (lon - WEST) * SCALE, (NORTH - lat) * SCALE


def _distance(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker, iterative (rings of thousands of points would recurse deep)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, worst = None, tolerance
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                index, worst = i, d
        if index is not None:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _area(ring: list) -> float:
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs))


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise CommandError(f"unexpected geometry {geometry['type']}")


def province_path(geometry: dict) -> tuple[str, tuple]:
    """The province's SVG path ("M x y L ... Z" per ring) and its bounding box."""
    rings = []
    for polygon in _polygons(geometry):
        for ring in polygon:
            projected = [_project(lon, lat) for lon, lat, *_ in ring]
            rings.append(simplify(projected, TOLERANCE))
    rings.sort(key=_area, reverse=True)
    kept = [r for i, r in enumerate(rings) if len(r) >= 4 and (i == 0 or _area(r) >= MIN_AREA)]
    parts = []
    for ring in kept:
        head, *rest = ring
        points = " ".join(f"{x:.1f} {y:.1f}" for x, y in rest[:-1])
        parts.append(f"M{head[0]:.1f} {head[1]:.1f}L{points}Z")
    xs = [x for r in kept for x, _y in r]
    ys = [y for r in kept for _x, y in r]
    return "".join(parts), (min(xs), min(ys), max(xs), max(ys))


class Command(BaseCommand):
    help = "Builds monitoring/data/province_map.json from a GeoJSON of Indonesia's provinces."

    def add_arguments(self, parser):
        parser.add_argument("source", help="GeoJSON FeatureCollection, one feature per province")
        parser.add_argument("--name-field", default="PROVINSI")
        parser.add_argument("--source-note", default="", help="where the file came from")
        parser.add_argument("--out", default=str(OUT))

    def handle(self, *args, source, name_field, source_note, out, **options):
        data_dir = Path(settings.BASE_DIR) / "agencies" / "data"
        with open(data_dir / "provinces.csv", encoding="utf-8") as f:
            codes = {row["name"]: row["code"] for row in csv.DictReader(f)}
        features = json.loads(Path(source).read_text(encoding="utf-8"))["features"]
        shapes, box = {}, [float("inf"), float("inf"), 0.0, 0.0]
        for feature in features:
            name = feature["properties"][name_field]
            code = codes.get(ALIASES.get(name, name))
            if code is None:
                raise CommandError(f"{name!r} is no province of agencies/data/provinces.csv")
            if code in shapes:
                raise CommandError(f"{name!r} appears twice")
            d, (x0, y0, x1, y1) = province_path(feature["geometry"])
            shapes[code] = d
            box = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        missing = sorted(set(codes.values()) - set(shapes))
        if missing:
            raise CommandError(f"no shape for provinces {missing}")
        result = {
            "viewBox": f"0 0 {box[2] + 2:.0f} {box[3] + 2:.0f}",
            "source": source_note,
            "shapes": dict(sorted(shapes.items())),
        }
        out = Path(out)
        out.write_text(json.dumps(result, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(f"{len(shapes)} provinces, {out.stat().st_size:,} bytes -> {out}")
