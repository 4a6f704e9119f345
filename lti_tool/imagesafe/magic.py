"""How files begin: the magic numbers of images, videos, documents and archives.

A text that decodes to bytes starting like one of these carries a file, whatever encoding hid it.
Each signature is long enough (or checked further) that ordinary words never decode to it.
"""
import re2

# (kind, prefix, offset of the prefix in the file). Short prefixes get a longer check in _confirmed.
SIGNATURES = (
    ("png", b"\x89PNG\r\n\x1a\n", 0),
    ("jpeg", b"\xff\xd8\xff", 0),
    ("gif", b"GIF87a", 0), ("gif", b"GIF89a", 0),
    ("riff", b"RIFF", 0),                     # WebP, AVI, WAV
    ("bmp", b"BM", 0),
    ("tiff", b"II*\x00", 0), ("tiff", b"MM\x00*", 0),
    ("ico", b"\x00\x00\x01\x00", 0), ("ico", b"\x00\x00\x02\x00", 0),
    ("isobmff", b"ftyp", 4),                  # HEIC, AVIF, MP4, MOV, 3GP
    ("matroska", b"\x1aE\xdf\xa3", 0),        # WebM, MKV
    ("jpeg2000", b"\x00\x00\x00\x0cjP  ", 0),
    ("psd", b"8BPS", 0),
    ("ogg", b"OggS", 0),
    ("flv", b"FLV\x01", 0),
    ("pdf", b"%PDF-", 0),
    ("postscript", b"%!PS", 0),
    ("zip", b"PK\x03\x04", 0), ("zip", b"PK\x05\x06", 0), ("zip", b"PK\x07\x08", 0),
    ("gzip", b"\x1f\x8b\x08", 0),
    ("7z", b"7z\xbc\xaf'\x1c", 0),
    ("rar", b"Rar!\x1a\x07", 0),
    ("bzip2", b"BZh", 0),
    ("xz", b"\xfd7zXZ\x00", 0),
)
# What a file needs at most to be recognised from its start.
HEAD = 16


def _confirmed(kind: str, head: bytes) -> bool:
    """The checks a short signature needs before it counts (its prefix alone matched)."""
    if kind == "jpeg":
        return len(head) >= 4 and head[3] >= 0xC0           # a JPEG marker follows FF D8 FF
    if kind == "riff":
        return len(head) >= 12 and head[8:12].isalnum() or head[8:12] in (b"AVI ", b"WAVE")
    if kind == "bmp":
        return len(head) >= 10 and head[6:10] == b"\x00\x00\x00\x00"  # the reserved words
    if kind == "ico":
        return len(head) >= 6 and 0 < int.from_bytes(head[4:6], "little") <= 256
    if kind == "isobmff":
        return len(head) >= 12 and head[8:12].isascii() and head[8:12].strip().isalnum()
    if kind == "bzip2":
        return len(head) >= 10 and head[3:4].isdigit() and head[4:10] == b"1AY&SY"
    return True


def file_kind(data: bytes) -> str | None:
    """The kind of file data starts with, or None."""
    for kind, prefix, offset in SIGNATURES:
        if data[offset:offset + len(prefix)] == prefix and _confirmed(kind, data[:HEAD]):
            return kind
    return None


def _bytes_pattern(prefixes) -> "re2._Regexp":
    """An RE2 alternation of byte strings, each byte written as \\xHH and read as Latin-1 (bytes, not UTF-8)."""
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    return re2.compile("|".join("".join(f"\\x{b:02x}" for b in prefix) for prefix in prefixes).encode(),
                       options)


_ANYWHERE = _bytes_pattern(prefix for _kind, prefix, _offset in SIGNATURES)
_OFFSETS = {prefix: offset for _kind, prefix, offset in SIGNATURES}


def file_inside(data: bytes) -> str | None:
    """The kind of the first file that starts anywhere in data (one linear search, then a check per hit)."""
    for match in _ANYWHERE.finditer(data):
        start = match.start() - _OFFSETS[match.group(0)]
        if start >= 0:
            kind = file_kind(data[start:start + HEAD])
            if kind:
                return kind
    return None


def looks_binary(data: bytes) -> bool:
    """Bytes that are not text: more than a tenth control characters or invalid UTF-8."""
    if not data:
        return False
    text = data.decode("utf-8", "replace")
    odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in "\t\r\n"))
    return odd * 10 > len(text)
