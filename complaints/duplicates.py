"""The duplicate finder: open reports of the same regency whose text tells of the same problem,
so triage can merge them and a citizen can support an existing report instead of filing again.

Two people telling of one pothole share the place and little else: one writes "Terdapat lubang
besar di badan Jalan Cihampelas", the other "aspal di cihampelas udh ancur bgt, bolong2". A
finder that counts shared words matches reports by their place names, which every report of a
street shares. This one compares what the problem is:

1. Candidates: open reports of the same regency (and of the same category when it is known, or
   with none yet) received in the last 180 days, newest first, at most ``CANDIDATES``: one
   query, whatever the number of reports.
2. Each text is normalised (lower case, "bolong2" -> "bolong", chat, SMS and regional words to
   their Indonesian form: "udh" -> "sudah", "ga"/"ora"/"teu" -> "tidak", "banyu"/"cai" ->
   "air"), stop words are dropped, and so are place names: the words of province, regency and
   district names from the reference data, and the name after a place word ("jalan X",
   "desa X", "kelurahan X", "RT 05", "gang X"): two problems in one street are not one problem.
3. Words are also mapped to the subject they name (``TOPICS``: "lubang", "bolong", "ancur" ->
   damaged road surface; "pungli", "dipalak", "minta duit" -> an illegal levy), so that
   different words for one problem meet.
4. A score in 0..1: the cosine of TF-IDF vectors of the words and topics (weight 0.6) and of
   character 3- and 4-grams within words (0.4), which forgive typos and affixes ("berlubang",
   "lobang"). Document frequencies come from the shipped labelled complaint texts
   (routing/data/labelled_examples.csv) and the candidates, so a word every complaint uses
   counts for little.

Pure Python on the candidates' text: the same on PostgreSQL and SQLite. ``MINIMUM`` was chosen
on the evaluation set (tests/complaints/test_duplicate_quality.py, 100 duplicate pairs and 100
same-place different-problem pairs): see README, "Duplicate finder"."""

import functools
import math
import re
import unicodedata
from collections import Counter
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from core.memo import Memo
from routing.textnorm import WORDS

from .models import Report

WINDOW = timedelta(days=180)  # an older report is history, not a duplicate
CANDIDATES = 300  # the newest open reports of a regency compared with the text
MINIMUM = 0.28  # below this a look-alike is not shown (chosen on the evaluation set)
NEAR_TOP = 0.7  # a second or third look-alike is shown only if this close to the first
WORD_WEIGHT = 0.6  # words and topics; the rest is character n-grams
NAME_WEIGHT = 0.25  # a word that is no ordinary word is most likely a name: where, not what
_STEMMER = StemmerFactory().create_stemmer().delegatedStemmer  # MIT; its dictionary ships in it
# Sastrawi keeps its 30,000 root words in a list and looks words up by scanning it (3 ms a
# look-up, 60 look-ups a word): a set answers the same at once.
_STEMMER.dictionary.words = frozenset(_STEMMER.dictionary.words)

_TOKEN = re.compile(r"[a-z0-9]+")
_REPEAT = re.compile(r"\b([a-z]+)2\b")  # "bolong2" (bolong-bolong) -> "bolong"

# Citizens' spellings: the chat and SMS abbreviations the classifier reads too
# (routing.textnorm.WORDS, the one list of them), then the regional (Javanese, Sundanese,
# Betawi, Medan, Makassar, Balinese) words and synonyms that only the comparison of two reports
# folds together ("banget" and "pisan" both say "sangat"). Written from general knowledge of
# the registers.
SLANG = {
    **WORDS,
    **dict.fromkeys("gk enggak ora ra teu henteu tara".split(), "tidak"),
    **dict.fromkeys("wis uwis wes parantos".split(), "sudah"),
    **dict.fromkeys("blom durung acan".split(), "belum"),
    **dict.fromkeys("bln sasi".split(), "bulan"),
    **dict.fromkeys("bgt bngt banget pisan puol pol poll".split(), "sangat"),
    **dict.fromkeys("jal dalan".split(), "jalan"),
    **dict.fromkeys("banyu cai toya".split(), "air"),
    **dict.fromkeys("ledeng pam".split(), "pdam"),
    **dict.fromkeys("kreteg jambatan jembatane".split(), "jembatan"),
    **dict.fromkeys("walungan kalen selokan got parit comberan".split(), "saluran"),
    **dict.fromkeys("udan ujan".split(), "hujan"),
    **dict.fromkeys("omah imah".split(), "rumah"),
    **dict.fromkeys("bocah barudak budak bocil".split(), "anak"),
    **dict.fromkeys("sakola sekolahe".split(), "sekolah"),
    **dict.fromkeys("peteng poek".split(), "gelap"),
    **dict.fromkeys("larang".split(), "mahal"),
    **dict.fromkeys("ambune ambu ambuna".split(), "bau"),
    **dict.fromkeys("bosok".split(), "busuk"),
    **dict.fromkeys("jatoh tiba ragrag labuh".split(), "jatuh"),
    **dict.fromkeys("panganan".split(), "makanan"),
    **dict.fromkeys("pitik hayam".split(), "ayam"),
    **dict.fromkeys("laler lalere".split(), "lalat"),
    **dict.fromkeys("duit duite doku".split(), "uang"),
    **dict.fromkeys("rb rebu ewu ribu rbu".split(), "ribu"),
    **dict.fromkeys("jt juta".split(), "juta"),
    **dict.fromkeys("kreta".split(), "motor"),
    **dict.fromkeys("cicing asu".split(), "anjing"),
    **dict.fromkeys("bengi wengi peuting malem".split(), "malam"),
    **dict.fromkeys("dhuwur luhur".split(), "tinggi"),
    **dict.fromkeys("pari".split(), "padi"),
    **dict.fromkeys("gurune".split(), "guru"),
    **dict.fromkeys("deso".split(), "desa"),
    **dict.fromkeys("wedhi wedi keusik".split(), "pasir"),
    **dict.fromkeys("lampune".split(), "lampu"),
    **dict.fromkeys("tebinge".split(), "tebing"),
    **dict.fromkeys("salurane".split(), "saluran"),
    **dict.fromkeys("tanggule".split(), "tanggul"),
    **dict.fromkeys("banyune".split(), "air"),
    **dict.fromkeys("aspale".split(), "aspal"),
    **dict.fromkeys("pilare".split(), "tiang"),
    **dict.fromkeys("izine izinnya".split(), "izin"),
    **dict.fromkeys("ktpe ektp ktpel".split(), "ktp"),
    **dict.fromkeys("blanko".split(), "blangko"),
    **dict.fromkeys("umroh".split(), "umrah"),
    **dict.fromkeys("kwitansi".split(), "kuitansi"),
    **dict.fromkeys("jerigen".split(), "jeriken"),
    **dict.fromkeys("expired kadaluarsa kadaluwarsa".split(), "kedaluwarsa"),
    **dict.fromkeys("db".split(), "dbd"),
    **dict.fromkeys("bangjo".split(), "lalulintas"),
    **dict.fromkeys("kipk".split(), "kip"),
    **dict.fromkeys("digaji".split(), "gaji"),
    **dict.fromkeys("berobat".split(), "obat"),
}

# Words that carry no subject: Indonesian function words, chat fillers, their regional forms,
# and the words of any complaint ("mohon", "tolong", "warga", "sudah").
STOP = set(
    """
    yang dan di ke dari ini itu ada akan atau dengan untuk pada dalam juga karena sehingga
    tidak sudah belum sangat lagi masih saja pun bisa dapat harus telah sedang baru lama
    saya kami kita aku anda dia mereka kamu sy aq gw gue lo lu ku mu nya
    apa siapa kenapa mengapa bagaimana gimana gmn kapan mana dimana kok sih dong deh kah lah
    tolong mohon harap minta pak bu bapak ibu mas mbak min admin kak punten
    warga masyarakat orang sekitar setiap tiap hari minggu bulan tahun jam kemarin
    pagi siang sore tadi sejak selama hingga sampai smp sampe ampe terus trs mulu
    tp tapi tetapi namun padahal bahwa jika kalau kalo klo kl yg dgn utk sm sama dr pd dll
    jd jadi jg juga lg mau ingin akan oleh kena buat bikin ya yah nih tuh mah atuh wae
    neng nang ning karo lan sing ana ono iki kuwi opo piye jare jarene mung kok ta to na
    mi ji pi ki ko sa mo iya mas maneh deui kudu kanggo karana
    satu dua tiga empat lima enam tujuh delapan sembilan sepuluh
    sebuah beberapa banyak semua seluruh para hal secara terhadap tentang seperti
    sering selalu pernah langsung cuma cm hanya doang aja """.split()
)

# Words after which a place name follows, and how a place word itself counts: True keeps the
# word (it says something: "jalan", "pasar", "sekolah"), False drops it too.
PLACE_WORDS = {
    **dict.fromkeys(
        "desa kelurahan kel kecamatan kec kampung kp dusun dukuh gang gg lorong "
        "perumahan perum komplek kompleks blok kota kabupaten kab provinsi "
        "rt rw simpang perempatan km".split(),
        False,
    ),
    **dict.fromkeys("jalan pasar terminal puskesmas rsud rsup kantor halte".split(), True),
}

# What a word is about: words for one subject share a topic, so that different words for one
# problem meet ("bolong", "lubang", "ancur" and "rusak" of a road surface). Grouped by the
# subjects of the categories in routing/data/categories.csv; written from general knowledge of
# how Indonesian complaints are worded, not from the evaluation set's texts alone.
TOPICS = {
    "lubang": "lubang berlubang bolong lobang ancur hancur rusak retak mengelupas mbrodol "
    "amblas ambles bergelombang aspal tambal ditempel diaspal pengaspalan",
    "sampah": "sampah tps tpa depo plastik jorok kotor numpuk menumpuk tumpukan diangkut "
    "angkut truk mbludak berhamburan",
    "bau": "bau busuk menyengat anyir pesing",
    "banjir": "banjir tergenang genangan rob luber meluber meluap luapan sedengkul selutut "
    "kebanjiran terendam merendam",
    "saluran": "saluran drainase gorong mampet tersumbat buntu sumbat dikeruk",
    "air": "air pdam mengalir keran kering galon sumur keruh",
    "listrik": "listrik pln padam token meteran kwh",
    "gelap": "gelap penerangan pju lampu",
    "ktp": "ktp kk kia akta blangko rekam cetak dukcapil disdukcapil identitas",
    "bayar": "bayar membayar pungutan pungli dipalak palak pungut dipungut iuran tarif biaya "
    "uang ribu juta sejuta deposit setor menyetor karcis kuitansi",
    "parkir": "parkir jukir juru",
    "bising": "bising berisik musik kenceng keras karaoke",
    "tidur": "tidur istirahat",
    "longsor": "longsor ambrol ambruk tebing tanah urug",
    "limbah": "limbah pencemaran tercemar mencemari hitam item pekat oli kimia merkuri raksa",
    "sungai": "sungai kali tukad kanal",
    "pabrik": "pabrik industri perusahaan",
    "guru": "guru honorer honor pppk",
    "gaji": "gaji upah honor thr umk pesangon lembur",
    "sekolah": "sekolah sd smp sma smk smpn sman sdn siswa murid",
    "seragam": "seragam baju buku lks",
    "dokter": "dokter bidan perawat nakes",
    "pasien": "pasien berobat igd rawat dirawat",
    "tolak": "tolak ditolak menolak",
    "antre": "antre antri antrean antrian nunggu menunggu",
    "bpjs": "bpjs jkn kis",
    "lpg": "lpg elpiji gas melon tabung",
    "bbm": "bbm solar pertalite bensin spbu",
    "sertifikat": "sertifikat ptsl bpn",
    "tanah": "tanah lahan ulayat adat",
    "izin": "izin perizinan pbg imb nib simbg",
    "bangunan": "bangunan ruko hotel gedung dibangun pembangunan proyek",
    "dbd": "dbd fogging pengasapan jentik nyamuk demam",
    "sinyal": "sinyal internet jaringan bar",
    "bansos": "bansos pkh bpnt blt bantuan sembako dtks",
    "cair": "cair turun diterima masuk",
    "lalulintas": "lalulintas traffic merah lampu",
    "macet": "macet kemacetan semrawut",
    "bus": "bus brt angkot angkutan halte",
    "telat": "telat terlambat jadwal",
    "ngebut": "ngebut kencang ugal ugalan rem mendadak",
    "polisi": "polisi polsek polres laporan lapor",
    "curi": "curi pencurian hilang ilang kehilangan",
    "sekolah_uang": "spp tunggakan nunggak",
    "ijazah": "ijazah ditahan",
    "zonasi": "zonasi ppdb lolos diterima",
    "boraks": "boraks formalin pengawet kenyal kenyel",
    "kedaluwarsa": "kedaluwarsa basi",
    "nikah": "nikah penghulu kua",
    "umrah": "umrah travel jemaah berangkat",
    "calo": "calo cepat kilat",
    "mangrove": "mangrove bakau ditebang dibabat tebang",
    "pasir": "pasir tambang nambang penambangan backhoe bego",
    "pupuk": "pupuk urea subsidi kios",
    "tikus": "tikus hama panen",
    "kandang": "kandang ternak peternakan",
    "lalat": "lalat",
    "mangkir": "kosong ngilang absen hadir masuk dateng datang",
    "debu": "debu asap batuk sesak napas",
    "bakar": "bakar membakar terbakar",
    "anjing": "anjing rabies gigit digigit",
    "trotoar": "trotoar pejalan",
    "diskotik": "diskotik hiburan miras",
    "nelayan": "nelayan perahu kapal",
    "vaksin": "vaksin imunisasi",
    "retak": "retak roboh goyang bergetar",
    "galian": "galian lubang rambu",
    "pertanian": "sawah padi petani tanam tandur",
    "perangkat": "perangkat kades sekdes dukuh",
    "nepotisme": "kerabat ponakan keponakan titipan diatur curang",
    "les": "les privat",
    "jarum": "jarum suntik infus medis",
    "mahal": "mahal naik melonjak het",
    "pkl": "pkl pedagang",
    "kios": "kios los lapak",
    "les_bayar": "wajib diwajibkan dipaksa",
    "bully": "bully dibully perundungan dipukul dipukulin",
    "autis": "autis difabel disabilitas berkebutuhan inklusif",
    "migran": "pmi tkw tki migran sponsor agen",
    "kabar": "kabar dihubungi kontak",
    "pbb": "pbb sppt",
    "luas": "luas meter",
    "stnk": "stnk samsat",
    "kip": "kip kuliah ipk",
    "bidan": "bidan melahirkan ngalahirkeun hamil",
    "pemasangan": "pasang pemasangan",
    "emas": "emas gurandil merkuri raksa",
    "surat": "surat sktm keterangan domisili pengantar",
    "petugas": "petugas pegawai staf karyawan",
    "celaka": "kecelakaan celaka jatuh terjatuh nyungsep tabrakan",
    "pejabat": "kepala lurah camat",
    "dokumen": "berkas unggah upload aplikasi online daring error gagal",
}
_TOPIC_OF: dict[str, list[str]] = {}
for _topic, _words in TOPICS.items():
    for _word in _words.split():
        _TOPIC_OF.setdefault(_word, []).append(f"#{_topic}")

# Words that are also parts of region names but say what the problem is ("Air Putih",
# "Pasar Minggu", "Tanah Abang"): never treated as a place.
_ORDINARY = set(_TOPIC_OF) | {"pasar", "sawah", "kebun", "gunung", "pantai", "laut", "baru"}


def _load_place_words() -> frozenset[str]:
    from agencies.models import District, Province, Regency

    words: set[str] = set()
    for model in (Province, Regency, District):
        for name in model.objects.values_list("name", flat=True):
            words.update(_TOKEN.findall(_fold(name)))
    return frozenset(words - _ORDINARY - {"kabupaten", "kota", "kepulauan", "administrasi"})


@functools.cache  # a shipped file: read once per process
def background() -> tuple[int, Counter]:
    """Document frequencies of the shipped labelled complaint texts."""
    from routing.suggest import shipped_examples

    df: Counter = Counter()
    texts = [text for text, _ in shipped_examples()]
    for text in texts:
        df.update(_terms(text, frozenset()).keys())
    return len(texts), df


PLACE_NAMES = Memo(_load_place_words, ttl=3600)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.lower()


@functools.lru_cache(maxsize=50_000)
def _stem(word: str) -> tuple[str, bool]:
    """The root of ``word`` (Sastrawi: "berlubang" -> "lubang", "dipalak" -> "palak") and
    whether it is an ordinary word (in Sastrawi's dictionary of root words or in ``TOPICS``)
    rather than a name ("cihampelas", "tirtanadi", "kircon")."""
    if word in _TOPIC_OF or len(word) < 5 or word.isdigit():
        return word, word in _TOPIC_OF or _STEMMER.dictionary.contains(word)
    root = _STEMMER.stem(word) or word
    return root, root in _TOPIC_OF or _STEMMER.dictionary.contains(root)


def words(text: str, places: frozenset[str]) -> list[tuple[str, bool]]:
    """The words of ``text`` that say what the problem is, as (root, is an ordinary word):
    normalised, without stop words and place names."""
    raw = [SLANG.get(t, t) for t in _TOKEN.findall(_REPEAT.sub(r"\1", _fold(text)))]
    kept: list[tuple[str, bool]] = []
    skip = 0
    for token in raw:
        if token in PLACE_WORDS:
            if PLACE_WORDS[token]:
                kept.append((token, True))
            skip = 3
            continue
        if skip and token not in _ORDINARY and token not in STOP:
            skip -= 1  # the name after a place word ("jalan cihampelas", "rw 05")
            continue
        skip = 0
        if token in STOP or token in places or len(token) < 2 or token.isdigit():
            continue
        kept.append(_stem(token) if token not in _TOPIC_OF else (token, True))
    return kept


def _terms(text: str, places: frozenset[str]) -> Counter:
    """Weighted terms: the word, its topics and its character n-grams. A name that is not a
    place of the reference data (a hospital's, a market's, a village's) counts for
    ``NAME_WEIGHT``: it says where, not what."""
    terms: Counter = Counter()
    for word, ordinary in words(text, places):
        weight = 1.0 if ordinary else NAME_WEIGHT
        terms[f"w:{word}"] += weight
        for topic in _TOPIC_OF.get(word, ()):
            terms[topic] += weight
        padded = f" {word} "
        for n in (3, 4):
            for i in range(len(padded) - n + 1):
                terms[f"c:{padded[i : i + n]}"] += weight
    return terms


def _vector(terms: Counter, idf) -> tuple[dict, dict]:
    """Two unit vectors: words and topics, and character n-grams."""
    word_part, char_part = {}, {}
    for term, n in terms.items():
        weight = (1 + math.log(n) if n >= 1 else n) * idf(term)
        (char_part if term.startswith("c:") else word_part)[term] = weight
    return _unit(word_part), _unit(char_part)


def _unit(vector: dict) -> dict:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


def _cosine(a: dict, b: dict) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def score_texts(query: str, others: list[str]) -> list[float]:
    """The similarity of ``query`` with each of ``others``, 0..1."""
    places = PLACE_NAMES.get()
    background_n, background_df = background()
    docs = [_terms(t, places) for t in others]
    wanted = _terms(query, places)
    df = Counter()
    for terms in [wanted, *docs]:
        df.update(terms.keys())
    n = background_n + len(docs) + 1

    def idf(term: str) -> float:
        return math.log((n + 1) / (df[term] + background_df.get(term, 0) + 1)) + 1

    q_words, q_chars = _vector(wanted, idf)
    scores = []
    for terms in docs:
        d_words, d_chars = _vector(terms, idf)
        score = WORD_WEIGHT * _cosine(q_words, d_words)
        score += (1 - WORD_WEIGHT) * _cosine(q_chars, d_chars)
        scores.append(max(0.0, min(score, 1.0)))
    return scores


def similar_reports(
    *,
    text: str,
    regency: str | None,
    category: int | str | None = None,
    public_only: bool,
    limit: int = 3,
    exclude_id: int | None = None,
    minimum: float | None = None,
) -> list[tuple[Report, float]]:
    """Open reports of ``regency`` (a regency code) from the last 180 days that tell of the
    same problem as ``text`` (title and story), most similar first, with a score in 0..1.

    - ``category``: a category id or code; when given, only reports of that category or of
      none yet are compared.
    - ``public_only``: only reports anyone may see (never confidential): required on every
      citizen-facing page and API.
    - ``exclude_id``: the report itself, in triage.

    One query for the candidates, whatever the number of reports."""
    text = (text or "").strip()
    if not regency or len(text) < 10:
        return []
    qs = Report.objects.open().filter(regency_id=regency, created_at__gte=timezone.now() - WINDOW)
    if category:
        field = "category_id" if str(category).isdigit() else "category__code"
        qs = qs.filter(Q(**{field: category}) | Q(category__isnull=True))
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if public_only:
        qs = qs.public()
    candidates = list(qs.select_related("regency").order_by("-created_at")[:CANDIDATES])
    if not candidates:
        return []
    scores = score_texts(text, [f"{r.title}\n{r.description}" for r in candidates])
    floor = MINIMUM if minimum is None else minimum
    found = [(r, round(s, 2)) for r, s in zip(candidates, scores, strict=True) if s >= floor]
    found.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return [pair for pair in found if pair[1] >= found[0][1] * NEAR_TOP][:limit] if found else []
