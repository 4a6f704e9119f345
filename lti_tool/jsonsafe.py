"""JSON from outside, read safely: a nesting limit checked in one linear pass before parsing.

Python's parser recurses per level, so a body of 100,000 brackets (200 kB, under the request size
limit) ends in a RecursionError, a 500. Every JSON the tool reads from a request (through
`Request`, installed as the app's request class) or from an LMS (registration) goes through
`loads`, which refuses such a document with a 400 instead, before the parser sees it.
"""
import re

from flask import Request as FlaskRequest, json as flask_json
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


def loads(text: str | bytes, max_depth: int = MAX_DEPTH):
    """Parse JSON; JSONRefused when it nests deeper than max_depth. Invalid JSON is a ValueError."""
    if depth(text) > max_depth:
        raise JSONRefused(_("The JSON is nested more than %(n)s levels deep.", n=max_depth))
    try:
        return flask_json.loads(text)
    except RecursionError:  # a parser that recurses less deeply than the limit allows
        raise JSONRefused(_("The JSON is nested too deeply."))


class _GuardedJSON:
    """The JSON module of requests: flask.json with the nesting limit in front."""

    @staticmethod
    def loads(text, **kwargs):
        return loads(text)

    dumps = staticmethod(flask_json.dumps)


class Request(FlaskRequest):
    """The app's request: get_json() refuses deep nesting with a 400, even when asked to be silent."""

    json_module = _GuardedJSON
