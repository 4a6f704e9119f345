"""Checks of a page that answers a form with errors: a readable summary tied to the fields."""
from bs4 import BeautifulSoup


def summary_entries(html: str) -> list[tuple[str, str]]:
    """The error summary's entries as (linked field id, text); each must link to a field."""
    soup = BeautifulSoup(html, "html.parser")
    box = soup.select_one("#error-summary[data-focus-on-load]")
    assert box is not None, "the error summary takes focus"
    entries = []
    for item in box.select("li"):
        link = item.select_one("a[href^='#']")
        assert link is not None, f"the entry {item.get_text()!r} links to its field"
        entries.append((link["href"][1:], " ".join(item.get_text().split())))
    return entries


def assert_field_tied_to_message(html: str, field_id: str, message: str) -> None:
    """The field exists, is aria-invalid and described by an element that holds the message."""
    soup = BeautifulSoup(html, "html.parser")
    field = soup.find(id=field_id)
    assert field is not None, f"#{field_id} exists"
    assert field.get("aria-invalid") == "true", f"#{field_id} is marked invalid"
    described = [soup.find(id=ref) for ref in field.get("aria-describedby", "").split()]
    texts = [" ".join(el.get_text().split()) for el in described if el is not None]
    assert any(message in text for text in texts), f"#{field_id} is described by {message!r}: {texts}"
