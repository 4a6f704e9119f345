"""The ways a text can carry bytes, each read in one linear pass (RE2 patterns, C decoders).

Every function here takes a text already cut to imagesafe.MAX_CHARS and does work proportional
to its length: RE2 never backtracks, and each candidate found is checked over a few dozen bytes.
"""
import base64
import binascii
import html.entities

import re2

from . import magic

# --- escapes: HTML entities, percent-encoding, quoted-printable, backslash escapes ------------------
_ESCAPE = re2.compile(
    r"%([0-9A-Fa-f]{2})|=([0-9A-Fa-f]{2})|=\r?\n|\\x([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|\\([0-7]{3})"
    r"|&#[xX]([0-9A-Fa-f]{1,6});?|&#([0-9]{1,7});?|&([A-Za-z][A-Za-z0-9]{1,31};?)")
_ENTITIES = html.entities.html5


def _char(code: int) -> str:
    return chr(code) if 0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _unescape_one(match) -> str:
    pct, qp, hx, uni, octal, ent_hex, ent_dec, name = match.groups()
    if pct or qp or hx:
        return chr(int(pct or qp or hx, 16))
    if uni:
        return _char(int(uni, 16))
    if octal:
        return chr(int(octal, 8) & 0xFF)
    if ent_hex or ent_dec:
        return _char(int(ent_hex, 16) if ent_hex else int(ent_dec))
    if name is not None:
        return _ENTITIES.get(name) or _ENTITIES.get(name + ";", "&" + name)
    return ""  # a quoted-printable soft line break


def unescape(text: str, rounds: int = 3) -> str:
    """The text with every escape decoded, again while that changes it (double-encoded forms), at most rounds times."""
    for _round in range(rounds):
        if not any(c in text for c in "%=\\&"):
            break
        decoded = _ESCAPE.sub(_unescape_one, text)
        if decoded == text:
            break
        text = decoded
    return text


def as_bytes(text: str) -> bytes:
    """Characters below 256 as the bytes they stand for (what %89 or \\x89 became); others as '?'."""
    return text.encode("latin-1", "replace")


# --- base64 and base64url, in chunks with any separators --------------------------------------------
_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_STD = bytes(b for b in range(128) if b not in _STD)
_URL_TO_STD = str.maketrans("-_", "+/")


def _only(text: str, drop: bytes) -> str:
    """text without its non-ASCII characters and without the bytes in drop (C-speed, no pattern)."""
    return text.encode("ascii", "ignore").translate(None, drop).decode("ascii")


def base64_views(text: str) -> tuple[str, ...]:
    """The text's base64 alphabet with everything else taken out: as standard, and as URL-safe base64."""
    std = _only(text, _NOT_STD)
    if "-" not in text and "_" not in text:
        return (std,)
    return std, _only(text.translate(_URL_TO_STD), _NOT_STD)


def _b64(chars: str) -> bytes:
    chars = chars[: len(chars) - len(chars) % 4]
    try:
        return base64.b64decode(chars)
    except (binascii.Error, ValueError):
        return b""


def _stable(prefix: bytes, shift: int) -> tuple[str, int]:
    """The base64 characters that prefix alone decides when shift bytes come before it, and where they start."""
    encoded = base64.b64encode(b"\x00" * shift + prefix + b"\x00\x00").decode()
    first = -(-8 * shift // 6)
    last = 8 * (shift + len(prefix)) // 6
    return encoded[first:last], first


def _b64_signatures():
    table = {}
    for _kind, prefix, offset in magic.SIGNATURES:
        for shift in range(3):
            chars, first = _stable(prefix, (offset + shift) % 3 if offset else shift)
            # Short stable runs would match too often to be worth a look; an aligned one (a file's
            # start, even BMP's "Qk") always counts, its hits being checked in full by magic.file_kind.
            if len(chars) >= (2 if shift == 0 else 6):
                table.setdefault(chars, []).append((first, (offset + shift) % 3 if offset else shift, offset))
    return table


_B64_TABLE = _b64_signatures()
_B64_SEARCH = re2.compile("|".join(re2.escape(chars) for chars in sorted(_B64_TABLE, key=len, reverse=True)))


def file_in_base64(view: str) -> str | None:
    """A file whose base64 form stands anywhere in view (a base64 view of the text)."""
    for match in _B64_SEARCH.finditer(view):
        for first, shift, offset in _B64_TABLE[match.group(0)]:
            start = match.start() - first  # where the base64 quantum holding the signature begins
            if start < 0:
                continue
            if offset:  # the signature stands inside the file: read from a little before it
                back = min(8, start // 4 * 4)
                data = _b64(view[start - back:start + 4 * (magic.HEAD // 3 + 2)])
                kind = magic.file_inside(data)
            else:
                data = _b64(view[start:start + 4 * ((shift + magic.HEAD) // 3 + 1)])
                kind = magic.file_kind(data[shift:])
            if kind:
                return kind
    return None


_B64_TOKEN = re2.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")


def base64_tokens(text: str):
    """Unbroken runs of base64 long enough to hide a text, decoded (they may hold another encoding)."""
    for match in _B64_TOKEN.finditer(text):
        run = match.group(0).rstrip("=")
        yield _b64(run.translate(_URL_TO_STD) + "=" * (-len(run) % 4))


# Windows of a base64 view with the mix of base64 of random bytes: text is mostly small letters.
WINDOW = 512


def _decodes_to_text(chars: str) -> bool:
    """Whether base64 characters, read from any of the four places a quantum can start, decode to text."""
    return any(not magic.looks_binary(_b64(chars[skip:])) for skip in range(4))


def encoded_binary(view: str) -> bool:
    """Whether some window of a base64 view mixes cases and digits like encoded binary and does not decode to text.

    One pass with running counts; a window that decodes to text (a token's JSON, say) is skipped whole.
    """
    if len(view) < WINDOW:
        return False
    classes = [1 if c.isupper() else 2 if c.islower() else 3 for c in view]
    counts = [0, 0, 0, 0]
    next_check = WINDOW - 1
    for i, cls in enumerate(classes):
        counts[cls] += 1
        if i >= WINDOW:
            counts[classes[i - WINDOW]] -= 1
        if i >= next_check and counts[1] * 10 >= 3 * WINDOW and counts[2] * 10 >= 3 * WINDOW \
                and counts[3] * 100 >= 8 * WINDOW:
            if not _decodes_to_text(view[i - WINDOW + 1:i + 1]):
                return True
            next_check = i + WINDOW
    return False


# --- hex, in any case, with any separators ----------------------------------------------------------
_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())
_HEX_RUN = re2.compile(r"[0-9A-Fa-f]{8,}")


def hex_runs(text: str):
    """Runs of hex digits once separators (spaces, colons, dashes, \\x, 0x, …) are taken out.

    Letters beyond f stay, so words break the runs; only a prefix 0x or \\x goes with the separators.
    """
    for prefix in ("\\x", "\\X", "\\u00", "0x", "0X"):
        if prefix in text:
            text = text.replace(prefix, "")
    for match in _HEX_RUN.finditer(_only(text, _NOT_ALNUM)):
        yield match.group(0)


def hex_bytes(run: str) -> tuple[bytes, bytes]:
    """A hex run decoded from its first and from its second digit (a file may start at either)."""
    even = run[: len(run) - len(run) % 2]
    odd = run[1: 1 + (len(run) - 1) - (len(run) - 1) % 2]
    return binascii.unhexlify(even), binascii.unhexlify(odd)
