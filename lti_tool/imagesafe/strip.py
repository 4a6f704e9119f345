"""Giving a refused text back to its writer: their words, without the image or the encoded stretch.

The cuts are generous (a whole run of code-like chunks goes), and the result is checked again: a
text that still holds something is given back line by line, or not at all.
"""
import re2

_CUTS = (
    re2.compile(r"(?i)\bdata\s*:\s*\S*"),
    re2.compile(r"(?i)<\s*/?\s*[a-z!?][^<>]*>?"),
    re2.compile(r"(?i)&(?:lt|#0*60|#x0*3c);?[^\n]*?(?:&(?:gt|#0*62|#x0*3e);?|\n|$)"),
    re2.compile(r"(?i)(?:%3c|\\u003c|\\x3c)[^\s]*"),
    re2.compile(r"!\s*\[[^\]]*\]\s*(?:\([^)]*\)?|\[[^\]]*\]?)"),
    re2.compile(r"(?i)\b(?:url|image-set)\([^)]*\)?"),
    re2.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{fffd}]+"),
)
_TOKEN = re2.compile(r"\S+")
_CODE_CHARS = re2.compile(r"^[A-Za-z0-9+/=_\-%\\:.,;|#]+$")
_HEX = re2.compile(r"^[0-9A-Fa-f]+$")
_SPACES = re2.compile(r"[ \t]{2,}")
_PUNCTUATION = ".,;:!?\"'()[]{}<>"


def _codey(token: str) -> bool:
    """A chunk of code rather than a word: base64, hex or escape characters with digits, mixed case or markers."""
    if "://" in token or token.lower().startswith("www.") or not _CODE_CHARS.match(token):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    mixed = any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)
    marked = any(mark in token for mark in ("\\x", "%", "=", "0x"))
    return (has_digit and has_alpha) or len(token) >= 16 or marked or (mixed and len(token) >= 5)


def _glue(token: str) -> bool:
    """A short piece that sits between chunks of code (89, AB, iV, 0d, AEAAA)."""
    return (len(token) <= 8 and token.isascii() and token.isalnum()
            and (token.isdigit() or bool(_HEX.match(token)) or token.isupper()
                 or any(c.isupper() for c in token[1:]) or any(c.isdigit() for c in token)))


def _cut_runs(text: str) -> str:
    """Cut each run of code-like chunks (with short pieces between them): three chunks, or one long one."""
    tokens = [(m.start(), m.end(), m.group(0).strip(_PUNCTUATION)) for m in _TOKEN.finditer(text)]
    cuts, run = [], []

    def close():
        codey = [t for t in run if _codey(t[2])]
        if len(codey) >= 3 or any(len(t[2]) >= 24 for t in codey):
            cuts.append((run[0][0], run[-1][1]))
        run.clear()

    for token in tokens:
        if token[2] and (_codey(token[2]) or _glue(token[2])):
            run.append(token)
        else:
            if run:
                close()
    if run:
        close()
    out, last = [], 0
    for start, end in cuts:
        out.append(text[last:start])
        out.append(" ")
        last = end
    out.append(text[last:])
    return "".join(out)


def _tidy(text: str) -> str:
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def words_only(text: str, image_in) -> str:
    """text without what image_in finds; "" when the image cannot be cut out for sure."""
    if not image_in(text):
        return text
    for cut in _CUTS:
        text = cut.sub(" ", text)
    text = _tidy(_cut_runs(text))
    if not image_in(text):
        return text
    kept = _tidy("\n".join(line for line in text.split("\n") if not image_in(line)))
    return "" if image_in(kept) else kept
