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


def compare(old: dict, new: dict, locale: str) -> tuple[Markup, int]:
    """The new version's text with inserted words marked <ins> and deleted ones <del>; and how many changes."""
    before, after = tokens(old, locale), tokens(new, locale)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    out: list[str] = []
    state = {"open": None}
    changes = 0

    def close() -> None:
        if state["open"]:
            out.append(f"</{state['open']}>")
            state["open"] = None

    def emit(items: list, mark: str | None) -> None:
        run: list[str] = []

        def flush() -> None:
            if run:
                text = " ".join(str(escape(word)) for word in run)
                out.append(f"<{mark}>{text}</{mark}> " if mark else f"{text} ")
                run.clear()

        for item in items:
            if isinstance(item, Block):
                flush()
                close()
                tag, css = _ELEMENT[item.kind]
                out.append(f'<{tag} class="{css}">')
                state["open"] = tag
            else:
                run.append(item)
        flush()

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            emit(after[j1:j2], None)
            continue
        changes += 1
        if op in ("delete", "replace"):
            emit(before[i1:i2], "del")
        if op in ("insert", "replace"):
            emit(after[j1:j2], "ins")
    close()
    return Markup(nh3.clean("".join(out), tags=_TAGS, attributes=_ATTRIBUTES)), changes
