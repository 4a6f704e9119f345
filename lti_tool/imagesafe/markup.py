"""Images written as markup: data: URIs, HTML/SVG/MathML image elements, Markdown images, CSS url().

RE2 patterns only: each runs in time linear in the text, whatever the text (a `data:` and 200,000
spaces, a long run of `![` or `<`), where a backtracking engine could take minutes.
"""
import re2

# Control characters other than tab and line breaks, C1 controls, and U+FFFD from undecodable bytes.
BINARY = re2.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{fffd}]")
DATA_URI = re2.compile(r"(?i)\bdata\s*:\s*(?:[a-z]+\s*/\s*[a-z0-9.+-]+\s*)?(?:;\s*[a-z0-9=._+-]*\s*)*,"
                       r"|\bdata\s*:\s*[a-z]+\s*/\s*[a-z0-9.+-]+\s*;\s*base64")
_MEDIA = ("img|image|svg|picture|source|video|audio|object|embed|iframe|frame|mglyph|track|canvas|applet"
          "|bgsound|portal|fencedframe")
HTML_MEDIA = re2.compile(
    r"(?i)<\s*/?\s*(?:" + _MEDIA + r")\b"
    r"|<\s*input\b[^>]*\btype\s*=\s*[\"']?\s*image\b"
    r"|<\s*[a-z][^>]*[\s\"'/](?:src|srcset|lowsrc|dynsrc|poster|background|xlink:href)\s*="
    r"|\b(?:srcset|xlink:href)\s*=")
MARKDOWN_IMAGE = re2.compile(r"!\s*\[[^\]]*\]\s*[(\[]")
# A reference image ![alt] needs its definition, "[alt]: address", on a line of its own.
MARKDOWN_REF_IMAGE = re2.compile(r"!\s*\[[^\]]*\]")
MARKDOWN_DEFINITION = re2.compile(r"(?m)^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S")
# url(…) with an address in it (a dot, a colon or a slash): "url(s)" in a sentence is no image.
CSS_URL = re2.compile(r"(?i)\b(?:url|image-set)\(\s*[\"']?[^\s)\"']*[.:/]")


def find(text: str) -> str | None:
    """What kind of markup image text holds, or None."""
    if DATA_URI.search(text) or "data" in text.lower() and _data_uri_spaced(text):
        return "data_uri"
    if HTML_MEDIA.search(text):
        return "html_image"
    if MARKDOWN_IMAGE.search(text) or (MARKDOWN_REF_IMAGE.search(text) and MARKDOWN_DEFINITION.search(text)):
        return "markdown_image"
    if CSS_URL.search(text):
        return "css_url"
    return None


_LETTERS_ONLY = re2.compile(r"[^a-z:,;/]+")


def _data_uri_spaced(text: str) -> bool:
    """"d a t a : image/png ; base64 ," written with gaps between its letters."""
    squeezed = _LETTERS_ONLY.sub("", text.lower())
    return "data:image/" in squeezed or "data:video/" in squeezed or ";base64," in squeezed
