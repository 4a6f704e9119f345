"""The differences between two versions of a code, word by word in the text its readers see.

Both versions are rendered (Markdown to sanitised HTML) and reduced to their words, so an author
sees what changed for the reader, never a Markdown sign. The result is escaped word by word and
cleaned once more with nh3: whatever a text holds, only the marks of the comparison come out as HTML.
"""
import difflib
from dataclasses import dataclass

import nh3
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .rendering import pick, to_plain

_TAGS = {"h2", "h3", "p", "ins", "del", "span"}
_ATTRIBUTES = {"h2": {"class"}, "h3": {"class"}, "p": {"class"}, "span": {"class"}}


@dataclass(frozen=True)
class Block:
    """Where a new paragraph begins, and what kind it is (title, rule heading, text, step, …)."""

    kind: str


def tokens(content: dict, locale: str) -> list:
    """A code in one language as one stream: a Block before each paragraph, then its words."""
    stream: list = []

    def add(kind: str, paragraphs: list[str]) -> None:
        for paragraph in paragraphs:
            stream.append(Block(kind))
            stream.extend(paragraph.split())

    add("title", to_plain(pick(content.get("title"), locale)))
    add("text", to_plain(pick(content.get("intro"), locale)))
    for n, rule in enumerate(content.get("rules", []), 1):
        add("heading", [f"{n}. " + " ".join(to_plain(pick(rule.get("title"), locale)))])
        add("text", to_plain(pick(rule.get("body"), locale)))
        for step in rule.get("ladder", []):
            add("step", ["→ " + " ".join(to_plain(pick(step, locale)))])
    add("heading", [_("Where to report")])
    add("text", to_plain(pick(content.get("report"), locale)))
    for n, question in enumerate(content.get("questions", []), 1):
        add("heading", [_("Question %(n)s", n=n) + ": " + " ".join(to_plain(pick(question.get("prompt"), locale)))])
        for i, option in enumerate(question.get("options", [])):
            mark = "✓" if i == question.get("answer") else "·"
            add("step", [f"{mark} " + " ".join(to_plain(pick(option, locale)))])
    return stream


def words(content: dict, locale: str) -> list[str]:
    """Only the words of a code in one language: equal for two versions that read the same."""
    return [token for token in tokens(content, locale) if not isinstance(token, Block)]


_ELEMENT = {"title": ("h2", "diff-title"), "heading": ("h3", "diff-heading"), "text": ("p", "diff-text"),
            "step": ("p", "diff-step")}


@dataclass
class Paragraph:
    """One paragraph of the comparison: its element, its marked-up words, whether anything in it changed."""

    kind: str
    parts: list

    @property
    def changed(self) -> bool:
        return any(mark for mark, _ in self.parts)

    def html(self) -> str:
        tag, css = _ELEMENT[self.kind]
        words = " ".join(f"<{mark}>{text}</{mark}>" if mark else text for mark, text in self.parts)
        return f'<{tag} class="{css}">{words}</{tag}>'


def paragraphs(old: dict, new: dict, locale: str) -> list[Paragraph]:
    """The new version's paragraphs, with the words deleted from the old one and those inserted marked."""
    before, after = tokens(old, locale), tokens(new, locale)
    result: list[Paragraph] = []

    def emit(items: list, mark: str) -> None:
        run: list[str] = []

        def flush() -> None:
            if run and result:
                result[-1].parts.append((mark, " ".join(str(escape(word)) for word in run)))
            run.clear()

        for item in items:
            if isinstance(item, Block):
                flush()
                result.append(Paragraph(item.kind, []))
            else:
                run.append(item)
        flush()

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            emit(after[j1:j2], "")
            continue
        if op in ("delete", "replace"):
            emit(before[i1:i2], "del")
        if op in ("insert", "replace"):
            emit(after[j1:j2], "ins")
    return result


def compare(old: dict, new: dict, locale: str, whole: bool = True) -> tuple[Markup, int]:
    """The comparison as HTML, and how many paragraphs changed.

    whole=False keeps what an author needs to see: each changed paragraph with the title or rule
    heading it belongs to, and a gap mark where unchanged text is left out.
    """
    found = paragraphs(old, new, locale)
    if whole:
        shown = [paragraph.html() for paragraph in found]
    else:
        shown, heading, gap = [], None, False
        for paragraph in found:
            is_heading = paragraph.kind in ("title", "heading")
            if paragraph.changed:
                if gap and shown:
                    shown.append('<p class="diff-gap">…</p>')
                if heading is not None and not is_heading:
                    shown.append(heading.html())
                shown.append(paragraph.html())
                heading, gap = None, False
            elif is_heading:
                gap = gap or heading is not None
                heading = paragraph
            else:
                gap = True
    changes = sum(1 for paragraph in found if paragraph.changed)
    return Markup(nh3.clean("".join(shown), tags=_TAGS, attributes=_ATTRIBUTES)), changes
