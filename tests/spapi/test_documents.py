"""Report documents: gzip sniffing and the charset chain (header, utf-8-sig strict, cp1252)."""

import gzip

import pytest

from orchestration.spapi.documents import (
    DocumentDecodeError,
    charset_from_content_type,
    decode_document,
    gunzip_if_needed,
)

TITLE = "Claw hammer 16oz £12.99 – café grade"


def test_cp1252_without_charset_keeps_the_pound_sign():
    raw = TITLE.encode("cp1252")
    assert b"\xa3" in raw  # '£' is one byte in cp1252 and invalid as UTF-8 here
    doc = decode_document(raw)
    assert doc.text == TITLE
    assert doc.encoding == "cp1252"
    assert doc.was_gzipped is False
    assert doc.charset_from_header is None


def test_utf8_with_bom_drops_the_bom():
    raw = b"\xef\xbb\xbf" + TITLE.encode("utf-8")
    doc = decode_document(raw)
    assert doc.text == TITLE
    assert not doc.text.startswith("\ufeff")
    assert doc.encoding == "utf-8-sig"


def test_utf8_without_bom():
    doc = decode_document(TITLE.encode("utf-8"))
    assert doc.text == TITLE
    assert "Â" not in doc.text
    assert doc.encoding == "utf-8-sig"


def test_charset_header_cp1252_is_used():
    doc = decode_document(TITLE.encode("cp1252"), "text/plain; charset=windows-1252")
    assert doc.text == TITLE
    assert doc.encoding == "cp1252"
    assert doc.charset_from_header == "windows-1252"


def test_charset_header_cp1252_decodes_bytes_that_would_also_be_valid_latin1():
    # 0x80 is '€' in cp1252 and a control character in true latin-1.
    doc = decode_document("€5 off".encode("cp1252"), 'text/tab-separated-values; charset="ISO-8859-1"')
    assert doc.text == "€5 off"
    assert doc.encoding == "cp1252"


def test_latin1_header_on_utf8_bytes_does_not_produce_mojibake():
    doc = decode_document(TITLE.encode("utf-8"), "text/plain; charset=iso-8859-1")
    assert doc.text == TITLE
    assert doc.encoding == "utf-8-sig"
    assert doc.charset_from_header == "iso-8859-1"


def test_wrong_utf8_header_falls_back_to_cp1252():
    doc = decode_document(TITLE.encode("cp1252"), "text/plain; charset=UTF-8")
    assert doc.text == TITLE
    assert doc.encoding == "cp1252"


def test_unknown_charset_label_falls_back_to_sniffing():
    doc = decode_document(TITLE.encode("cp1252"), "text/plain; charset=x-made-up")
    assert doc.text == TITLE
    assert doc.encoding == "cp1252"


def test_gzip_body_is_sniffed_by_magic_bytes_and_raw_is_untouched():
    plain = ("sku\tprice\nDRILL-1\t£12.99\n").encode("cp1252")
    raw = gzip.compress(plain)
    before = bytes(raw)
    doc = decode_document(raw)  # no header says it is gzip
    assert doc.was_gzipped is True
    assert doc.text == "sku\tprice\nDRILL-1\t£12.99\n"
    assert doc.encoding == "cp1252"
    assert raw == before


def test_gzip_of_utf8_with_bom():
    doc = decode_document(gzip.compress(b"\xef\xbb\xbf" + TITLE.encode("utf-8")))
    assert doc.was_gzipped and doc.text == TITLE and doc.encoding == "utf-8-sig"


def test_bytearray_input_is_not_mutated():
    raw = bytearray(gzip.compress(TITLE.encode("utf-8")))
    snapshot = bytes(raw)
    decode_document(raw)
    assert bytes(raw) == snapshot


def test_not_gzip_passes_through():
    body, was_gzipped = gunzip_if_needed(b"sku\tprice\n")
    assert (body, was_gzipped) == (b"sku\tprice\n", False)


def test_corrupt_gzip_is_a_clear_error():
    with pytest.raises(DocumentDecodeError, match="not valid gzip"):
        decode_document(b"\x1f\x8b" + b"not really gzip at all")


def test_bytes_undefined_in_cp1252_are_flagged_not_fatal():
    doc = decode_document(b"bad \x81 byte \xa3")
    assert doc.encoding == "cp1252+replace"
    assert doc.text == "bad \ufffd byte £"


def test_utf16_with_bom():
    doc = decode_document(TITLE.encode("utf-16"))
    assert doc.text == TITLE and doc.encoding == "utf-16"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("text/plain", None),
        ("text/plain; charset=UTF-8", "utf-8"),
        ('text/plain; charset="Cp1252"', "cp1252"),
        ("text/plain;charset=iso-8859-1;foo=bar", "iso-8859-1"),
    ],
)
def test_charset_from_content_type(header, expected):
    assert charset_from_content_type(header) == expected
