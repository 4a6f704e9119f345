"""JSON from outside, read safely: a nesting limit checked in one linear pass before parsing.

Python's parser recurses per level, so a body of 100,000 brackets (200 kB, under the request size
limit) ends in a RecursionError, a 500. Every JSON the tool reads from a request (Flask parses
request bodies with `app.json`, which is `JSONProvider`) or from an LMS (registration, through
`loads`) is checked first and refused with a 400 when nested too deeply, before the parser sees it.
"""
import re

from flask import current_app
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

from .errors import AppError

MAX_DEPTH = 64
# Strings (with their escapes) are skipped whole; the brackets left decide the depth.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


class JSONRefused(AppError):
    """A JSON document nested too deeply (or otherwise unreadable) to parse safely."""

    code = "invalid_json"


def depth(text: str | bytes) -> int:
    """The deepest nesting of arrays and objects in text, counted in one pass (strings skipped)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    deepest = level = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            level += 1
            deepest = max(deepest, level)
        elif token in "]}":
            level -= 1
    return deepest


def loads(text: str | bytes):
    """Parse JSON from outside (an LMS's answer); JSONRefused when nested too deeply. Invalid JSON is a ValueError."""
    return current_app.json.loads(text)


class JSONProvider(DefaultJSONProvider):
    """The app's JSON (app.json, which Flask gives every request for get_json): loads has the nesting
    limit in front, so a deep body is a 400 even where it is read with silent=True."""

    def loads(self, s, **kwargs):
        if depth(s) > MAX_DEPTH:
            raise JSONRefused(_("The JSON is nested more than %(n)s levels deep.", n=MAX_DEPTH))
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise JSONRefused(_("The JSON is nested too deeply."))
