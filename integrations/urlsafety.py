"""Where LAPOR may send a webhook. An agency admin types the receiver's URL; without a check
LAPOR's workers would post to whatever that names, including the machines behind LAPOR itself
(the database, Redis, a cloud's metadata service at 169.254.169.254): server-side request
forgery. So, unless ``LAPOR_WEBHOOK_ALLOW_PRIVATE`` is on (development and tests, where the
receiver runs on this machine):

- the URL must be https (the payload carries reports and is signed, not encrypted);
- the host must not be, or resolve to, a loopback, private, link-local, reserved or multicast
  address.

The check runs when the URL is registered and again before every delivery, since a name can be
pointed elsewhere after it was registered. A name that does not resolve at registration is
accepted (the regional system's DNS may come later); its deliveries fail until it does."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UnsafeUrl(ValueError):
    pass


def _allow_private() -> bool:
    return bool(getattr(settings, "LAPOR_WEBHOOK_ALLOW_PRIVATE", False))


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError):
        return []


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check(url: str, *, resolve_required: bool = False) -> None:
    """Raises UnsafeUrl with a message for the admin when LAPOR must not post to ``url``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(_("Alamat harus berupa URL http(s) yang lengkap."))
    if _allow_private():
        return
    if parts.scheme != "https":
        raise UnsafeUrl(_("Alamat webhook harus memakai https."))
    try:
        port = parts.port or 443
    except ValueError as exc:
        raise UnsafeUrl(_("Nomor port tidak valid.")) from exc
    addresses = _addresses(parts.hostname, port)
    if not addresses and resolve_required:
        raise UnsafeUrl(_("Nama host tidak dapat ditemukan."))
    if any(not _is_public(address) for address in addresses):
        raise UnsafeUrl(
            _("Alamat webhook tidak boleh menunjuk ke jaringan internal atau alamat lokal.")
        )
