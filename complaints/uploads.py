"""Attachment checks: the type is read from the file's content, never from its name or the
browser's word; the name is cleaned; the size is capped."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "application/pdf": "pdf",
}


@dataclass
class CheckedUpload:
    file: object
    name: str
    content_type: str
    size: int
    sha256: str


def clean_name(name: str, extension: str) -> str:
    """A safe, readable file name: no path, no control characters, the real extension."""
    stem = PurePath(name or "").name.rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:80] or "lampiran"
    return f"{stem}.{extension}"


def check_upload(upload) -> CheckedUpload:
    """Returns a CheckedUpload or raises ValidationError with a message for the citizen."""
    limit = settings.LAPOR_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("Berkas %(name)s terlalu besar (%(size)s MB); batasnya %(limit)s MB.")
            % {
                "name": PurePath(upload.name).name,
                "size": round(upload.size / 1048576, 1),
                "limit": limit // 1048576,
            },
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED:
        raise ValidationError(
            _("Berkas %(name)s bukan foto (JPG, PNG, WEBP, GIF) atau PDF menurut isinya.")
            % {"name": PurePath(upload.name).name},
            code="bad_type",
        )
    if mime.startswith("image/"):
        _check_image(upload)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        file=upload,
        name=clean_name(upload.name, ALLOWED[mime]),
        content_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def _check_image(upload) -> None:
    """Opens the image under Pillow's decompression-bomb limit, as a hard limit: a file of a
    few kilobytes can declare 60000 x 60000 pixels. Pillow raises DecompressionBombError above
    twice Image.MAX_IMAGE_PIXELS (it was a 500) and only warns between; both are refused."""
    name = PurePath(upload.name).name
    too_large = ValidationError(
        _("Gambar %(name)s terlalu besar ukurannya (lebih dari %(mp)s megapiksel).")
        % {"name": name, "mp": Image.MAX_IMAGE_PIXELS // 1_000_000},
        code="image_too_large",
    )
    upload.seek(0)
    try:
        with Image.open(upload) as img:
            if img.width * img.height > Image.MAX_IMAGE_PIXELS:
                raise too_large
            img.verify()
    except Image.DecompressionBombError as exc:
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("Gambar %(name)s rusak atau tidak dapat dibaca.") % {"name": name},
            code="bad_image",
        ) from exc
