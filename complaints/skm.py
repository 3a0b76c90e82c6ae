"""The public service survey (Survei Kepuasan Masyarakat, SKM) of PermenPANRB 14/2017 (Pedoman
Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik), asked of a reporter
after their report closes, beside the 1-5 star rating it does not replace.

- Nine elements (unsur), in the regulation's order, each answered on a 1-4 scale; the
  questions and answers follow the example questionnaire of its Lampiran.
- The index: the mean answer of each element (nilai rata-rata, NRR) times the weight
  1/9 = 0.111 (the regulation writes the weight as 0.111), summed, then times 25 to read on
  25-100: IKM = (sum of NRR_i x 0.111) x 25. With the weight as written, all answers 4 give
  99.90, not 100.
- The grade (mutu pelayanan), from the regulation's conversion table: A (sangat baik)
  88.31-100.00, B (baik) 76.61-88.30, C (kurang baik) 65.00-76.60, D (tidak baik) 25.00-64.99.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

WEIGHT = Decimal("0.111")  # 1 / 9 elements, as the regulation writes it
BASE = 25

# (field, element, question, answers 1..4)
ELEMENTS = [
    (
        "u1",
        _("Persyaratan"),
        _(
            "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis "
            "pelayanannya?"
        ),
        (_("Tidak sesuai"), _("Kurang sesuai"), _("Sesuai"), _("Sangat sesuai")),
    ),
    (
        "u2",
        _("Sistem, mekanisme, dan prosedur"),
        _("Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?"),
        (_("Tidak mudah"), _("Kurang mudah"), _("Mudah"), _("Sangat mudah")),
    ),
    (
        "u3",
        _("Waktu penyelesaian"),
        _("Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?"),
        (_("Tidak cepat"), _("Kurang cepat"), _("Cepat"), _("Sangat cepat")),
    ),
    (
        "u4",
        _("Biaya/tarif"),
        _("Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?"),
        (_("Sangat mahal"), _("Cukup mahal"), _("Murah"), _("Gratis")),
    ),
    (
        "u5",
        _("Produk spesifikasi jenis pelayanan"),
        _(
            "Bagaimana pendapat Anda tentang kesesuaian produk pelayanan antara yang tercantum "
            "dalam standar pelayanan dengan hasil yang diberikan?"
        ),
        (_("Tidak sesuai"), _("Kurang sesuai"), _("Sesuai"), _("Sangat sesuai")),
    ),
    (
        "u6",
        _("Kompetensi pelaksana"),
        _("Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?"),
        (_("Tidak kompeten"), _("Kurang kompeten"), _("Kompeten"), _("Sangat kompeten")),
    ),
    (
        "u7",
        _("Perilaku pelaksana"),
        _(
            "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait "
            "kesopanan dan keramahan?"
        ),
        (
            _("Tidak sopan dan ramah"),
            _("Kurang sopan dan ramah"),
            _("Sopan dan ramah"),
            _("Sangat sopan dan ramah"),
        ),
    ),
    (
        "u8",
        _("Penanganan pengaduan, saran, dan masukan"),
        _("Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?"),
        (
            _("Tidak ada"),
            _("Ada tetapi tidak berfungsi"),
            _("Berfungsi kurang maksimal"),
            _("Dikelola dengan baik"),
        ),
    ),
    (
        "u9",
        _("Sarana dan prasarana"),
        _("Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?"),
        (_("Buruk"), _("Cukup"), _("Baik"), _("Sangat baik")),
    ),
]
FIELDS = [e[0] for e in ELEMENTS]

# (lowest IKM of the grade, grade, its name), highest first.
GRADES = [
    (Decimal("88.31"), "A", _("Sangat baik")),
    (Decimal("76.61"), "B", _("Baik")),
    (Decimal("65.00"), "C", _("Kurang baik")),
    (Decimal("25.00"), "D", _("Tidak baik")),
]


@dataclass(frozen=True)
class Index:
    n: int  # respondents
    means: tuple  # NRR per element, Decimal to 3 places, or () without answers
    ikm: Decimal | None  # 25-100, to 2 places
    grade: str  # "A".."D", "" without answers
    grade_label: object = ""


def index(n: int, sums: list[int]) -> Index:
    """The index of ``n`` respondents whose answers add up to ``sums`` (one per element, in
    ELEMENTS order). Exact decimal arithmetic, rounded once at the end."""
    if not n:
        return Index(0, (), None, "")
    means = [Decimal(s) / n for s in sums]
    # sum(NRR_i x 0.111) x 25 = sum of all answers x 0.111 x 25 / n: one division, exact.
    ikm = (Decimal(sum(sums)) * WEIGHT * BASE / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
    grade, label = next(((g, lab) for low, g, lab in GRADES if ikm >= low), ("D", GRADES[-1][2]))
    rounded = tuple(m.quantize(Decimal("0.001"), ROUND_HALF_UP) for m in means)
    return Index(n, rounded, ikm, grade, label)


def valid_answers(answers) -> list[int] | None:
    """Nine answers 1-4, or None."""
    try:
        values = [int(a) for a in answers]
    except (TypeError, ValueError):
        return None
    if len(values) != len(ELEMENTS) or any(not 1 <= v <= 4 for v in values):
        return None
    return values
