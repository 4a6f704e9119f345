"""Validating a code's content, its publication and how it is read; forms are flattened into the same shape."""
import re

from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import (RAISE, Schema, ValidationError, fields, post_load, pre_load, validate,
                         validates_schema)

from .models import AUDIENCES, LOCALES, MAJOR, MINOR

MAX_TITLE, MAX_TEXT, MAX_STEP, MAX_NOTE = 200, 10_000, 500, 600
MAX_RULES, MAX_STEPS, MAX_QUESTIONS, MAX_OPTIONS = 30, 10, 5, 6
_DATE_ERRORS = {"invalid": _l("This is not a valid date.")}
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class TextSchema(Schema):
    """One text in both languages; either may be empty while a draft is written."""

    class Meta:
        unknown = RAISE

    nl = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT, error=_l(
        "Use at most %(max)s characters.", max=MAX_TEXT)))
    en = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT, error=_l(
        "Use at most %(max)s characters.", max=MAX_TEXT)))

    @post_load
    def _strip(self, data, **kwargs):
        return {locale: data[locale].strip().replace("\r\n", "\n") for locale in LOCALES}


def _text(max_length: int = MAX_TEXT):
    """A bilingual text whose parts are at most max_length characters."""

    class Limited(TextSchema):
        nl = fields.String(load_default="", validate=validate.Length(max=max_length, error=_l(
            "Use at most %(max)s characters.", max=max_length)))
        en = fields.String(load_default="", validate=validate.Length(max=max_length, error=_l(
            "Use at most %(max)s characters.", max=max_length)))

    return fields.Nested(Limited, required=True)


class RuleSchema(Schema):
    class Meta:
        unknown = RAISE

    key = fields.String(required=True, validate=validate.Regexp(_KEY, error=_l("Use a short key of lower-case letters, digits and hyphens.")))
    title = _text(MAX_TITLE)
    body = _text()
    ladder = fields.List(_text(MAX_STEP), validate=validate.Length(
        min=1, max=MAX_STEPS, error=_l("Each rule needs 1 to %(max)s consequence steps.", max=MAX_STEPS)))


class QuestionSchema(Schema):
    class Meta:
        unknown = RAISE

    prompt = _text(MAX_STEP)
    options = fields.List(_text(MAX_STEP), validate=validate.Length(
        min=2, max=MAX_OPTIONS, error=_l("A question needs 2 to %(max)s options.", max=MAX_OPTIONS)))
    answer = fields.Integer(required=True, strict=False, error_messages={
        "invalid": _l("Choose the number of the right option.")})
    rule = fields.String(required=True)

    @validates_schema
    def _answer_is_an_option(self, data, **kwargs):
        if not 0 <= data.get("answer", -1) < len(data.get("options", [])):
            raise ValidationError(_l("The right answer must be one of the options."), "answer")


class ContentSchema(Schema):
    """The whole of a code: title, introduction, rules with their ladders, where to report, the check."""

    class Meta:
        unknown = RAISE

    title = _text(MAX_TITLE)
    intro = _text()
    rules = fields.List(fields.Nested(RuleSchema), validate=validate.Length(
        min=1, max=MAX_RULES, error=_l("A code has 1 to %(max)s rules.", max=MAX_RULES)))
    report = _text()
    questions = fields.List(fields.Nested(QuestionSchema), load_default=list, validate=validate.Length(
        max=MAX_QUESTIONS, error=_l("At most %(max)s questions.", max=MAX_QUESTIONS)))

    @validates_schema
    def _references(self, data, **kwargs):
        keys = [rule["key"] for rule in data.get("rules", [])]
        if len(keys) != len(set(keys)):
            raise ValidationError(_l("Two rules have the same key."), "rules")
        # Each question's own rule field carries the message, so the author sees which question.
        unknown = {i: {"rule": [_l("Choose one of the rules of this code.")]}
                   for i, question in enumerate(data.get("questions", [])) if question.get("rule") not in keys}
        if unknown:
            raise ValidationError({"questions": unknown})


class DraftSchema(Schema):
    """A saved draft: its content and the due date of its acknowledgements."""

    class Meta:
        unknown = RAISE

    content = fields.Nested(ContentSchema, required=True)
    due_date = fields.Date(allow_none=True, load_default=None, error_messages=_DATE_ERRORS)


class DueDateSchema(Schema):
    """A deadline for acknowledging; an empty field means none."""

    class Meta:
        unknown = RAISE

    due_date = fields.Date(allow_none=True, load_default=None, error_messages=_DATE_ERRORS)

    @pre_load
    def _blank_date(self, data, **kwargs):
        return {**data, "due_date": data.get("due_date") or None}


class PublishSchema(DueDateSchema):
    """The publish form: minor or major, the deadline, what changed (in both languages), and the confirmation."""

    change = fields.String(required=True, validate=validate.OneOf(
        (MINOR, MAJOR), error=_l("Say whether the change is minor or major.")),
        error_messages={"required": _l("Say whether the change is minor or major.")})
    note_nl = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE, error=_l(
        "Use at most %(max)s characters.", max=MAX_NOTE)))
    note_en = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE, error=_l(
        "Use at most %(max)s characters.", max=MAX_NOTE)))
    confirmed = fields.Boolean(load_default=False)

    @post_load
    def _tidy(self, data, **kwargs):
        note = {locale: data.pop(f"note_{locale}").strip().replace("\r\n", "\n") for locale in LOCALES}
        return {**data, "note": note}


def publish_error_place(path: str) -> tuple[str, str]:
    """The publish form's field id and words for an error path; a text of the draft is the editor's."""
    own = {"change": _("Kind of change"), "due_date": _("Acknowledge by (optional)"),
           "note_nl": _("What changed (%(language)s)", language=LANGUAGE_NAMES["nl"]),
           "note_en": _("What changed (%(language)s)", language=LANGUAGE_NAMES["en"])}
    first = path.split(".")[0]
    if first in own:
        return first, own[first]
    return draft_error_place(path)


class ReadSchema(Schema):
    """How a code is shown: which audience's (authors preview both) and in which language."""

    class Meta:
        unknown = RAISE

    audience = fields.String(load_default=None, validate=validate.OneOf(AUDIENCES))
    lang = fields.String(load_default=None, validate=validate.OneOf(LOCALES, error=_l("Choose Dutch or English.")))


_VERSION_ERRORS = {"invalid": _l("Choose two versions of the code."),
                   "required": _l("Choose two versions of the code.")}


class DiffSchema(Schema):
    """Which two versions of a code to compare (any two, in either order) and in which language."""

    class Meta:
        unknown = RAISE

    old = fields.Integer(required=True, data_key="from", error_messages=_VERSION_ERRORS)
    new = fields.Integer(required=True, data_key="to", error_messages=_VERSION_ERRORS)
    lang = fields.String(load_default="nl", validate=validate.OneOf(LOCALES, error=_l("Choose Dutch or English.")))
    whole = fields.Boolean(load_default=False)  # the whole text, or only the changed parts


# The editor names its languages in their own words, untranslated.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def draft_error_place(path: str) -> tuple[str, str]:
    """The editor's field id and its words ("Rule 1, title (English)") for a DraftSchema error path.

    The one mapping from content.rules.0.title.en and friends to what the author sees; the labels
    are the editor's own (templates/conduct/edit.html).
    """
    parts = path.split(".")
    if parts[0] == "due_date":
        return "due_date", _("Acknowledge by (optional)")
    parts = parts[1:] if parts[0] == "content" else []
    texts = {"title": _("Title"), "intro": _("Introduction"), "report": _("Where to report")}
    if parts and parts[0] in texts:
        return _text_place(parts[0], [texts[parts[0]]], parts[1:])
    if len(parts) >= 2 and parts[0] == "rules" and parts[1].isdigit():
        i, rest = int(parts[1]), parts[2:]
        where = [_("Rule %(n)s", n=i + 1)]
        fields_ = {"title": _("Title"), "body": _("Rule"), "ladder": _("Consequences, one step per line")}
        if rest and rest[0] in fields_:
            return _text_place(f"rule-{i}-{rest[0]}", where + [_lower(fields_[rest[0]])], rest[1:])
        return f"rule-{i}", where[0]  # the rule's hidden key or the rule as a whole: its section
    if len(parts) >= 2 and parts[0] == "questions" and parts[1].isdigit():
        i, rest = int(parts[1]), parts[2:]
        where = [_("Question %(n)s", n=i + 1)]
        texts = {"prompt": _("Question"), "options": _("Options, one per line")}
        if rest and rest[0] in texts:
            return _text_place(f"question-{i}-{rest[0]}", where + [_lower(texts[rest[0]])], rest[1:])
        choices = {"answer": _("Right answer (option number)"), "rule": _("Rule it checks")}
        if rest and rest[0] in choices:
            return f"question-{i}-{rest[0]}", ", ".join(where + [_lower(choices[rest[0]])])
        return f"question-{i}", where[0]
    if parts and parts[0] == "rules":
        return "rules", _("Rules")
    if parts and parts[0] == "questions":
        return "questions", _("Comprehension check (optional, at most 5 questions)")
    return "", _("The draft")


def _text_place(name: str, words: list[str], rest: list[str]) -> tuple[str, str]:
    """A bilingual field's id and words; rest is what follows its name: [locale] or [line, locale]."""
    if rest and rest[0].isdigit():  # one line of a ladder (a step) or of the options (an option)
        n = int(rest[0]) + 1
        words = words + [_("step %(n)s", n=n) if name.endswith("-ladder") else _("option %(n)s", n=n)]
        rest = rest[1:]
    locale = rest[0] if rest and rest[0] in LANGUAGE_NAMES else None
    label = ", ".join(words) + (f" ({LANGUAGE_NAMES[locale]})" if locale else "")
    return f"{name}-{locale or LOCALES[0]}", label


def _lower(label: str) -> str:
    """A form's label inside a sentence ("Rule 1, title"): its first letter small."""
    return label[:1].lower() + label[1:]


def form_to_draft(form) -> dict:
    """Turn the editor's flat fields (rule-0-title-nl, question-1-option-2-en, …) into DraftSchema's shape.

    Rules or questions marked for removal are left out; an "add" button adds an empty one.
    """
    get = form.get

    def text(prefix: str) -> dict:
        return {locale: get(f"{prefix}-{locale}", "") for locale in LOCALES}

    def indices(prefix: str) -> list[int]:
        found = {int(m.group(1)) for name in form.keys() if (m := re.match(rf"^{prefix}-(\d{{1,3}})-", name))}
        return sorted(found)

    rules = []
    for i in indices("rule"):
        if get(f"rule-{i}-remove"):
            continue
        ladder = [{locale: line for locale, line in zip(LOCALES, pair)}
                  for pair in _pairs(get(f"rule-{i}-ladder-nl", ""), get(f"rule-{i}-ladder-en", ""))]
        rules.append({"key": get(f"rule-{i}-key", ""), "title": text(f"rule-{i}-title"),
                      "body": text(f"rule-{i}-body"), "ladder": ladder})
    questions = []
    for i in indices("question"):
        if get(f"question-{i}-remove"):
            continue
        options = [{locale: line for locale, line in zip(LOCALES, pair)}
                   for pair in _pairs(get(f"question-{i}-options-nl", ""), get(f"question-{i}-options-en", ""))]
        questions.append({"prompt": text(f"question-{i}-prompt"), "options": options,
                          "answer": get(f"question-{i}-answer", ""), "rule": get(f"question-{i}-rule", "")})
    return {"content": {"title": text("title"), "intro": text("intro"), "rules": rules,
                        "report": text("report"), "questions": questions},
            "due_date": get("due_date") or None}


def _pairs(nl: str, en: str) -> list[tuple[str, str]]:
    """Pair the lines of two textareas (one step or option per line), ignoring blank lines.

    A textarea longer than the most steps could fill is kept whole, for the length check to refuse unread.
    """
    left, right = (_lines(nl), _lines(en))
    length = max(len(left), len(right))
    left += [""] * (length - len(left))
    right += [""] * (length - len(right))
    return list(zip(left, right))


def _lines(text: str) -> list[str]:
    if len(text) > MAX_STEPS * (MAX_STEP + 2):
        return [text]
    return [line.strip() for line in text.splitlines() if line.strip()]


def new_rule_key(content: dict) -> str:
    """A key for a rule added in the editor that no other rule of the code has."""
    taken = {rule["key"] for rule in content.get("rules", [])}
    n = len(taken) + 1
    while f"rule-{n}" in taken:
        n += 1
    return f"rule-{n}"
