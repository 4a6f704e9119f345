"""Every user-facing string has Dutch, plural forms included: a string added in code or a template
without it, a fuzzy guess, or a translation that drops a placeholder fails here."""
import pathlib
import re

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).parent.parent
CATALOG = ROOT / "lti_tool/translations/nl/LC_MESSAGES/messages"
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
METHODS = [("lti_tool/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def _source_messages() -> dict[str, tuple[str, ...]]:
    """msgid -> every English form in the code and templates (one, or singular and plural)."""
    found = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS):
        forms = (message,) if isinstance(message, str) else tuple(message)
        if forms[0]:
            found[forms[0]] = forms
    return found


def _forms(string) -> tuple[str, ...]:
    return (string,) if isinstance(string, str) else tuple(string or ())


def test_every_string_in_code_and_templates_has_a_dutch_translation_in_every_plural_form():
    with open(f"{CATALOG}.mo", "rb") as f:
        compiled = {(m.id if isinstance(m.id, str) else m.id[0]): _forms(m.string) for m in read_mo(f) if m.id}
    missing = []
    for msgid, english in _source_messages().items():
        dutch = compiled.get(msgid, ())
        if len(dutch) != len(english) or not all(dutch):
            missing.append(msgid)
    assert not missing, ("Untranslated (run scripts/translations, fill the .po, compile): "
                         + "; ".join(sorted(missing)[:20]))


def test_no_translation_is_fuzzy_and_each_keeps_its_placeholders():
    with open(f"{CATALOG}.po", "rb") as f:
        catalog = read_po(f)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy translations: {fuzzy[:10]}"
    broken = []
    for message in catalog:
        if not message.id:
            continue
        wanted = {p for form in _forms(message.id) for p in PLACEHOLDER.findall(form)}
        for form in _forms(message.string):
            if form and {p for p in PLACEHOLDER.findall(form)} - wanted:
                broken.append(message.id)
        # A singular may leave its number out ("There is a new answer"); the plural keeps every one.
        if isinstance(message.id, tuple) and message.string and \
                {p for p in PLACEHOLDER.findall(message.string[-1])} != {p for p in PLACEHOLDER.findall(message.id[1])}:
            broken.append(message.id)
    assert not broken, f"translations whose placeholders differ from the English: {broken[:10]}"
