"""Map tiles: where the browser fetches them (``LAPOR_MAP_TILES_URL``) and what the CSP must
allow for that. The map is an addition: every page that shows one works without it (the
latitude and longitude fields, the list of reports), and a tile server that does not answer
leaves a grey map, nothing else."""

import re
from urllib.parse import urlsplit

from django.conf import settings

_HOST = re.compile(r"[A-Za-z0-9.*\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?")


def tile_origin(url: str | None = None) -> str | None:
    """The origin the CSP's img-src must allow for the tile URL template, or None when the
    template is empty or names no http(s) host (a relative URL is covered by 'self').
    A ``{s}`` subdomain becomes a wildcard: ``https://{s}.tile.example`` -> ``https://*.tile.example``."""
    url = settings.LAPOR_MAP_TILES_URL if url is None else url
    parts = urlsplit(url.replace("{s}", "s-sub-s"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].replace("s-sub-s", "*")
    if not _HOST.fullmatch(host):  # nothing that could add a directive to the CSP
        return None
    return f"{parts.scheme}://{host}"


def map_tiles(request):
    """Template context: the tile template and attribution for the map elements' data-*."""
    return {
        "MAP_TILES_URL": settings.LAPOR_MAP_TILES_URL,
        "MAP_ATTRIBUTION": settings.LAPOR_MAP_ATTRIBUTION,
    }
