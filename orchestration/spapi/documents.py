"""Turn a downloaded SP-API report document (raw bytes) into text, recording how it was decoded."""

from __future__ import annotations

import codecs
import gzip
import zlib
from dataclasses import dataclass
from email.message import Message

GZIP_MAGIC = b"\x1f\x8b"

# Labels that browsers (WHATWG) and Amazon's own tooling treat as Windows-1252. A header that
# says iso-8859-1 almost always means cp1252: true latin-1 has no glyph for 0x80 (euro sign).
_CP1252_LABELS = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1", "cp1252", "windows-1252"}


class DocumentDecodeError(ValueError):
    """The document bytes cannot be turned into text (e.g. a corrupt gzip body)."""


@dataclass(frozen=True)
class DecodedDocument:
    text: str
    # Python codec name actually used: "utf-8-sig", "cp1252", "utf-16", or the header's charset.
    # "cp1252+replace" means some bytes were undefined in cp1252 and became U+FFFD; the raw
    # bytes the caller keeps are the authority then.
    encoding: str
    was_gzipped: bool
    charset_from_header: str | None


def gunzip_if_needed(raw: bytes) -> tuple[bytes, bool]:
    """Decompress when the body starts with the gzip magic bytes, whatever the headers claim.

    The Reports API says `compressionAlgorithm: GZIP` for some documents, and httpx may already
    have undone a Content-Encoding: gzip, so only the bytes themselves are trusted.
    """
    if not raw.startswith(GZIP_MAGIC):
        return raw, False
    try:
        return gzip.decompress(raw), True
    except (OSError, EOFError, zlib.error) as exc:
        raise DocumentDecodeError(f"document starts with gzip magic bytes but is not valid gzip: {exc}") from exc


def charset_from_content_type(content_type: str | None) -> str | None:
    """The `charset` parameter of a Content-Type header value, lower-cased, or None."""
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    charset = msg.get_param("charset")
    if not charset or not isinstance(charset, str):
        return None
    return charset.strip().strip('"').lower() or None


def _codec_for_label(label: str) -> str | None:
    if label in _CP1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_text(body: bytes, content_type: str | None = None) -> tuple[str, str, str | None]:
    """Decode already-decompressed bytes: header charset, else utf-8-sig strict, else cp1252.

    Returns (text, encoding used, charset named by the header). A header charset that fails
    to decode the bytes is not trusted (Amazon's headers are often wrong); we fall back to the
    sniffing chain and the returned encoding says what actually worked. One more distrust: a
    single-byte label (latin-1/cp1252) on bytes that are valid UTF-8 with non-ASCII content is
    the classic mislabel that turns '£' into 'Â£'; real cp1252 text is practically never valid
    UTF-8 beyond ASCII, so UTF-8 wins there.
    """
    header_charset = charset_from_content_type(content_type)
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16"), "utf-16", header_charset
    if header_charset:
        codec = _codec_for_label(header_charset)
        if codec is not None:
            if codec == "utf-8":
                codec = "utf-8-sig"  # a BOM is never content
            if codec == "cp1252" and not body.isascii():
                try:
                    return body.decode("utf-8-sig"), "utf-8-sig", header_charset
                except UnicodeDecodeError:
                    pass
            try:
                return body.decode(codec), codec, header_charset
            except UnicodeDecodeError:
                pass
    try:
        return body.decode("utf-8-sig"), "utf-8-sig", header_charset
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252"), "cp1252", header_charset
    except UnicodeDecodeError:
        # Five byte values are undefined in cp1252; keep going rather than lose the report.
        return body.decode("cp1252", errors="replace"), "cp1252+replace", header_charset


def utf8_body(body: bytes, content_type: str | None = None) -> tuple[bytes, str]:
    """Already-decompressed bytes as UTF-8 and the encoding decode_text names, without decoding an ASCII
    body (what most reports are) into text only to encode it again."""
    if body.isascii() and charset_from_content_type(content_type) is None:
        return body, "utf-8-sig"  # what decode_text says of it
    text, encoding, _ = decode_text(body, content_type)
    return text.encode("utf-8"), encoding


def decode_document(raw: bytes, content_type: str | None = None) -> DecodedDocument:
    """Gunzip (sniffed) and decode a report document. `raw` is never modified."""
    body, was_gzipped = gunzip_if_needed(bytes(raw))
    text, encoding, header_charset = decode_text(body, content_type)
    return DecodedDocument(text=text, encoding=encoding, was_gzipped=was_gzipped, charset_from_header=header_charset)
