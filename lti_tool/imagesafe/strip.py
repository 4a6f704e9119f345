"""Giving a refused text back to its writer: their words, without the image or the encoded stretch.

The cuts are generous (a whole run of code-like chunks goes), and the result is checked again: a
text that still holds something is given back line by line, or not at all.
"""
import re2

_CUTS = (  # tags first: a data: URI inside a tag goes with its tag
    re2.compile(r"(?i)<\s*/?\s*[a-z!?][^<>\n]*>?"),
    re2.compile(r"(?i)&(?:lt|#0*60|#x0*3c);?[^\n]*?(?:&(?:gt|#0*62|#x0*3e);?|\n|$)"),
    re2.compile(r"(?i)(?:%3c|\\u003c|\\x3c)[^\s]*"),
    re2.compile(r"!\s*\[[^\]]*\]\s*(?:\([^)]*\)?|\[[^\]]*\]?)"),
    re2.compile(r"(?i)\b(?:url|image-set)\([^)]*\)?"),
    re2.compile(r"(?i)\bdata\s*:\s*[^\s,]*\s*(?:;\s*[^\s,;]*\s*)*,?\S*"),
    re2.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{fffd}]+"),
)
_TOKEN = re2.compile(r"[^\s\p{Z}]+")
_CODE_CHARS = re2.compile(r"^[A-Za-z0-9+/=_\-%\\:.,;|#]+$")
_HEX = re2.compile(r"^[0-9A-Fa-f]+$")
_BASE64ISH = re2.compile(r"^[A-Za-z0-9+/=_-]+$")
_SPACES = re2.compile(r"[ \t]{2,}")
_PUNCTUATION = ".,;:!?\"'()[]{}<>"


_LINK = re2.compile(r"^[^/]*[A-Za-z0-9-]\.[A-Za-z]{2,}(?:[/:?#]|$)")


_ESCAPES = re2.compile(r"(?i)(?:[=%][0-9a-f]{2}|\\x[0-9a-f]{2}|&#x?[0-9a-f]+;?).*(?:[=%][0-9a-f]{2}|\\x[0-9a-f]{2}|&#x?[0-9a-f]+;?)")


def _codey(token: str) -> bool:
    """A chunk of code rather than a word: base64, hex or escapes, with digits, mixed case or markers."""
    if "://" in token or _LINK.match(token):
        return False
    if _ESCAPES.search(token):
        return True                       # two escapes or more (=89…=0A, %89…): quoted-printable and the like
    if not _CODE_CHARS.match(token):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    mixed = any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)
    marked = any(mark in token for mark in ("\\x", "%", "=", "0x"))
    long_code = len(token) >= 16 and not token.replace("-", "").isalpha()  # "Snapchat-verhaal" is a word
    return ((has_digit and (has_alpha or len(token) >= 3 or not token.isalnum())) or long_code
            or marked or (mixed and len(token) >= 5))


def _glue(token: str) -> bool:
    """A short piece that sits between chunks of code (89, AB, iV, 0d, AEAAA)."""
    return (len(token) <= 16 and bool(_BASE64ISH.match(token))
            and (token.isdigit() or token.isupper()
                 or any(c.isupper() for c in token[1:]) or any(c.isdigit() for c in token)))


CODE, GLUE, SHORT, MARK, WORD = range(5)


def _kind(token: str) -> int:
    if not any(c.isalnum() for c in token):
        return MARK                       # a separator standing alone: | : - =
    if _codey(token):
        return CODE
    if _glue(token):
        return GLUE
    if len(token) <= 4 and _BASE64ISH.match(token):
        return SHORT                      # gg, z, dat: a chunk inside a run, a word at its edges
    return WORD


def _cut_runs(text: str, eager: bool = False) -> str:
    """Cut each run of code-like chunks (with short pieces between them): three chunks, 16 characters, or hex pairs.

    Short lower-case pieces count inside a run but not at its ends, where they are the writer's words;
    eager also takes several of them in a row (when the careful cut left an image behind).
    """
    tokens = [(m.start(), m.end(), m.group(0).strip(_PUNCTUATION)) for m in _TOKEN.finditer(text)]
    kinds = [_kind(token) for _s, _e, token in tokens]
    # Two short pieces in a row are words ("en er zijn al"), not chunks of code.
    if not eager:
        kinds = [WORD if kind == SHORT and (kinds[i - 1:i] == [SHORT] or kinds[i + 1:i + 2] == [SHORT]) else kind
                 for i, kind in enumerate(kinds)]
    cuts, start = [], None
    for i, kind in enumerate(kinds + [WORD]):
        if kind != WORD and start is None:
            start = i
        elif kind == WORD and start is not None:
            first, last = start, i - 1
            while first <= last and kinds[first] in (SHORT, MARK):
                first += 1
            while last >= first and kinds[last] in (SHORT, MARK):
                last -= 1
            codey = [tokens[j][2] for j in range(first, last + 1) if kinds[j] == CODE]
            pieces = [tokens[j][2] for j in range(first, last + 1) if kinds[j] in (CODE, GLUE)]
            size = sum(len(piece) for piece in pieces)
            hexish = sum(1 for piece in pieces if _HEX.match(piece))
            if len(codey) >= 3 or (codey and size >= (8 if eager else 16)) \
                    or (len(pieces) >= 6 and 2 * hexish >= len(pieces) and size >= 24):
                cuts.append((tokens[first][0], tokens[last][1]))
            start = None
    out, at = [], 0
    for begin, end in cuts:
        out.append(text[at:begin])
        out.append(" ")
        at = end
    out.append(text[at:])
    return "".join(out)


def _tidy(text: str) -> str:
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def words_only(text: str, image_in) -> str:
    """text without what image_in finds; "" when the image cannot be cut out for sure."""
    if not image_in(text):
        return text
    for cut in _CUTS:
        text = cut.sub(" ", text)
    for eager in (False, True):
        kept = _tidy(_cut_runs(text, eager))
        if not image_in(kept):
            return kept
    text = kept
    kept = _tidy("\n".join(line for line in text.split("\n") if not image_in(line)))
    return "" if image_in(kept) else kept
