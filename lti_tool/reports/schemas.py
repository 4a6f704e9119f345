"""Input and output of reporting: the report as sent, a message, and what the reporter sees back.

The output schemas are the reporter's view: no reporter id, no assignee, no notes, no coordinator's
name. What coordinators see is built on their side.
"""
import re

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from ..imagesafe import MAX_CHARS
from .models import CATEGORIES, NAMED, PSEUDONYMOUS, ReportMessage

# Limits that fit a careful description and stop a flood (a report is read by a person).
MAX_TEXT = 4000
MAX_SHORT = 200
MAX_PLATFORM = 80
MAX_LINK = 1000
MAX_PEOPLE = 1000
MAX_MESSAGE = 4000
TEXT_FIELDS = ("what_happened", "platform", "link", "handle", "when", "involved", "holders")
# Each text's most characters, checked before anything reads the text (imagesafe, the URL check).
TEXT_LIMITS = {"what_happened": MAX_TEXT, "platform": MAX_PLATFORM, "link": MAX_LINK, "handle": MAX_SHORT,
               "when": MAX_SHORT, "involved": MAX_PEOPLE, "holders": MAX_PEOPLE, "body": MAX_MESSAGE}
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _at_most(limit: int):
    return validate.Length(max=limit, error=_l("Write at most {max} characters."))


_URL = validate.URL(schemes={"http", "https"}, require_tld=True,
                    error=_l("Give a web address that starts with https:// (or leave it empty)."))


def _web_address(value: str) -> None:
    """An http(s) address of at most MAX_LINK characters; the length is checked before the URL pattern runs."""
    if len(value) > MAX_LINK:
        raise ValidationError(_l("Write at most {max} characters.").format(max=MAX_LINK))
    _URL(value)


def _text(limit: int, **kw):
    """An optional text field: empty when not given."""
    return fields.String(load_default="", validate=_at_most(limit), **kw)


class ReportIn(Schema):
    """A report as the reporter sends it. There is no user field: the reporter is always the launch's user."""

    class Meta:
        unknown = RAISE

    category = fields.String(required=True, validate=validate.OneOf(
        CATEGORIES, error=_l("Choose one of the kinds of incident.")),
        metadata={"enum": list(CATEGORIES)})
    what_happened = fields.String(
        required=True, validate=[validate.Length(min=1, error=_l("Describe what happened.")), _at_most(MAX_TEXT)],
        error_messages={"required": _l("Describe what happened.")},
        metadata={"description": "what happened, in words"})
    platform = _text(MAX_PLATFORM, metadata={"description": "app or site, e.g. Snapchat"})
    link = fields.String(load_default=None, allow_none=True, validate=_web_address,
        metadata={"description": "http(s) address of the post, chat or profile; never opened by the tool"})
    handle = _text(MAX_SHORT, metadata={"description": "account name(s) involved"})
    when = _text(MAX_SHORT, metadata={"description": "when it happened, in words"})
    involved = _text(MAX_PEOPLE, metadata={"description": "who is involved (optional)"})
    holders = _text(MAX_PEOPLE, metadata={"description": "who has the images or videos, or where they were shared"})
    spreading_now = fields.Boolean(load_default=False)
    reporter_is_affected = fields.Boolean(load_default=None, allow_none=True,
                                          metadata={"description": "true: it happened to me; null: not said"})
    identity = fields.String(load_default=PSEUDONYMOUS, validate=validate.OneOf(
        (NAMED, PSEUDONYMOUS), error=_l("Choose whether the school may see your name.")),
        metadata={"enum": [NAMED, PSEUDONYMOUS]})

    @pre_load
    def _tidy(self, data, **kwargs):
        """Trim texts; an empty link is no link; a link typed without https:// gets it."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name in TEXT_FIELDS:
            # A text far over its limit is left as it is, for the length check to refuse unread.
            if isinstance(data.get(name), str) and len(data[name]) <= MAX_CHARS:
                data[name] = data[name].strip()
        link = data.get("link")
        if link == "":
            data["link"] = None
        elif isinstance(link, str) and len(link) <= MAX_LINK and not _SCHEME.match(link) \
                and "." in link.split("/")[0]:
            data["link"] = "https://" + link
        return data


class SubmitIn(ReportIn):
    """A report through the API: the fields, plus the one-time submission token from GET /me/reports/new."""

    submission = fields.String(required=True, validate=validate.Length(max=300),
                               metadata={"description": "one-time token; sending it again returns the same report"})


class MessageIn(Schema):
    class Meta:
        unknown = RAISE

    body = fields.String(required=True, validate=[validate.Length(min=1, error=_l("Write a message first.")),
                                                  _at_most(MAX_MESSAGE)],
                         error_messages={"required": _l("Write a message first.")})

    @pre_load
    def _trim(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("body"), str) and len(data["body"]) <= MAX_CHARS:
            return {**data, "body": data["body"].strip()}
        return data


class ReopenIn(MessageIn):
    """"It started again" on a closed report: what happened, and whether it is being shared right now."""

    spreading_now = fields.Boolean(load_default=False)


class SpreadingIn(Schema):
    """"It is spreading again": nothing to say but that (the button's form carries only its tokens)."""

    class Meta:
        unknown = RAISE


def form_to_reopen(form) -> dict:
    """The "it started again" form as ReopenIn data: the checkbox becomes a boolean."""
    return {"body": form.get("body", ""),
            "spreading_now": form.get("spreading_now") in ("yes", "true", "on", "1")}


def form_to_report(form) -> dict:
    """The page's form fields as ReportIn data: checkboxes and radio buttons become booleans."""
    data = {key: value for key, value in form.items()
            if key not in ("csrf_token", "lt", "submission", "affected")}
    data["spreading_now"] = form.get("spreading_now") in ("yes", "true", "on", "1")
    data["reporter_is_affected"] = {"yes": True, "no": False}.get(form.get("affected"))
    return data


class ThreadMessageOut(Schema):
    """One message as the reporter sees it: who wrote it by role only, never a name."""

    id = fields.Integer()
    author = fields.String(attribute="author_role", metadata={"enum": [ReportMessage.REPORTER,
                                                                      ReportMessage.COORDINATOR]})
    body = fields.String()
    created_at = fields.DateTime()
    read = fields.Boolean()


class MyReportOut(Schema):
    """A report as its own reporter sees it."""

    reference = fields.String()
    category = fields.String(metadata={"enum": list(CATEGORIES)})
    status = fields.String(metadata={
        "enum": ["received", "being_handled", "answered", "closed"],
        "description": "where it stands for the reporter: answered means the coordinator wrote last"})
    last_answer_at = fields.DateTime(allow_none=True, metadata={"description": "the coordinator's last message"})
    can_reopen = fields.Boolean(metadata={"description": "closed, and \"it started again\" is still possible once"})
    urgent = fields.Boolean()
    spreading_now = fields.Boolean()
    reporter_is_affected = fields.Boolean(allow_none=True)
    identity = fields.String(metadata={"enum": [NAMED, PSEUDONYMOUS]})
    pseudonym = fields.String(metadata={"description": "how the school sees a reporter who keeps their name"})
    created_at = fields.DateTime()
    unread = fields.Integer(metadata={"description": "coordinator messages not read yet"})


class MyReportDetailOut(MyReportOut):
    details = fields.Dict(metadata={"description": "what_happened, platform, link, handle, when, involved, holders"})
    messages = fields.List(fields.Nested(ThreadMessageOut))


class NewReportFormOut(Schema):
    submission = fields.String(metadata={"description": "send it with the report; valid for one report"})
    categories = fields.List(fields.String())
    urgent_categories = fields.List(fields.String())
