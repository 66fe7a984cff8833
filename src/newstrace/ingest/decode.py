"""Bytes to text: binary detection first, then UTF-8, a declared charset, or a careful guess.

Why so careful: every span downstream is an offset into the decoded text, so a wrong guess
(mojibake) silently corrupts everything after it. UTF-8 is tried first because valid UTF-8
with non-ASCII bytes is almost never anything else. Short Western texts are where
charset-normalizer hesitates most (it may say cp775 for cp1252), so among its equally good
candidates the common web encodings win.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass

from charset_normalizer import from_bytes

# How much of the start of a file or payload is inspected to tell binary from text.
SNIFF_BYTES = 8192
# Share of control bytes (other than tab, newlines, form feed, escape) in the sniffed
# start above which content is taken as binary: real text has next to none.
CONTROL_SHARE_MAX = 0.10
# charset-normalizer candidates whose "chaos" (mess ratio) is within CHAOS_TIE of its best
# pick and whose language "coherence" is within COHERENCE_TIE of the best are taken as
# equally plausible, and the most common encoding among them wins (for a short cp1252 text
# it may otherwise pick cp775 or cp1250).
CHAOS_TIE = 0.03
COHERENCE_TIE = 0.02
# A text that is valid UTF-8 but for at most this many bad byte sequences (or this share of its
# bytes, if more) is read as UTF-8 with them replaced: a stray byte, a truncated character.
STRAY_BYTES = 8
STRAY_SHARE = 0.001
# ... provided the non-ASCII characters that decode outnumber the bad sequences this many times
# (a single bad sequence in an otherwise ASCII text counts as a stray byte too).
STRAY_EVIDENCE = 2
# How far into an HTML document a <meta charset> or XML encoding declaration is looked for.
DECLARATION_BYTES = 4096

CANNOT_DECODE = "cannot decode text: not UTF-8 and no other encoding fits"

# Magic numbers of common binary formats, to name the kind in the skip reason. A "strong"
# one is enough on its own; a short or text-like one ("MZ", "ID3": a headline could start
# so) names the kind only of content that is binary anyway.
_MAGIC: tuple[tuple[bytes, str, bool], ...] = (
    (b"%PDF-", "PDF", True),
    (b"\x89PNG\r\n\x1a\n", "PNG", True),
    (b"\xff\xd8\xff", "JPEG", True),
    (b"GIF87a", "GIF", True),
    (b"GIF89a", "GIF", True),
    (b"\x1f\x8b", "gzip", True),
    (b"\x7fELF", "ELF", True),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office", True),
    (b"\xfd7zXZ\x00", "xz", True),
    (b"(\xb5/\xfd", "zstd", True),
    (b"7z\xbc\xaf\x27\x1c", "7z", True),
    (b"SQLite format 3\x00", "SQLite", True),
    (b"PK\x03\x04", "ZIP", True),
    (b"BZh", "bzip2", False),
    (b"%!PS", "PostScript", False),
    (b"wOFF", "font", False),
    (b"wOF2", "font", False),
    (b"OggS", "Ogg", False),
    (b"ID3", "MP3", False),
    (b"fLaC", "FLAC", False),
    (b"\x1aE\xdf\xa3", "Matroska/WebM", False),
    (b"MZ", "Windows executable", False),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Encodings that win a tie among equally plausible guesses, most common on the web first.
_PREFERRED = ("cp1252", "cp1251", "cp1250", "gb18030", "gbk", "cp932", "shift_jis", "euc_jp",
              "euc_kr", "cp949", "big5", "cp1253", "cp1254", "cp1256", "cp1255", "cp1257",
              "koi8_r", "iso8859_15", "iso8859_2", "cp874", "cp1258")
# Labels browsers treat as windows-1252 (WHATWG Encoding Standard).
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "us_ascii"}
# Control bytes that real text does contain.
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x0b\x1b\x08")

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)


@dataclass(slots=True)
class Decoded:
    """Decoded text and the name of the encoding it was decoded from."""

    text: str
    encoding: str


def magic_kind(head: bytes) -> tuple[str, bool] | None:
    """(name, strong) of a binary format recognised by its magic number, or None."""
    for magic, kind, strong in _MAGIC:
        if head.startswith(magic):
            if kind == "ZIP":
                # Office Open XML and EPUB are ZIP archives; their first entry names tell which
                for marker, name in ((b"word/", "ZIP/DOCX"), (b"xl/", "ZIP/XLSX"), (b"ppt/", "ZIP/PPTX"),
                                     (b"epub", "ZIP/EPUB")):
                    if marker in head:
                        return name, True
            return kind, strong
    if head[4:8] == b"ftyp":
        return "MP4/MOV", False
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return head[8:12].decode().strip(), False
    return None


def binary_reason(head: bytes) -> str | None:
    """"binary file (PDF)" if `head` (the first bytes) is not text, else None."""
    head = head[:SNIFF_BYTES]
    if not head or any(head.startswith(bom) for bom, _ in _BOMS):
        return None  # UTF-16/32 text has NUL bytes but is text
    magic = magic_kind(head)
    if magic is not None and magic[1]:
        return f"binary file ({magic[0]})"
    controls = sum(1 for b in head if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F)
    if b"\x00" in head or controls / len(head) > CONTROL_SHARE_MAX:
        return f"binary file ({magic[0]})" if magic is not None else "binary file"
    return None


def declared_charsets(data: bytes) -> list[str]:
    """Charsets an HTML/XML document declares in its first bytes (<meta charset>, <?xml?>)."""
    head = data[:DECLARATION_BYTES]
    found = [m.group(1).decode("ascii", "replace") for m in (_XML_ENCODING.search(head),) if m]
    found += [m.group(1).decode("ascii", "replace") for m in _META_CHARSET.finditer(head)]
    return found


def _codec_name(label: str | None) -> str | None:
    """Python's codec name for a charset label, mapping latin-1 labels to cp1252; None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    return "cp1252" if name in _AS_CP1252 else name


def decode_bytes(data: bytes, declared: Iterable[str | None] = ()) -> Decoded | str:
    """Decode `data`; returns a `Decoded`, or the reason it cannot be decoded (a str).

    Binary content is refused first ("binary file (PDF)"). Then, in order: byte-order mark,
    strict UTF-8, charsets the caller found declared (HTTP header, <meta>), Windows-1252 when
    its typographic punctuation is the only non-ASCII, UTF-8 with a few bad byte sequences
    replaced (the encoding then says how many), and last charset-normalizer's best plausible
    guess.
    """
    reason = binary_reason(data)
    if reason is not None:
        return reason
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec.replace("-sig", ""))
            except UnicodeDecodeError:
                return CANNOT_DECODE + f" (it starts with a {codec} byte-order mark)"
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    for label in declared:
        codec = _codec_name(label)
        if codec is None or codec.startswith(("utf_8", "utf_16", "utf_32")):
            continue
        try:
            return Decoded(data.decode(codec), codec)
        except UnicodeDecodeError:
            continue
    if _only_windows_punctuation(data):
        return Decoded(data.decode("cp1252"), "cp1252")
    stray = _utf8_with_strays(data)
    if stray is not None:
        return stray
    guess = _guess(data)
    if guess is None:
        return CANNOT_DECODE
    return guess


# Bytes that Windows-1252 uses for typographic punctuation (curly quotes, dashes, ellipsis, euro,
# no-break space): text whose only non-ASCII bytes are these is English typed on Windows; a
# detector given a handful of them may name any single-byte code page (cp775 for one 0x92).
_CP1252_PUNCTUATION = frozenset(b"\x80\x85\x91\x92\x93\x94\x96\x97\xa0")


def _only_windows_punctuation(data: bytes) -> bool:
    high = {b for b in data if b >= 0x80}
    return bool(high) and high <= _CP1252_PUNCTUATION


def _utf8_with_strays(data: bytes) -> Decoded | None:
    """UTF-8 with its few bad sequences replaced (U+FFFD) when the rest is UTF-8: a stray byte
    in a UTF-8 file is a damaged UTF-8 file, not a text in some other code page. The encoding
    says how many were replaced."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    # UTF-8 shows in the non-ASCII characters that did decode: a text in another code page has
    # none (all its non-ASCII bytes are bad), a damaged UTF-8 text has many more than bad ones.
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if 0 < bad <= max(STRAY_BYTES, STRAY_SHARE * len(data)) and (bad == 1 or good >= STRAY_EVIDENCE * bad):
        return Decoded(text, f"utf-8 ({bad} bad byte sequence{'s' if bad != 1 else ''} replaced)")
    return None


def _guess(data: bytes) -> Decoded | None:
    """charset-normalizer's most plausible decoding, preferring common encodings on a tie."""
    try:
        matches = list(from_bytes(data))
    except Exception:  # noqa: BLE001 -- a detector failure means "no guess", not a crash
        return None
    if not matches:
        return None

    def rank(match) -> int:
        names = [_codec_name(n) or n for n in [match.encoding, *match.could_be_from_charset]]
        return min((_PREFERRED.index(n) for n in names if n in _PREFERRED), default=len(_PREFERRED))

    best = matches[0]  # charset-normalizer's own pick
    near = [m for m in matches if m.chaos <= best.chaos + CHAOS_TIE]
    best_coherence = max(m.coherence for m in near)
    near = [m for m in near if m.coherence >= best_coherence - COHERENCE_TIE]
    chosen = min(near, key=rank)  # min() keeps charset-normalizer's order among equals
    names = [_codec_name(n) or n for n in [chosen.encoding, *chosen.could_be_from_charset]]
    preferred = [n for n in _PREFERRED if n in names]
    for codec in preferred + [chosen.encoding]:
        try:
            return Decoded(data.decode(codec), _codec_name(codec) or codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return None
