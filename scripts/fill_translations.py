"""Fill empty Dutch entries of the catalogue from a {English: Dutch} dict in a Python file, then compile.

Usage: .venv/bin/python scripts/fill_translations.py path/to/dict.py   (the file defines NL = {...})
"""
import runpy
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PO = "lti_tool/translations/nl/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    table = runpy.run_path(path)["NL"]
    with open(PO, "rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id and not message.string and message.id in table:
            message.string = table[message.id]
    with open(PO, "wb") as f:
        write_po(f, catalog, width=100)
    with open(PO.replace(".po", ".mo"), "wb") as f:
        write_mo(f, catalog)
    left = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(left)} untranslated", *left[:50], sep="\n")


if __name__ == "__main__":
    main(sys.argv[1])
