"""No pictures, files or embedded images in any text a person writes, in any encoding.

Sexual images of minors must never be accepted, stored or forwarded (art. 240b Sr), and a school
cannot tell from a file whether it is one before someone has looked at it. So no text the tool
takes (a report, a message either way, a case note, a code of conduct) may carry a file: a
`data:` URI, an HTML/SVG/MathML or Markdown image, CSS url(), raw binary, or bytes that start
like an image, video, document or archive once decoded from base64, base64url, hex, percent-
encoding, quoted-printable, HTML entities or backslash escapes (in chunks, with any separators),
or a long stretch of encoded binary. A core module: features call it from their operations.

Time: every text is length-checked first (MAX_CHARS), and every pattern is RE2 (linear time), so
no text can keep a worker busy; see tests/security.
"""
import unicodedata

import re2
from flask_babel import gettext as _

from ..errors import AppError, ValidationFailed
from . import decode, magic, markup, strip

# Longer than any text field takes (a code's text: 10,000); a longer text is refused unread.
MAX_CHARS = 12_000
# How deep encodings inside encodings are followed (base64 of hex of a data: URI, say).
MAX_DEPTH = 2


class ImagesRefused(AppError):
    """A text carried a file or an image; nothing is stored and the writer is told why."""

    status = 422
    code = "images_refused"

    def __init__(self, kind: str, field: str | None = None, *, report: bool = True):
        if report:
            message = _("A report cannot contain pictures, screenshots, videos or files, and yours did. "
                        "Nothing has been saved. Describe what you saw in words and give the link or "
                        "account name instead; the school will take it from there.")
        else:
            message = _("This text cannot contain pictures, screenshots, videos or files, and yours did. "
                        "Nothing has been saved. Describe it in words, with a link or account name if "
                        "that helps.")
        super().__init__(message, hint=None)
        self.kind = kind
        self.field = field


_FORMAT = re2.compile(r"\p{Cf}+")


def _visible(text: str) -> str:
    """The text as it reads: compatibility forms folded (ｄａｔａ → data), invisible characters dropped."""
    if text.isascii():
        return text
    return _FORMAT.sub("", unicodedata.normalize("NFKC", text))


def _encoded(text: str, depth: int) -> str | None:
    """Bytes of a file hidden in base64 or hex, text hidden in them (followed to MAX_DEPTH), or encoded binary."""
    views = decode.base64_views(text)
    if any(decode.file_in_base64(view) for view in views):
        return "base64"
    for run in decode.hex_runs(text):
        decoded = decode.hex_bytes(run)
        if any(magic.file_inside(data) for data in decoded):
            return "hex"
        data = max(decoded, key=lambda d: not magic.looks_binary(d))
        if magic.looks_binary(data):
            if len(run) >= decode.WINDOW and len(set(data)) >= 16:
                return "binary"
        elif depth < MAX_DEPTH and len(run) >= 16 and _scan(data.decode("utf-8", "replace"), depth + 1):
            return "hex"
    if depth < MAX_DEPTH:
        for data in decode.base64_tokens(text):
            if data and not magic.looks_binary(data) and _scan(data.decode("utf-8", "replace"), depth + 1):
                return "base64"
    if any(decode.encoded_binary(view) for view in views):
        return "binary"
    return None


def _scan(text: str, depth: int = 0) -> str | None:
    """Binary, then markup, then escapes decoded (markup and files again), then base64 and hex."""
    if markup.BINARY.search(text):
        return "binary"
    text = _visible(text)
    kind = markup.find(text)
    if kind:
        return kind
    unescaped = decode.unescape(text)
    if unescaped != text:
        data = decode.as_bytes(unescaped)
        if magic.file_inside(data):
            return "escaped"
        kind = markup.find(_visible(unescaped.translate(_DROP_CONTROL)))
        if kind:
            return kind
        if _escaped_binary(unescaped):
            return "binary"
        text = unescaped.translate(_DROP_CONTROL)
    return _encoded(text, depth)


_DROP_CONTROL = {code: " " for code in (*range(0, 9), 11, 12, *range(14, 32), *range(127, 160), 0xFFFD)}


def _escaped_binary(unescaped: str) -> bool:
    """Escapes that stand for many bytes of no text (random bytes written as %xx or \\xNN)."""
    odd = len(markup.BINARY.findall(decode.as_bytes(unescaped).decode("utf-8", "replace")))
    return odd >= 64


def image_in(text: str) -> str | None:
    """What kind of image or file a text holds ("base64", "hex", "data_uri", …), or None for words and links.

    A text over MAX_CHARS is not read at all: it is "too_long" (callers refuse it by its length first).
    """
    if len(text) > MAX_CHARS:
        return "too_long"
    return _scan(text)


def refuse_images(value, field: str | None = None, *, limits: dict | None = None, report: bool = True) -> None:
    """Refuse every string in value (a text, or a dict or list at any depth): length first, then images.

    limits maps a top-level field name to its most characters (MAX_CHARS otherwise). A text over its
    limit is not read but answered with ValidationFailed; an image raises ImagesRefused (422), whose
    field is the dotted path to the text (rules.0.title.nl).
    """
    too_long: dict = {}
    _walk(value, (field,) if field else (), limits or {}, too_long, report)
    if too_long:
        raise ValidationFailed(too_long)


def _walk(value, path: tuple, limits: dict, too_long: dict, report: bool) -> None:
    if isinstance(value, str):
        limit = min(limits.get(path[0], MAX_CHARS) if path else MAX_CHARS, MAX_CHARS)
        where = ".".join(path) or "text"
        if len(value) > limit:
            too_long[where] = [_("Write at most %(max)s characters.", max=limit)]
            return
        kind = _scan(value)
        if kind:
            raise ImagesRefused(kind, where, report=report)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(str(key), path, {}, too_long, report)
            _walk(item, path + (str(key),), limits, too_long, report)
    elif isinstance(value, (list, tuple)):
        for n, item in enumerate(value):
            _walk(item, path + (str(n),), limits, too_long, report)


def cleaned(value):
    """value (a text, dict or list at any depth) with images cut out of every text, and the dotted paths cut.

    For giving a refused form back: (the cleaned value, the set of paths that changed).
    """
    changed: set = set()

    def clean(item, path):
        if isinstance(item, str):
            kept = without_images(item)
            if kept != item:
                changed.add(".".join(path))
            return kept
        if isinstance(item, dict):
            return {key: clean(sub, path + (str(key),)) for key, sub in item.items()}
        if isinstance(item, (list, tuple)):
            return [clean(sub, path + (str(n),)) for n, sub in enumerate(item)]
        return item

    return clean(value, ()), changed


def without_images(text: str) -> str:
    """The text with every image, file or encoded stretch cut out, or "" when that cannot be done for sure.

    Used to give a refused form back to its writer: their words return, the image never does.
    """
    return strip.words_only(text[:MAX_CHARS], image_in)


def refuse_files(files) -> None:
    """Raise ImagesRefused when a request carried any file part at all (no form has a file input)."""
    if files and len(files):
        raise ImagesRefused("file", next(iter(files.keys()), None))
