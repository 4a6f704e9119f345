"""Every user-facing string has Dutch: a string added in code or a template without it fails here."""
import pathlib

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

ROOT = pathlib.Path(__file__).parent.parent
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
METHODS = [("lti_tool/**.py", "python"), ("templates/**.html", "jinja2")]


def _source_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def test_every_string_in_code_and_templates_has_a_dutch_translation():
    with open(ROOT / "lti_tool/translations/nl/LC_MESSAGES/messages.mo", "rb") as f:
        catalog = read_mo(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    missing = sorted(_source_strings() - translated)
    assert not missing, ("Untranslated (run scripts/translations, fill the .po, compile): "
                         + "; ".join(missing[:20]))
