"""Markdown of a code, made safe: rendered with Python-Markdown, then sanitised with nh3.

Also which language a reader gets: Dutch is the code's language, English is optional as a whole.
"""
import html
import re

import markdown
import nh3
from markupsafe import Markup

from .models import LOCALES

_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "h3", "h4", "hr"}
_ATTRIBUTES = {"a": {"href", "title"}}
DUTCH = LOCALES[0]
# Where one rendered paragraph, item or heading ends: a new block of the plain text. A line break
# inside a paragraph is only layout: it stays a space.
_BLOCK_END = re.compile(r"</(?:p|li|h3|h4|blockquote)>|<hr\s*/?>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def to_html(text: str | None) -> Markup:
    """Render Markdown to HTML that carries no script, style, image or event handler."""
    html_ = markdown.markdown(text or "", output_format="html")
    clean = nh3.clean(html_, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def to_plain(text: str | None) -> list[str]:
    """The words a reader sees of a Markdown text, one string per paragraph or list item (no markup)."""
    flat = _LINE_BREAK.sub(" ", str(to_html(text)).replace("\n", " "))  # the source's own line breaks too
    marked = _BLOCK_END.sub("\n", flat)
    plain = html.unescape(nh3.clean(marked, tags=set()))
    return [" ".join(line.split()) for line in plain.splitlines() if line.strip()]


def pick(text: dict | None, locale: str) -> str:
    """The text in the wanted language, falling back to Dutch (the default), then English."""
    if not isinstance(text, dict):
        return ""
    return text.get(locale) or text.get("nl") or text.get("en") or ""


def texts(content: dict) -> list[tuple[str, dict]]:
    """Every bilingual text of a code with where it sits (a DraftSchema path): what a reader reads."""
    found = [("content.title", content.get("title")), ("content.intro", content.get("intro"))]
    for i, rule in enumerate(content.get("rules", [])):
        found += [(f"content.rules.{i}.title", rule.get("title")), (f"content.rules.{i}.body", rule.get("body"))]
        found += [(f"content.rules.{i}.ladder.{n}", step) for n, step in enumerate(rule.get("ladder", []))]
    found.append(("content.report", content.get("report")))
    for i, question in enumerate(content.get("questions", [])):
        found.append((f"content.questions.{i}.prompt", question.get("prompt")))
        found += [(f"content.questions.{i}.options.{n}", option)
                  for n, option in enumerate(question.get("options", []))]
    return found


def _filled(text: dict | None, locale: str) -> bool:
    return isinstance(text, dict) and bool((text.get(locale) or "").strip())


def has_any(content: dict, locale: str) -> bool:
    """Whether any text of the code is written in this language."""
    return any(_filled(text, locale) for _, text in texts(content))


def missing_in(content: dict, locale: str) -> list[str]:
    """The paths of the texts left empty in this language."""
    return [path for path, text in texts(content) if not _filled(text, locale)]


def languages(content: dict) -> tuple[str, ...]:
    """The languages a code is written in: Dutch always, English unless the school left it out."""
    return tuple(locale for locale in LOCALES if locale == DUTCH or has_any(content, locale))


def shown_locale(content: dict, wanted: str) -> str:
    """The language a reader who wants `wanted` gets: theirs when the code has it, else Dutch."""
    if wanted == DUTCH or wanted not in LOCALES or not has_any(content, wanted):
        return DUTCH
    return wanted


def note_text(note: dict | None, locale: str) -> tuple[str, str]:
    """A version's "what changed" note in the reader's language (Dutch when it has no other): (text, its language)."""
    if not isinstance(note, dict):
        return "", DUTCH
    if (note.get(locale) or "").strip():
        return note[locale], locale
    return note.get(DUTCH) or "", DUTCH
