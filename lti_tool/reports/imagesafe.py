"""No pictures, files or embedded images in a report, whatever a client sends.

Sexual images of minors must never be accepted, stored or forwarded (art. 240b Sr), and a school
cannot tell from a file whether it is one before someone has looked at it. So reports take no
attachment of any kind: a file part, a `data:` URI, an HTML or Markdown image, a base64 blob or
raw binary in any text is refused before anything is stored. Evidence is described in words and
links instead.
"""
import re

from flask_babel import gettext as _

from ..errors import AppError

_DATA_URI = re.compile(r"\bdata:\s*(?:[a-z]+/[a-z0-9.+-]+\s*)?(?:;[^,;\s]*)*\s*,", re.I)
_HTML_MEDIA = re.compile(r"<\s*/?\s*(?:img|image|svg|picture|source|video|audio|object|embed|iframe)\b", re.I)
_HTML_ENTITY_TAG = re.compile(r"&lt;\s*(?:img|svg|image)\b", re.I)
# A Markdown image, ![alt](…) or ![alt][…], is read between one "]" and the next (see _markdown_image).
_MARKDOWN_OPEN = re.compile(r"!\s*\[")
_MARKDOWN_LINK = re.compile(r"\s*[(\[]")
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*data:", re.I)
# A long unbroken run of base64 (standard or URL-safe alphabet), or MIME-style wrapped lines of it.
# Patterns start at the beginning of a run (the lookbehinds), never inside one: a search from every
# position of a long run would take quadratic time, and a 256 KB text minutes of the server's CPU.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{120,}={0,2}|[A-Za-z0-9_-]{120,}={0,2}")
_BASE64_LINES = re.compile(r"(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{48,}={0,2}[ \t]*\r?\n){3,}")
# How common image and document formats begin once base64-encoded.
_MAGIC = re.compile(r"(?:iVBORw0KGgo|/9j/[0-9A-Za-z+/]|R0lGOD[dl]h|UklGR[0-9A-Za-z+/]|Qk[0-9A-Za-z+/]{2}[A-Za-z0-9+/]{20}"
                    r"|JVBERi0|AAAA[A-Za-z0-9+/]GZ0eX|SUkqA|TU0AK)[A-Za-z0-9+/]{20,}")
# Control characters other than tab and line breaks, and U+FFFD from undecodable bytes: a file's bytes.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


class ImagesRefused(AppError):
    """The report carried a file or an image; nothing is stored and the reporter is told why."""

    status = 422
    code = "images_refused"

    def __init__(self, kind: str, field: str | None = None):
        super().__init__(_("A report cannot contain pictures, screenshots, videos or files, and yours did. "
                           "Nothing has been saved. Describe what you saw in words and give the link or "
                           "account name instead; the school will take it from there."),
                         hint=None)
        self.kind = kind
        self.field = field


def _base64_blob(text: str) -> bool:
    """A run that reads like encoded binary: long, and mixing upper case, lower case and digits."""
    for match in _BASE64_RUN.finditer(text):
        run = match.group(0)
        if sum(c.isdigit() for c in run) >= 5 and any(c.isupper() for c in run) \
                and any(c.islower() for c in run):
            return True
    return bool(_BASE64_LINES.search(text))


def _markdown_image(text: str) -> bool:
    """![alt](…) or ![alt][…]: an opening in the text before a "]" that a link follows.

    The alt text holds no "]", so each opening belongs to the next "]"; reading the text piece by
    piece keeps this linear where a regex tried at every "![" of a long text would not be.
    """
    pieces = text.split("]")
    return any(_MARKDOWN_OPEN.search(before) and _MARKDOWN_LINK.match(after)
               for before, after in zip(pieces, pieces[1:]))


def image_in(text: str) -> str | None:
    """What kind of embedded image or file a text holds, or None when it is plain words and links."""
    if _BINARY.search(text):
        return "binary"
    if _DATA_URI.search(text) or _CSS_URL.search(text):
        return "data_uri"
    if _HTML_MEDIA.search(text) or _HTML_ENTITY_TAG.search(text):
        return "html_image"
    if _markdown_image(text):
        return "markdown_image"
    if _MAGIC.search(text) or _base64_blob(text):
        return "base64"
    return None


_STRIP = (
    re.compile(r"\bdata:\s*\S*", re.I),
    re.compile(r"<\s*/?\s*(?:img|image|svg|picture|source|video|audio|object|embed|iframe)\b[^>]*>?", re.I),
    re.compile(r"&lt;\s*(?:img|svg|image)\b.*?(?:&gt;|$)", re.I | re.S),
    # The alt text stops at the next "!" as well, so each "![" is read once (an alt text with a "!"
    # is not cut out, and the check after the cuts then empties the field: safe, if less kind).
    re.compile(r"!\s*\[[^\]!]*\]\s*(?:\([^)]*\)?|\[[^\]]*\]?)"),
    re.compile(r"url\(\s*['\"]?\s*data:[^)]*\)?", re.I),
    re.compile(r"(?<!\S)\S*?(?:iVBORw0KGgo|/9j/|R0lGOD|UklGR|JVBERi0)\S*"),
    re.compile(r"\S{120,}"),
    _BINARY,
)


def without_images(text: str) -> str:
    """The text with every image, file or blob cut out, or "" when that cannot be done for sure.

    Used to give a refused form back to its writer: their words return, the image never does.
    """
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    return "" if image_in(text) else text


def refuse_images(value, field: str | None = None) -> None:
    """Raise ImagesRefused when any string in value (a dict, list or text, at any depth) holds an image."""
    if isinstance(value, str):
        kind = image_in(value)
        if kind:
            raise ImagesRefused(kind, field)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_images(str(key), field)
            refuse_images(item, str(key))
    elif isinstance(value, (list, tuple)):
        for item in value:
            refuse_images(item, field)


def refuse_files(files) -> None:
    """Raise ImagesRefused when a request carried any file part at all (the forms have no file input)."""
    if files and len(files):
        raise ImagesRefused("file", next(iter(files.keys()), None))
