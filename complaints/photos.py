"""Photos shown to the public: re-encoded from the pixels only, so that the EXIF block (GPS
position, camera serial, time) and any other metadata of the citizen's file never leave LAPOR."""

import io

from PIL import Image, ImageOps

MAX_SIDE = 1600  # enough for a report page; smaller to send on a poor connection


def without_metadata(fh) -> bytes:
    """A JPEG of the picture in ``fh``, upright, at most MAX_SIDE, with no metadata."""
    with Image.open(fh) as img:
        upright = ImageOps.exif_transpose(img)  # keep the orientation the EXIF said, then drop it
        upright.thumbnail((MAX_SIDE, MAX_SIDE))
        if upright.mode != "RGB":
            upright = upright.convert("RGB")
        out = io.BytesIO()
        upright.save(out, format="JPEG", quality=85)  # no exif=: none is written
    return out.getvalue()
