"""Chat spellings and regional words are read as the words they stand for."""

from routing.textnorm import normalize


def test_chat_abbreviations_are_spelled_out():
    assert normalize("jln rusak parah gan, udh 3 bln blm dtg") == (
        "jalan rusak parah gan, sudah 3 bulan belum datang"
    )


def test_repetition_with_a_two_and_regional_words():
    assert normalize("lobang dimana2") == "lubang dimana dimana"
    assert normalize("Dalane nang deso ruksak") == "jalan nang desa rusak"
    assert normalize("Cai PDAM teu kaluar") == "air pdam tidak keluar"


def test_words_inside_other_words_are_left_alone():
    assert normalize("gaji yang tidak dibayar") == "gaji yang tidak dibayar"
    assert normalize("jalanan") == "jalan" and normalize("jalan-jalan") == "jalan-jalan"
