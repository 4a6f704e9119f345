"""The differences between two versions of a code, as the lines an author reads."""
import difflib

from .rendering import pick


def as_lines(content: dict, locale: str) -> list[str]:
    """A code as plain text lines in one language: title, introduction, each rule and its ladder, the check."""
    lines = [f"# {pick(content.get('title'), locale)}", *pick(content.get("intro"), locale).splitlines()]
    for n, rule in enumerate(content.get("rules", []), 1):
        lines += ["", f"## {n}. {pick(rule.get('title'), locale)}", *pick(rule.get("body"), locale).splitlines()]
        lines += [f"  → {pick(step, locale)}" for step in rule.get("ladder", [])]
    lines += ["", *pick(content.get("report"), locale).splitlines()]
    for n, question in enumerate(content.get("questions", []), 1):
        lines += ["", f"? {n}. {pick(question.get('prompt'), locale)}"]
        lines += [f"  {'✓' if i == question.get('answer') else '·'} {pick(option, locale)}"
                  for i, option in enumerate(question.get("options", []))]
    return lines


def compare(old: dict, new: dict, locale: str) -> list[tuple[str, str]]:
    """(kind, text) per line, kind being "same", "removed" or "added"."""
    result = []
    for line in difflib.ndiff(as_lines(old, locale), as_lines(new, locale)):
        marker, text = line[:2], line[2:]
        if marker == "  ":
            result.append(("same", text))
        elif marker == "- ":
            result.append(("removed", text))
        elif marker == "+ ":
            result.append(("added", text))
    return result
