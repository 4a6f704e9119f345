"""Markdown of a code, made safe: rendered with Python-Markdown, then sanitised with nh3."""
import markdown
import nh3
from markupsafe import Markup

_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "h3", "h4", "hr"}
_ATTRIBUTES = {"a": {"href", "title"}}


def to_html(text: str | None) -> Markup:
    """Render Markdown to HTML that carries no script, style, image or event handler."""
    html = markdown.markdown(text or "", output_format="html")
    clean = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def pick(text: dict | None, locale: str) -> str:
    """The text in the wanted language, falling back to Dutch (the default), then English."""
    if not isinstance(text, dict):
        return ""
    return text.get(locale) or text.get("nl") or text.get("en") or ""
