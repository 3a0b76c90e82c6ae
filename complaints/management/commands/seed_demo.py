"""Demo data: an account for every role and a few hundred believable reports in every status.

For development and demonstrations only, never for production. Every report is filed through
``report_submit`` and moved only through the status machine (``report_verify_and_route`` and
``report_transition``), so each one has its full audit trail. Afterwards, and only here, the
timestamps of the reports and of their events are moved back over the last six months with
``QuerySet.update()`` so that lists, deadlines and dashboards look lived-in; the due dates are
recomputed from the moved start times with the real working-day calendar, then the deadline
sweep runs once (overdue flags, escalations) and the dashboard summaries are rebuilt.

Idempotent enough: if the demo accounts exist already, it prints the logins and stops.
"""

import datetime as dt
import logging
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from agencies.models import Agency, District, Province, Regency, Role, User
from agencies.services import role_grant
from routing.models import Category

from ... import deadlines, public_cache
from ...models import Channel, Kind, Report, ReportEvent, Status
from ...services import NewReport, report_submit, report_transition, report_verify_and_route
from ...sweeps import run_deadline_sweep
from ...workdays import Calendar

PASSWORD = "lapor-demo-2026"  # noqa: S105 (demo accounts only, printed on purpose)
DOMAIN = "lapor.test"  # a reserved top-level domain: no demo mail can reach anyone

BANDUNG = "pemkot-3273"  # Pemerintah Kota Bandung
# (username, full name, role kind, scope: agency slug, province code or None)
ACCOUNTS: list[tuple[str, str, str | None, str | None]] = [
    ("nasional", "Rina Kusumawati (Admin Nasional KemenPANRB)", Role.Kind.NATIONAL_ADMIN, None),
    ("ombudsman", "Hendra Siregar (Ombudsman RI)", Role.Kind.OMBUDSMAN, None),
    ("pengawas.jabar", "Dewi Lestari (Pengawas Jawa Barat)", Role.Kind.PROVINCE_SUPERVISOR, "32"),
    (
        "admin.bandung",
        "Asep Sunandar (Admin Pemkot Bandung)",
        Role.Kind.AGENCY_ADMIN,
        "pemkot-3273",
    ),
    (
        "petugas1.bandung",
        "Nining Suryani (Petugas Pemkot Bandung)",
        Role.Kind.OFFICER,
        "pemkot-3273",
    ),
    (
        "petugas2.bandung",
        "Yayat Hidayat (Petugas Pemkot Bandung)",
        Role.Kind.OFFICER,
        "pemkot-3273",
    ),
    (
        "dinkes.bandung",
        "dr. Ratna Wulandari (Dinas Kesehatan Kota Bandung)",
        Role.Kind.OFFICER,
        "pemkot-3273-dinas-kesehatan",
    ),
    (
        "ppid.bandung",
        "Wawan Setiawan (Atasan PPID Pemkot Bandung)",
        Role.Kind.PPID_SUPERIOR,
        "pemkot-3273",
    ),
    ("petugas.bogor", "Dadang Supriatna (Petugas Pemkab Bogor)", Role.Kind.OFFICER, "pemkab-3201"),
    ("petugas.kemenkes", "Maya Anggraini (Petugas Kemenkes)", Role.Kind.OFFICER, "kemenkes"),
    ("petugas.bpjs", "Fajar Nugroho (Petugas BPJS Kesehatan)", Role.Kind.OFFICER, "bpjs-kesehatan"),
    ("warga1", "Siti Rahmawati", None, None),
    ("warga2", "Budi Santoso", None, None),
]

# Where the demo reports happen: regency code -> weight, streets.
REGIONS: dict[str, tuple[int, list[str]]] = {
    "3273": (30, ["Jl. Soekarno-Hatta", "Jl. Ir. H. Juanda", "Jl. Kiaracondong", "Jl. Pasteur"]),
    "3201": (10, ["Jl. Raya Cibinong", "Jl. Raya Parung", "Jl. Mayor Oking", "Jl. Raya Jonggol"]),
    "3204": (5, ["Jl. Raya Banjaran", "Jl. Raya Soreang", "Jl. Raya Majalaya"]),
    "3275": (5, ["Jl. Ahmad Yani", "Jl. Raya Narogong", "Jl. Kalimalang"]),
    "3276": (4, ["Jl. Margonda Raya", "Jl. Raya Sawangan", "Jl. Juanda"]),
    "3171": (4, ["Jl. Gunung Sahari", "Jl. Kramat Raya", "Jl. Cikini Raya"]),
    "3172": (3, ["Jl. Yos Sudarso", "Jl. Plumpang Semper", "Jl. Pluit Raya"]),
    "3173": (3, ["Jl. Daan Mogot", "Jl. Panjang", "Jl. Kyai Tapa"]),
    "3174": (4, ["Jl. Fatmawati", "Jl. Ciledug Raya", "Jl. Kemang Raya"]),
    "3175": (4, ["Jl. Raya Bogor", "Jl. Kalimalang", "Jl. Pemuda"]),
    "3578": (6, ["Jl. Ahmad Yani", "Jl. Kenjeran", "Jl. Raya Darmo", "Jl. Rungkut Industri"]),
    "3573": (3, ["Jl. Soekarno-Hatta", "Jl. Ijen", "Jl. Sulfat"]),
    "3515": (3, ["Jl. Raya Porong", "Jl. Pahlawan", "Jl. Raya Waru"]),
    "1271": (5, ["Jl. Gatot Subroto", "Jl. Sisingamangaraja", "Jl. Setia Budi"]),
    "1207": (3, ["Jl. Medan-Tebing Tinggi", "Jl. Karya Jasa", "Jl. Pasar Baru"]),
    "7371": (5, ["Jl. Perintis Kemerdekaan", "Jl. Urip Sumoharjo", "Jl. AP Pettarani"]),
    "7306": (2, ["Jl. Poros Malino", "Jl. Sultan Hasanuddin", "Jl. Tumanurung"]),
}

# Report texts per category: (kind, title, description). {street}, {place} and {n} are filled.
PG, AS, IR = Kind.COMPLAINT, Kind.ASPIRATION, Kind.INFORMATION_REQUEST  # pengaduan, aspirasi, info
TEXTS: dict[str, list[tuple[str, str, str]]] = {
    "infrastruktur": [
        (
            PG,
            "Jalan rusak dan berlubang di {street}",
            "Jalan di {street}, {place}, berlubang di banyak titik sejak musim hujan. "
            "Sudah ada {n} pengendara motor yang jatuh minggu ini. Mohon segera ditambal.",
        ),
        (
            PG,
            "Drainase tersumbat, jalan tergenang setiap hujan",
            "Saluran air di {street} tersumbat sampah dan lumpur. Setiap hujan deras air "
            "menggenang setinggi lutut dan masuk ke rumah warga. Mohon dinormalisasi.",
        ),
        (
            PG,
            "Lampu penerangan jalan mati sepanjang {street}",
            "Sudah {n} minggu lampu PJU di {street}, {place}, mati. Malam hari sangat gelap "
            "dan rawan begal. Mohon diperbaiki.",
        ),
        (
            AS,
            "Usulan pembangunan trotoar di {street}",
            "Pejalan kaki, termasuk anak sekolah, terpaksa berjalan di badan jalan karena "
            "tidak ada trotoar di {street}. Kami mengusulkan pembangunan trotoar.",
        ),
        (
            PG,
            "Jembatan penghubung kampung retak",
            "Jembatan kecil di dekat {street}, {place}, retak dan bergoyang jika dilewati "
            "motor. Warga khawatir ambruk. Mohon diperiksa dan diperbaiki.",
        ),
    ],
    "lingkungan": [
        (
            PG,
            "Sampah menumpuk di TPS {street}",
            "Sampah di TPS dekat {street} tidak diangkut selama {n} hari, bau menyengat dan "
            "banyak lalat. Mohon jadwal pengangkutan diperbaiki.",
        ),
        (
            PG,
            "Pembakaran sampah oleh warga mengganggu pernapasan",
            "Setiap sore ada pembakaran sampah di lahan kosong {street}, {place}. Asapnya "
            "masuk ke rumah dan anak saya batuk-batuk. Mohon ditertibkan.",
        ),
        (
            PG,
            "Sungai tercemar limbah pabrik",
            "Air sungai di sekitar {street} berwarna hitam dan berbau sejak {n} hari lalu. "
            "Diduga limbah pabrik dibuang tanpa diolah. Ikan-ikan mati.",
        ),
        (
            AS,
            "Usulan bank sampah di tingkat RW",
            "Kami warga {place} ingin membentuk bank sampah. Mohon pendampingan dan bantuan "
            "sarana dari pemerintah daerah.",
        ),
    ],
    "jaminan-kesehatan": [
        (
            PG,
            "Peserta BPJS Kesehatan diminta bayar obat di rumah sakit",
            "Ibu saya peserta BPJS Kesehatan kelas 3 dirawat di rumah sakit di {place}, "
            "tetapi keluarga diminta membeli sendiri obat senilai Rp{n}00.000. Apakah ini benar?",
        ),
        (
            PG,
            "Kartu BPJS Kesehatan tiba-tiba nonaktif",
            "Kartu KIS PBI saya nonaktif tanpa pemberitahuan saat berobat ke puskesmas. "
            "Saya tidak mampu membayar iuran mandiri. Mohon diaktifkan kembali.",
        ),
        (
            PG,
            "Antrean rujukan BPJS sangat lama",
            "Untuk mendapat rujukan ke spesialis saya harus mengantre {n} minggu. Mohon "
            "perbaikan sistem antrean rujukan.",
        ),
        (
            IR,
            "Permohonan informasi prosedur pindah faskes BPJS",
            "Saya pindah domisili ke {place}. Mohon informasi cara memindahkan fasilitas "
            "kesehatan tingkat pertama BPJS Kesehatan saya.",
        ),
    ],
    "kesehatan": [
        (
            PG,
            "Puskesmas tutup sebelum jam layanan berakhir",
            "Puskesmas di {place} sudah tutup pukul 11.00 padahal jadwal layanan sampai "
            "pukul 14.00. Warga yang datang terpaksa pulang.",
        ),
        (
            PG,
            "Pelayanan IGD rumah sakit daerah lambat",
            "Anak saya demam tinggi menunggu {n} jam di IGD RSUD tanpa diperiksa dokter. "
            "Mohon evaluasi pelayanan IGD.",
        ),
        (
            PG,
            "Kasus demam berdarah meningkat, belum ada fogging",
            "Di lingkungan kami di {street} sudah {n} warga terkena DBD bulan ini. Mohon "
            "dilakukan fogging dan pemberantasan sarang nyamuk.",
        ),
        (
            AS,
            "Usulan posyandu lansia di kelurahan",
            "Banyak lansia di {place} kesulitan memeriksakan kesehatan rutin. Kami "
            "mengusulkan posyandu lansia setiap bulan.",
        ),
    ],
    "kependudukan": [
        (
            PG,
            "KTP-el belum jadi setelah {n} bulan",
            "Saya rekam KTP-el di Disdukcapil {place} {n} bulan lalu, tetapi sampai sekarang "
            "belum dicetak dengan alasan blangko habis. Mohon kejelasan.",
        ),
        (
            PG,
            "Diminta biaya untuk mengurus Kartu Keluarga",
            "Saat mengurus perubahan KK di kelurahan, saya diminta membayar Rp{n}0.000 "
            "padahal layanan adminduk gratis.",
        ),
        (
            IR,
            "Permohonan informasi syarat akta kelahiran terlambat",
            "Anak saya berusia 3 tahun dan belum punya akta kelahiran. Mohon informasi "
            "persyaratan dan prosedur penerbitannya di {place}.",
        ),
    ],
    "air-bersih": [
        (
            PG,
            "Air PDAM tidak mengalir {n} hari",
            "Air PDAM di {street}, {place}, tidak mengalir selama {n} hari tanpa "
            "pemberitahuan. Kami tetap ditagih abonemen. Mohon segera ditangani.",
        ),
        (
            PG,
            "Air PDAM keruh dan berbau",
            "Air dari PDAM di rumah kami keruh kecoklatan dan berbau kaporit berlebihan "
            "sejak minggu lalu. Tidak bisa dipakai memasak.",
        ),
        (
            PG,
            "Tagihan PDAM melonjak tidak wajar",
            "Tagihan air bulan ini Rp{n}50.000, lima kali lipat biasanya, padahal pemakaian "
            "normal. Mohon meteran diperiksa.",
        ),
    ],
    "pendidikan": [
        (
            PG,
            "Gaji guru honorer belum dibayar {n} bulan",
            "Saya guru honorer di SD negeri di {place}. Honor kami belum dibayar {n} bulan. "
            "Mohon kejelasan pencairan dana BOS untuk honor guru.",
        ),
        (
            PG,
            "Pungutan uang seragam di sekolah negeri",
            "Sekolah negeri di {place} mewajibkan membeli seragam dan buku di sekolah "
            "seharga Rp{n}00.000. Apakah ini diperbolehkan?",
        ),
        (
            PG,
            "Anak tidak diterima SPMB zonasi padahal rumah dekat",
            "Rumah kami hanya 300 meter dari SMP negeri di {place}, tetapi anak kami tidak "
            "diterima jalur domisili, sementara yang jauh diterima.",
        ),
        (
            AS,
            "Usulan perbaikan atap kelas yang bocor",
            "Atap dua ruang kelas SD di {street} bocor dan plafonnya mulai jebol. Mohon "
            "dianggarkan rehabilitasi sebelum musim hujan.",
        ),
    ],
    "korupsi-pungli": [
        (
            PG,
            "Dugaan pungli pengurusan izin usaha di kecamatan",
            "Petugas di kantor kecamatan {place} meminta uang Rp{n}00.000 agar surat "
            "keterangan usaha cepat selesai. Tanpa uang, berkas tidak diproses.",
        ),
        (
            PG,
            "Pungutan liar parkir di pasar",
            "Di pasar dekat {street} ada juru parkir tanpa karcis resmi yang menarik "
            "Rp{n}.000 per motor. Mohon ditertibkan.",
        ),
    ],
    "sosial": [
        (
            PG,
            "Bansos PKH tidak tepat sasaran",
            "Di RT kami di {place}, keluarga yang mampu menerima PKH, sedangkan janda lansia "
            "yang tidak mampu tidak terdaftar. Mohon data DTSEN diperbaiki.",
        ),
        (
            PG,
            "Bantuan sembako tidak diterima penuh",
            "Paket bantuan yang kami terima berkurang dari yang diumumkan. Beras hanya "
            "{n} kg, minyak goreng tidak ada.",
        ),
        (
            IR,
            "Permohonan informasi cara mendaftar DTSEN",
            "Bagaimana cara mendaftarkan keluarga kami yang tidak mampu ke data tunggal "
            "sosial ekonomi di {place}?",
        ),
    ],
    "perhubungan": [
        (
            PG,
            "Angkot ngetem sembarangan menyebabkan macet",
            "Angkot berhenti lama di persimpangan {street} sehingga macet panjang setiap "
            "pagi. Mohon penertiban oleh Dinas Perhubungan.",
        ),
        (
            PG,
            "Lampu lalu lintas mati di persimpangan {street}",
            "Lampu lalu lintas di persimpangan {street}, {place}, mati sejak {n} hari lalu "
            "dan sudah terjadi beberapa kecelakaan kecil.",
        ),
    ],
    "listrik": [
        (
            PG,
            "Listrik sering padam tanpa pemberitahuan",
            "Dalam seminggu listrik di {place} padam {n} kali tanpa pemberitahuan, "
            "peralatan elektronik warga rusak.",
        ),
        (
            PG,
            "Tiang listrik miring hampir roboh",
            "Tiang listrik di {street} miring setelah hujan angin dan kabelnya menjuntai "
            "rendah. Sangat berbahaya bagi pengguna jalan.",
        ),
    ],
    "pertanahan": [
        (
            PG,
            "Sertifikat tanah PTSL belum terbit",
            "Kami ikut program PTSL di {place} sejak {n} tahun lalu, tetapi sertifikat "
            "belum diterima, dan kami sempat dimintai biaya tambahan.",
        ),
    ],
    "ketertiban": [
        (
            PG,
            "Pedagang kaki lima menutup trotoar {street}",
            "Trotoar di {street} penuh pedagang kaki lima sehingga pejalan kaki harus "
            "turun ke jalan. Mohon ditata.",
        ),
        (
            PG,
            "Tempat hiburan malam bising hingga dini hari",
            "Kafe di dekat permukiman {place} memutar musik keras sampai pukul 03.00 setiap "
            "akhir pekan. Warga tidak bisa beristirahat.",
        ),
    ],
    "ketenagakerjaan": [
        (
            PG,
            "Gaji di bawah UMK dan tanpa BPJS Ketenagakerjaan",
            "Perusahaan tempat saya bekerja di {place} membayar di bawah UMK dan tidak "
            "mendaftarkan karyawan ke BPJS Ketenagakerjaan.",
        ),
        (
            PG,
            "PHK sepihak tanpa pesangon",
            "Saya dan {n} rekan di-PHK tanpa pemberitahuan dan tanpa pesangon. Mohon "
            "mediasi dari dinas tenaga kerja.",
        ),
    ],
    "perizinan": [
        (
            PG,
            "Pengurusan PBG berbulan-bulan tanpa kejelasan",
            "Permohonan Persetujuan Bangunan Gedung saya di {place} sudah {n} bulan tanpa "
            "status yang jelas di sistem.",
        ),
    ],
    "bencana": [
        (
            PG,
            "Tanggul sungai jebol, warga butuh bantuan",
            "Tanggul di dekat {street}, {place}, jebol dan {n}0 rumah terendam. Warga "
            "membutuhkan perahu karet, makanan dan obat-obatan.",
        ),
    ],
    "perlindungan-anak": [
        (
            PG,
            "Dugaan penelantaran anak di lingkungan kami",
            "Ada anak usia sekolah di {place} yang tidak bersekolah dan sering ditinggal "
            "sendiri berhari-hari. Mohon pendampingan.",
        ),
    ],
    "lainnya": [
        (
            PG,
            "Keluhan pelayanan kantor pos",
            "Paket kiriman saya tertahan {n} minggu dan petugas tidak bisa memberi "
            "kejelasan. Saya tidak tahu harus melapor ke mana.",
        ),
        (
            AS,
            "Saran layanan publik buka di akhir pekan",
            "Banyak pekerja tidak bisa mengurus layanan publik pada hari kerja. Mohon "
            "dipertimbangkan layanan di hari Sabtu.",
        ),
    ],
}
CATEGORY_WEIGHTS = {
    "infrastruktur": 16,
    "lingkungan": 10,
    "jaminan-kesehatan": 9,
    "kesehatan": 8,
    "kependudukan": 8,
    "air-bersih": 7,
    "pendidikan": 8,
    "korupsi-pungli": 4,
    "sosial": 6,
    "perhubungan": 5,
    "listrik": 3,
    "pertanahan": 3,
    "ketertiban": 4,
    "ketenagakerjaan": 3,
    "perizinan": 2,
    "bencana": 2,
    "perlindungan-anak": 1,
    "lainnya": 3,
}
# Reports that triage rejects: (title, description, reason).
JUNK = [
    ("tes", "tes tes coba aplikasi", "Bukan laporan: uji coba."),
    (
        "Pinjaman online cepat cair",
        "Butuh dana cepat? Hubungi WA kami, bunga rendah tanpa agunan.",
        "Spam: promosi.",
    ),
    ("Halo admin", "Apakah aplikasi ini benar-benar dibaca?", "Bukan laporan: pertanyaan umum."),
    (
        "Kesal dengan pejabat",
        "Semua pejabat sama saja, tidak ada yang peduli.",
        "Tidak memuat peristiwa, tempat dan waktu yang dapat ditindaklanjuti.",
    ),
]
# Where a holder passes a report it cannot answer ("bukan wewenang"): category -> agency slug.
TRANSFER_TO = {
    "infrastruktur": ("kemenpu", "Ruas jalan nasional, kewenangan Kementerian PU."),
    "kesehatan": ("bpjs-kesehatan", "Terkait klaim peserta JKN, kewenangan BPJS Kesehatan."),
    "jaminan-kesehatan": ("kemenkes", "Terkait tarif dan obat rumah sakit, kewenangan Kemenkes."),
    "listrik": ("pemprov", "Penerangan jalan provinsi, kewenangan pemerintah provinsi."),
}
FIRST = [
    "Agus", "Ahmad", "Andi", "Ani", "Bambang", "Citra", "Dedi", "Dian", "Eko", "Fitri",
    "Gita", "Hadi", "Indah", "Joko", "Kartika", "Lina", "Made", "Nur", "Putri", "Rizky",
    "Sari", "Taufik", "Ujang", "Wahyu", "Yuli", "Zainal", "Ayu", "Rudi", "Nanda", "Ikhsan",
]  # fmt: skip
LAST = [
    "Pratama", "Saputra", "Wijaya", "Hidayat", "Lubis", "Nasution", "Siregar", "Sitompul",
    "Rahman", "Hasanuddin", "Daeng", "Setiawan", "Kurniawan", "Permana", "Gunawan",
    "Susanto", "Halim", "Syahputra", "Mulyadi", "Rachmawati",
]  # fmt: skip
RESPONSES = [
    "Terima kasih atas laporannya. Tim kami akan meninjau lokasi minggu ini.",
    "Laporan sudah kami terima dan diteruskan ke bidang terkait untuk ditindaklanjuti.",
    "Petugas sudah menjadwalkan pemeriksaan lapangan.",
]
RESOLUTIONS = [
    "Perbaikan telah selesai dilaksanakan. Foto hasil pekerjaan terlampir di catatan petugas.",
    "Masalah sudah ditangani dan petugas telah berkoordinasi dengan pelapor.",
    "Sudah kami tindak lanjuti; layanan kembali normal sejak kemarin.",
    "Informasi yang diminta sudah kami kirimkan ke alamat email pelapor.",
]

# The story of each report: which status it ends in, and how it gets there.
PLANS = [
    # (plan, weight)
    ("submitted", 8),
    ("needs_info", 5),
    ("triage", 4),  # verified, no rule: waits in national triage
    ("returned", 2),  # dispatched, then "bukan wewenang": back to triage
    ("dispatched", 11),
    ("in_progress", 15),
    ("transferred", 6),
    ("resolved", 9),
    ("closed", 25),
    ("disputed", 4),  # resolved, disputed by the citizen: in progress again
    ("rejected", 6),
    ("merged", 3),
    ("archived", 2),  # asked for details that never came: archived, not rejected
]


@dataclass
class Seeder:
    rng: random.Random
    stdout: object
    now: dt.datetime = field(default_factory=timezone.now)
    users: dict[str, User] = field(default_factory=dict)
    officers: dict[int, list[User]] = field(default_factory=dict)  # top-level agency -> users
    password_hash: str = ""
    stories: list[tuple[int, str]] = field(default_factory=list)  # (report id, plan)

    # --- people --------------------------------------------------------------------------

    def make_user(self, username: str, full_name: str) -> User:
        user = User.objects.create(
            username=f"{username}@{DOMAIN}",
            email=f"{username}@{DOMAIN}",
            full_name=full_name,
            email_verified=True,
            password=self.password_hash,
        )
        self.users[username] = user
        return user

    def make_accounts(self) -> None:
        self.password_hash = make_password(PASSWORD)
        for username, full_name, kind, scope in ACCOUNTS:
            user = self.make_user(username, full_name)
            if kind is None:
                continue
            agency = Agency.objects.get(slug=scope) if kind in _AGENCY_ROLES else None
            province = Province.objects.get(code=scope) if scope and agency is None else None
            role_grant(user=user, kind=kind, agency=agency, province=province, decree="SK-DEMO")
            if kind == Role.Kind.NATIONAL_ADMIN:
                user.is_superuser = user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
            if agency is not None and kind == Role.Kind.OFFICER:
                self.officers.setdefault(agency.root_id, []).append(user)

    def officer_for(self, report: Report) -> User:
        """Someone who works the report's agency: a named demo officer, or one made for it."""
        root = report.owner_agency_id
        if report.agency and report.agency.unit_type == "dinas-kesehatan" and root == _bandung():
            return self.users["dinkes.bandung"]
        if root not in self.officers:
            agency = Agency.objects.get(pk=root)
            user = self.make_user(f"petugas.{agency.slug}", f"Petugas {agency.acronym or agency}")
            role_grant(user=user, kind=Role.Kind.OFFICER, agency=agency, decree="SK-DEMO")
            self.officers[root] = [user]
        choices = [u for u in self.officers[root] if u.username != f"dinkes.bandung@{DOMAIN}"]
        return self.rng.choice(choices or self.officers[root])

    # --- reports -------------------------------------------------------------------------

    def new_report(self, plan: str, index: int) -> tuple[NewReport, User | None]:
        rng = self.rng
        regency_code = rng.choices(list(REGIONS), [w for w, _ in REGIONS.values()])[0]
        regency = _regency(regency_code)
        street = rng.choice(REGIONS[regency_code][1])
        if plan == "triage":
            code = "lainnya"
        else:
            code = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
            if code == "lainnya":
                code = "infrastruktur"
        kind, title, description = rng.choice(TEXTS[code])
        if plan == "rejected" and rng.random() < 0.7:
            title, description, _ = rng.choice(JUNK)
        district = _district(regency_code, rng)
        place = f"Kecamatan {district.name}, {regency.name}" if district else regency.name
        n = rng.randint(2, 9)
        fill = {"street": street, "place": place, "n": n}
        reporter = None
        # The two demo citizens file one report of each story, then a share of the rest.
        if index < 2 * len(PLANS) or rng.random() < 0.1:
            reporter = self.users["warga1" if index % 2 == 0 else "warga2"]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{name.lower().replace(' ', '.')}{rng.randint(1, 99)}@example.id"
        data = NewReport(
            kind=kind,
            title=title.format(**fill)[:200],
            description=description.format(**fill),
            category_id=_category(code),
            province_id=regency.province_id,
            regency_id=regency.code,
            district_id=district.code if district else None,
            address=f"{street} No. {rng.randint(1, 250)}",
            occurred_on=(self.now - dt.timedelta(days=rng.randint(0, 200))).date(),
            is_anonymous=rng.random() < 0.15,
            is_confidential=rng.random() < 0.1,
            reporter_name="" if reporter else name,
            reporter_email="" if reporter else (email if rng.random() < 0.8 else ""),
            reporter_phone="" if reporter else f"08{rng.randint(1100000000, 9999999999)}",
            channel=rng.choices(
                [Channel.WEB, Channel.SMS, Channel.API, Channel.INTEGRATION, Channel.OPEN311],
                [75, 10, 8, 4, 3],
            )[0],
        )
        if data.channel == Channel.SMS:
            data.reporter_email = ""
        # A few citizens name the agency they mean (allowed since 2025).
        if code in ("kesehatan", "jaminan-kesehatan") and rng.random() < 0.15:
            data.requested_agency_id = _agency("kemenkes").pk
        return data, reporter

    def act(self, report: Report, action: str, actor=None, reporter=None, **params) -> Report:
        if actor is None and reporter is None:
            actor = self.users["nasional"]
        token = None
        if reporter is not None:  # the citizen acts: signed in, or with the e-mail link secret
            actor = report.reporter
            token = None if actor else report.reporter_secret
        return report_transition(
            report_id=report.pk, action=action, actor=actor, token=token, **params
        )

    def dispatch(self, report: Report) -> Report:
        admin = self.users["nasional"]
        report = report_verify_and_route(report_id=report.pk, actor=admin, note="")
        if report.status == Status.VERIFIED:  # no rule matched: triage picks the government
            report = self.act(report, "dispatch", agency=_government(report.regency_id))
        return report

    def work(self, report: Report, *, resolve: bool) -> Report:
        rng = self.rng
        officer = self.officer_for(report)
        report = self.act(report, "respond", officer, note=rng.choice(RESPONSES))
        if rng.random() < 0.4:
            report = self.act(report, "assign", officer, assignee=officer)
        if rng.random() < 0.3:
            note = "Pemeriksaan lapangan sudah dilakukan; menunggu jadwal pengerjaan."
            report = self.act(report, "progress", officer, note=note)
        if rng.random() < 0.2:
            report = self.act(report, "note", officer, note="Koordinasi dengan kelurahan.")
        if report.kind == Kind.INFORMATION_REQUEST and rng.random() < 0.3:
            note = "Data perlu dihimpun dari beberapa bidang."
            report = self.act(report, "extend", officer, note=note)
        if resolve:
            report = self.act(report, "resolve", officer, note=rng.choice(RESOLUTIONS))
        return report

    def transfer(self, report: Report) -> Report:
        code = report.category.code if report.category else ""
        slug, reason = TRANSFER_TO.get(
            code, ("pemprov", "Kewenangan pemerintah provinsi, bukan kabupaten/kota.")
        )
        target = _agency(f"pemprov-{report.province_id}") if slug == "pemprov" else _agency(slug)
        # Routing by law may already have sent it where the story's transfer would: then the
        # holder hands it on the other way (a regional matter is the regency's or the
        # province's, UU 23/2014 Lampiran), never to itself.
        for candidate, why in (
            (target, reason),
            (_agency(f"pemprov-{report.province_id}"), "Kewenangan pemerintah provinsi."),
            (
                _government(report.regency_id) if report.regency_id else None,
                "Kewenangan pemerintah kabupaten/kota.",
            ),
        ):
            if candidate is not None and candidate.root_id != report.owner_agency_id:
                target, reason = candidate, why
                break
        else:
            return report
        return self.act(report, "transfer", self.officer_for(report), note=reason, agency=target)

    def tell(self, report: Report, plan: str) -> Report:
        rng, admin = self.rng, self.users["nasional"]
        if plan == "submitted":
            return report
        if plan == "needs_info":
            note = "Mohon lengkapi alamat lengkap dan foto lokasi kejadian."
            return self.act(report, "request_info", admin, note=note)
        if plan == "archived":
            report = self.act(report, "request_info", admin, note="Mohon lengkapi kronologi.")
            return report_transition(report_id=report.pk, action="expire_info", system=True)
        if plan == "rejected":
            reason = next((r for t, _, r in JUNK if t == report.title), None)
            if reason is None:  # asked for details that never came
                report = self.act(report, "request_info", admin, note="Mohon lengkapi kronologi.")
                return report_transition(report_id=report.pk, action="expire_info", system=True)
            return self.act(report, "reject", admin, note=reason)
        if rng.random() < 0.15:  # some reporters had to complete their report first
            report = self.act(report, "request_info", admin, note="Mohon sebutkan lokasi pasti.")
            note = "Lokasinya di depan warung dekat masjid, foto menyusul."
            report = self.act(report, "provide_info", reporter=True, note=note)
        report = self.dispatch(report) if plan != "triage" else self.verify_only(report)
        if plan in ("triage", "dispatched"):
            return report
        if plan == "returned":
            note = "Bukan wewenang kami: lokasi berada di luar wilayah kota."
            return self.act(report, "return_to_triage", self.officer_for(report), note=note)
        if plan == "transferred":
            if rng.random() < 0.5:
                report = self.act(report, "respond", self.officer_for(report), note=RESPONSES[1])
            report = self.transfer(report)
            if report.status == Status.DISPATCHED and rng.random() < 0.6:
                report = self.work(report, resolve=rng.random() < 0.5)
            return report
        report = self.work(report, resolve=plan != "in_progress")
        if plan in ("in_progress", "resolved"):
            return report
        if plan == "disputed":
            note = "Perbaikan hanya tambal sulam, seminggu kemudian rusak lagi."
            report = self.act(report, "dispute", reporter=True, note=note)
            if rng.random() < 0.4:
                note = "Kami jadwalkan perbaikan menyeluruh bulan ini."
                report = self.act(report, "progress", self.officer_for(report), note=note)
            return report
        # closed: most citizens accept and rate; some let the dispute window run out
        rating = rng.choices([5, 4, 3, 2, 1], [35, 35, 15, 10, 5])[0]
        if rng.random() < 0.85:
            return self.act(report, "accept", reporter=True, rating=rating)
        return report_transition(report_id=report.pk, action="auto_close", system=True)

    def verify_only(self, report: Report) -> Report:
        return report_verify_and_route(
            report_id=report.pk, actor=self.users["nasional"], note="Perlu keputusan triase."
        )

    def duplicate_of(self, target: Report) -> NewReport:
        """A second citizen reporting what an earlier report already says (for merging)."""
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        return NewReport(
            kind=target.kind,
            title=target.title,
            description="Saya juga mengalami hal yang sama. " + target.description,
            category_id=target.category_id,
            province_id=target.province_id,
            regency_id=target.regency_id,
            district_id=target.district_id,
            address=target.address,
            reporter_name=name,
            reporter_email=f"{name.lower().replace(' ', '.')}@example.id",
            channel=Channel.WEB,
        )

    def file_all(self, count: int) -> None:
        names, weights = zip(*PLANS, strict=True)
        for index in range(count):
            # Every story at least once (twice, when there are enough reports), then by weight.
            plan = names[index % len(names)] if index < len(names) * 2 else None
            plan = plan or self.rng.choices(names, weights)[0]
            targets = [pk for pk, p in self.stories if p not in ("merged", "rejected")]
            if plan == "merged" and targets:
                target = Report.objects.get(pk=self.rng.choice(targets))
                report = report_submit(data=self.duplicate_of(target))
                report = self.act(
                    report, "merge", note=f"Sama dengan laporan {target.tracking}.", into=target
                )
            else:
                plan = "dispatched" if plan == "merged" else plan
                data, reporter = self.new_report(plan, index)
                report = self.tell(report_submit(data=data, reporter=reporter), plan)
            self.stories.append((report.pk, plan))

    # --- time: demo-only back-dating ------------------------------------------------------

    def backdate(self) -> None:
        """Spreads the reports over the last ~180 days. Demo data only: audit events are
        never edited in production; here they are moved in time with ``QuerySet.update()``
        right after they were written, before anyone could have read them."""
        calendar = Calendar()
        for report_id, plan in self.stories:
            events = list(ReportEvent.objects.filter(report_id=report_id).order_by("pk"))
            # Stories still waiting on a short clock happened lately; the rest at any time.
            recent = plan in ("submitted", "needs_info", "resolved", "dispatched")
            age = dt.timedelta(
                days=self.rng.uniform(0.2, 8 if recent else 180), hours=self.rng.uniform(0, 12)
            )
            start = self.now - age
            times = self.timeline(start, events)
            mapping = [(e.created_at, t) for e, t in zip(events, times, strict=True)]
            for event, when in zip(events, times, strict=True):
                ReportEvent.objects.filter(pk=event.pk).update(created_at=when)
            last = {e.action: when for e, when in zip(events, times, strict=True)}
            self.move_report(report_id, mapping, last, calendar)

    def timeline(self, start: dt.datetime, events: list[ReportEvent]) -> list[dt.datetime]:
        gaps = [dt.timedelta(0)]
        for event in events[1:]:
            low, high = _GAP_HOURS.get(event.action, (0.5, 48))
            gaps.append(dt.timedelta(hours=self.rng.uniform(low, high)))
        room = (self.now - dt.timedelta(minutes=30)) - start
        total = sum(gaps, dt.timedelta(0))
        if total > room:
            gaps = [g * (room / total) for g in gaps]
        times, when = [], start
        for gap in gaps:
            when += gap
            times.append(when)
        return times

    def move_report(self, report_id: int, mapping: list, last: dict, calendar: Calendar) -> None:
        report = Report.objects.get(pk=report_id)

        def moved(value):
            if value is None:
                return None
            old, new = min(mapping, key=lambda m: abs(m[0] - value))
            return new + (value - old)

        changes = {name: moved(getattr(report, name)) for name in _MOMENTS}
        changes["created_at"] = mapping[0][1]
        changes["updated_at"] = mapping[-1][1]

        def due(stage: str, start):
            if start is None:
                return None
            return deadlines.due(
                stage=stage,
                kind=report.kind,
                start=start,
                agency_id=report.owner_agency_id,
                category_id=report.category_id,
                calendar=calendar,
            )

        changes["verify_due"] = due(deadlines.Stage.VERIFY, changes["created_at"])
        if report.info_due:
            changes["info_due"] = due(deadlines.Stage.INFO, last.get("request_info"))
        if report.response_due:
            changes["response_due"] = due(
                deadlines.Stage.FIRST_RESPONSE, changes["agency_received_at"]
            )
        if report.resolution_due:
            changes["resolution_due"] = due(deadlines.Stage.RESOLUTION, changes["dispatched_at"])
        if report.dispute_due:
            changes["dispute_due"] = due(deadlines.Stage.DISPUTE, changes["resolved_at"])
        Report.objects.filter(pk=report_id).update(**changes)


_MOMENTS = [
    "verified_at",
    "dispatched_at",
    "agency_received_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "overdue_at",
    "escalated_at",
]
# Hours between an event and the one before it, by action (low, high).
_GAP_HOURS = {
    "request_info": (2, 60),
    "provide_info": (4, 96),
    "verify": (1, 60),
    "dispatch": (0.01, 0.2),
    "respond": (4, 150),
    "assign": (0.1, 24),
    "progress": (24, 240),
    "note": (1, 48),
    "extend": (24, 120),
    "resolve": (24, 500),
    "transfer": (6, 120),
    "return_to_triage": (6, 96),
    "accept": (4, 200),
    "auto_close": (200, 340),
    "dispute": (4, 120),
    "reject": (2, 48),
    "merge": (2, 48),
    "expire_info": (240, 340),
}
_AGENCY_ROLES = (Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN, Role.Kind.PPID_SUPERIOR)
_cache: dict = {}


def _agency(slug: str) -> Agency:
    key = ("agency", slug)
    if key not in _cache:
        _cache[key] = Agency.objects.get(slug=slug)
    return _cache[key]


def _bandung() -> int:
    return _agency(BANDUNG).pk


def _government(regency_code: str) -> Agency:
    # Jakarta's administrative cities have no government of their own: the province holds them.
    return Agency.objects.filter(
        regency_id=regency_code, kind__in=["pemkab", "pemkot"]
    ).first() or Agency.objects.get(province_id=regency_code[:2], kind="pemprov")


def _regency(code: str) -> Regency:
    key = ("regency", code)
    if key not in _cache:
        _cache[key] = Regency.objects.get(code=code)
    return _cache[key]


def _district(regency_code: str, rng: random.Random) -> District | None:
    key = ("districts", regency_code)
    if key not in _cache:
        _cache[key] = list(District.objects.filter(regency_id=regency_code).order_by("code"))
    return rng.choice(_cache[key]) if _cache[key] else None


def _category(code: str) -> int:
    key = ("category", code)
    if key not in _cache:
        _cache[key] = Category.objects.get(code=code).pk
    return _cache[key]


def demo_users() -> list[User]:
    return list(User.objects.filter(username__endswith=f"@{DOMAIN}").order_by("pk"))


class Command(BaseCommand):
    help = "Demo accounts for every role and a few hundred reports in every status (dev only)."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=300, help="how many (default 300)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    def handle(self, *args, reports: int, seed: int, **options):
        if User.objects.filter(username=f"nasional@{DOMAIN}").exists():
            self.stdout.write("Demo data is already there; nothing changed.")
            self.print_logins()
            return
        if not Province.objects.exists():
            raise CommandError("No reference data: run `manage.py load_reference` first.")
        _cache.clear()
        started = timezone.now()
        seeder = Seeder(rng=random.Random(seed), stdout=self.stdout)  # noqa: S311 (demo data)
        # Demo mail stays in memory when tasks run in this process, and the per-task log lines
        # are held back: no console flood.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            seeder.make_accounts()
            seeder.file_all(reports)
            seeder.backdate()
            swept = run_deadline_sweep()
            public_cache.changed()  # the public list shows the dates just moved back
        if "monitoring" in settings.INSTALLED_APPS:
            # Summaries follow the report fields that were moved back in time.
            call_command("rebuild_summaries", stdout=_Null())
        took = (timezone.now() - started).total_seconds()
        counts = {s: Report.objects.filter(status=s).count() for s in Status.values}
        self.stdout.write(
            self.style.SUCCESS(f"Filed {reports} demo reports in {took:.0f} s.")
            + f" Sweep: {swept}."
        )
        self.stdout.write("Reports by status: " + ", ".join(f"{s} {n}" for s, n in counts.items()))
        self.print_logins()

    def print_logins(self) -> None:
        named = {f"{u}@{DOMAIN}": (kind, scope) for u, _, kind, scope in ACCOUNTS}
        rows = []
        for user in demo_users():
            if user.username not in named:
                continue
            kind, scope = named[user.username]
            role = Role.Kind(kind).label if kind else "Warga (citizen)"
            scope_name = ""
            if scope:
                agency = Agency.objects.filter(slug=scope).first()
                scope_name = agency.name if agency else Province.objects.get(code=scope).name
            national = kind in (Role.Kind.NATIONAL_ADMIN, Role.Kind.OMBUDSMAN)
            rows.append((user.username, str(role), "seluruh Indonesia" if national else scope_name))
        width = max(len(r[0]) for r in rows) + 2
        role_width = max(len(r[1]) for r in rows) + 2
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}) at /akun/masuk/")
        self.stdout.write(f"{'login':<{width}}{'role':<{role_width}}scope")
        for login, role, scope in rows:
            self.stdout.write(f"{login:<{width}}{role:<{role_width}}{scope}")
        others = len(demo_users()) - len(rows)
        if others:
            self.stdout.write(
                f"(+{others} more officers, one per agency that holds demo reports: "
                f"petugas.<agency slug>@{DOMAIN})"
            )
        self.stdout.write("Django admin: /admin/ as nasional@" + DOMAIN)


class _Null:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass
