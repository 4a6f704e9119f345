"""Small real files of many formats, and every way the tests hide them in text.

The bytes are built here (PNG with zlib and struct, ZIP with zipfile, …), so a test never needs a
file from outside the repository.
"""
import base64
import binascii
import gzip
import io
import random
import struct
import zipfile
import zlib


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def gif() -> bytes:
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
            b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def jpeg() -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quant = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
    return b"\xff\xd8" + app0 + quant + b"\xff\xd9"


def webp() -> bytes:
    body = b"WEBPVP8L" + struct.pack("<I", 10) + b"\x2f\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.txt", "not really a photo")
    return out.getvalue()


def bmp() -> bytes:
    pixels = b"\x00\x00\xff\x00"
    return b"BM" + struct.pack("<IHHI", 58, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, 4,
                                                                    2835, 2835, 0, 0) + pixels


def tiff() -> bytes:
    return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + b"\x00" * 8


def ico() -> bytes:
    return b"\x00\x00\x01\x00\x01\x00" + b"\x10\x10\x00\x00\x01\x00\x20\x00" + struct.pack("<II", 8, 22) + b"\x00" * 8


def heic() -> bytes:
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 16


def mp4() -> bytes:
    return struct.pack(">I", 20) + b"ftypisom" + b"\x00\x00\x02\x00isom" + b"\x00" * 16


def webm() -> bytes:
    return b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm" + b"\x00" * 8


def gzip_file() -> bytes:
    return gzip.compress(b"a picture, they say", mtime=0)


def seven_zip() -> bytes:
    return b"7z\xbc\xaf'\x1c\x00\x04" + b"\x00" * 24


def rar() -> bytes:
    return b"Rar!\x1a\x07\x01\x00" + b"\x00" * 24


FORMATS = {"png": png, "gif": gif, "jpeg": jpeg, "webp": webp, "pdf": pdf, "zip": zip_file, "bmp": bmp,
           "tiff": tiff, "ico": ico, "heic": heic, "mp4": mp4, "webm": webm, "gzip": gzip_file,
           "7z": seven_zip, "rar": rar}

B64_SEPARATORS = (" ", "\n", "\r\n", "\t", "  ", ", ", " | ", ". ", "; ", " : ", "\u00a0")
HEX_SEPARATORS = (" ", ":", "-", ", ", "\n", ".", " - ", "\t")


def chunked(text: str, rng: random.Random, separators=B64_SEPARATORS, most: int = 12) -> str:
    """text cut into chunks of random length, joined by random separators."""
    pieces, at = [], 0
    while at < len(text):
        size = rng.randint(1, most)
        pieces.append(text[at:at + size])
        at += size
    out = pieces[0]
    for piece in pieces[1:]:
        out += rng.choice(separators) + piece
    return out


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _hexpairs(data: bytes, upper: bool) -> list[str]:
    return [f"{b:02X}" if upper else f"{b:02x}" for b in data]


# Each takes (bytes, random) and gives the text a person could paste.
ENCODINGS = {
    "base64": lambda d, r: _b64(d),
    "base64 MIME lines": lambda d, r: "\n".join(_b64(d)[i:i + 76] for i in range(0, len(_b64(d)), 76)),
    "base64 chunks": lambda d, r: chunked(_b64(d), r),
    "base64url": lambda d, r: base64.urlsafe_b64encode(d).decode().rstrip("="),
    "base64url chunks": lambda d, r: chunked(base64.urlsafe_b64encode(d).decode(), r),
    "hex": lambda d, r: d.hex(),
    "HEX": lambda d, r: d.hex().upper(),
    "hex pairs": lambda d, r: r.choice(HEX_SEPARATORS).join(_hexpairs(d, r.random() < 0.5)),
    "hex chunks": lambda d, r: chunked(d.hex() if r.random() < 0.5 else d.hex().upper(), r, HEX_SEPARATORS),
    "\\x escapes": lambda d, r: "".join(f"\\x{p}" for p in _hexpairs(d, r.random() < 0.5)),
    "0x list": lambda d, r: r.choice((", ", " ", ",")).join(f"0x{p}" for p in _hexpairs(d, r.random() < 0.5)),
    "percent": lambda d, r: "".join(f"%{b:02X}" for b in d),
    "percent mixed": lambda d, r: "".join(chr(b) if 0x41 <= b <= 0x5A else f"%{b:02x}" for b in d),
    "quoted-printable": lambda d, r: binascii.b2a_qp(d, quotetabs=r.random() < 0.5, istext=False).decode("ascii"),
    "data URI": lambda d, r: "data:image/png;base64," + _b64(d),
    "data URI spaced": lambda d, r: "data:" + " " * r.randint(0, 40) + "application/octet-stream ; base64 ," + _b64(d),
    "img tag": lambda d, r: f'<img src="data:image/png;base64,{_b64(d)}">',
    "entity img": lambda d, r: f"&lt;img src=&quot;x.png&quot;&gt; {_b64(d)}",
    "markdown": lambda d, r: f"![foto](data:image/png;base64,{_b64(d)})",
    "css url": lambda d, r: f"background: url('data:image/png;base64,{_b64(d)}')",
}
