"""Filing a report and the messages on it: every text sealed, the reporter known only as they chose.

A report made in the tool comes with a one-time submission token (signed, naming a reference made
in advance): sending the same form twice finds the report of the first time instead of filing a
second. Reports per reporter are limited per hour and per day, and a reporter's messages per 10
minutes and per case per hour, counted in the database by the keyed lookup hash, so the limits
hold across workers without revealing who reported.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import ValidationError
from sqlalchemy import exists, select, text
from sqlalchemy.exc import IntegrityError

from .. import coarse_time, sealing
from ..db import utcnow
from ..errors import AppError, Conflict, ValidationFailed
from ..extensions import db
from ..hooks import Hook
from ..imagesafe import refuse_images
from . import queries
from .models import CLOSED, IN_PROGRESS, NAMED, SEXUAL_IMAGES, SOURCES, URGENT_CATEGORIES, Report, ReportMessage
from .queries import DETAILS_FIELD, LINK_FIELD, MESSAGE_FIELD
from .schemas import TEXT_LIMITS, MessageIn, ReportIn

# The coordinators' side (cases, above this package: its audit log, notices and exclusions) answers
# these. Sent ones may refuse by raising: the request then stores nothing.
CHECKING = Hook("reports.checking")          # sent (school_id, clean) before a report is stored
CREATED = Hook("reports.created")            # sent (report, clean, entered_by_id, source) once it is
REPORTER_WROTE = Hook("reports.reporter_wrote")  # sent (report, first_unread) after a reporter's message
REOPENED = Hook("reports.reopened")          # sent (report, spreading) when the reporter reopened it
SPREADING_AGAIN = Hook("reports.spreading_again")  # sent (report, notify): "it is spreading again"
SETTINGS = Hook("reports.settings")          # asked (school_id): the school's case settings (or defaults)
COORDINATORS = Hook("reports.coordinators")  # asked (school_id): [{"id", "name"}] a reporter may keep away

# Crockford-like: no 0/O, 1/I/L or U, so a reference read aloud or copied by hand stays right.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
DETAIL_KEYS = ("what_happened", "platform", "link", "handle", "when", "involved", "holders")
DEFAULT_PER_HOUR, DEFAULT_PER_DAY = 5, 15
DEFAULT_MESSAGES_PER_10_MINUTES, DEFAULT_MESSAGES_PER_CASE_PER_HOUR = 10, 20
FORM_SECONDS = 24 * 3600


class RateLimited(AppError):
    """Too many reports from one person in a short time; nothing is stored."""

    status = 429
    code = "rate_limited"


class SubmissionInvalid(AppError):
    """The form's one-time token is missing, forged, someone else's or too old."""

    code = "submission_invalid"


class AlreadySent(Conflict):
    """This form was already sent, with other content: the first report stands."""

    code = "already_sent"

    def __init__(self, reference: str | None):
        super().__init__(_("This form was already sent, so your report is saved (reference %(ref)s). "
                           "To report something else, send the form below as a new report.", ref=reference)
                         if reference else _("This form was already used. Send it again as a new report."))
        self.reference = reference


def new_reference() -> str:
    """A fresh reference like VO-7K3M-Q9PX: about 39 random bits, unused so far."""
    while True:
        chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
        reference = f"VO-{chars[:4]}-{chars[4:]}"
        if not db.session.scalar(select(exists().where(Report.reference == reference))):
            return reference


def _serializer(school_id: int, user_id: int) -> URLSafeTimedSerializer:
    # The salt binds a token to one person at one school: nobody else can send it.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"report-submission:{school_id}:{user_id}")


def new_submission(school_id: int, user_id: int) -> str:
    """A one-time token for one report form, carrying the reference the report will get."""
    return _serializer(school_id, user_id).dumps(new_reference())


def read_submission(token: str | None, school_id: int, user_id: int) -> str:
    """The reference a valid token of this person carries; SubmissionInvalid otherwise."""
    max_age = current_app.config.get("REPORT_FORM_SECONDS", FORM_SECONDS)
    if token is not None and (not isinstance(token, str) or len(token) > 300):
        raise SubmissionInvalid(_("This form could not be checked. Your text is still here: send it again."))
    try:
        reference = _serializer(school_id, user_id).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise SubmissionInvalid(_("This form was open for a long time and has expired. Your text is "
                                  "still here: check it and send it again."))
    except BadSignature:
        raise SubmissionInvalid(_("This form could not be checked. Your text is still here: send it again."))
    if not isinstance(reference, str) or len(reference) != 12 or not reference.startswith("VO-"):
        raise SubmissionInvalid(_("This form could not be checked. Your text is still here: send it again."))
    return reference


def _clean(data: dict) -> dict:
    """Validate report data: lengths, then no images (imagesafe), then ReportIn; the same for every way a report arrives."""
    refuse_images(data, limits=TEXT_LIMITS)
    try:
        return ReportIn().load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)


def _pseudonym(school_id: int) -> str:
    """A random pseudonym, unused at this school; in the school's language, not the reporter's."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        for _attempt in range(10):
            name = _("Reporter %(n)s", n=secrets.randbelow(9000) + 1000)
            if not db.session.scalar(select(exists().where(Report.school_id == school_id,
                                                           Report.pseudonym == name))):
                break
    return name


def create_report(school_id: int, data: dict, *, reporter_user_id: int | None, source: str = "tool",
                  entered_by_id: int | None = None) -> Report:
    """Store one report with every text sealed, and queue the content-free notice to the coordinators.

    data holds the fields of schemas.ReportIn (validated again here), and may hold a "reference"
    made in advance. reporter_user_id is the person who reported through the tool: it is kept as a
    keyed hash and sealed, and in the clear only when they let the school see their name. A report
    entered by a coordinator for someone who phoned or came by has no reporter_user_id.
    """
    data = dict(data)
    reference = data.pop("reference", None) or new_reference()
    clean = _clean(data)
    if source not in SOURCES:
        raise ValidationFailed({"source": [_("Unknown source.")]})
    category = clean["category"]
    CHECKING.send(school_id, clean)  # e.g. keeping away the last coordinator, with no deputy: refused
    details = {key: clean[key] for key in DETAIL_KEYS if clean.get(key)}
    now = utcnow()
    report = Report(
        school_id=school_id, reference=reference, category=category, source=source,
        received_at=now, created_at=now, updated_at=now,
        urgent=bool(clean["spreading_now"] or category in URGENT_CATEGORIES),
        spreading_now=clean["spreading_now"], reporter_is_affected=clean["reporter_is_affected"],
        identity=clean["identity"], pseudonym=_pseudonym(school_id),
        reporter_user_id=reporter_user_id if clean["identity"] == NAMED else None,
        reporter_lookup=sealing.lookup(school_id, reporter_user_id) if reporter_user_id else None,
        reporter_link=sealing.seal(reporter_user_id, school_id, LINK_FIELD) if reporter_user_id else None,
        details=sealing.seal(details, school_id, DETAILS_FIELD),
        # About a staff member: the board track is offered; for sexual images it is the required step
        # (a staff member suspected of a sexual offence) until a coordinator decides otherwise.
        about_staff=clean["about_staff"], staff_suspect=clean["about_staff"] and category == SEXUAL_IMAGES,
    )
    if report.coarse_time:  # the school sees the part of the day only (coarse_time.py)
        report.created_at = report.updated_at = coarse_time.part_start(now)
    db.session.add(report)
    db.session.flush()
    CREATED.send(report, clean, entered_by_id, source)  # the exclusion, the audit log, the content-free notice
    return report


def _same_content(report: Report, clean: dict) -> bool:
    """Whether a report already stored holds exactly what was sent now (a second click, a reload)."""
    details = {key: clean[key] for key in DETAIL_KEYS if clean.get(key)}
    return (report.category == clean["category"] and report.identity == clean["identity"]
            and report.spreading_now == clean["spreading_now"] and report.about_staff == clean["about_staff"]
            and report.reporter_is_affected == clean["reporter_is_affected"]
            and queries.details(report) == details)


def _serialize_reporter(school_id: int, user_id: int) -> None:
    """On PostgreSQL, let one submit of a person run at a time (till commit): exact limits, no twins."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite runs one writer at a time anyway
    digest = hashlib.sha256(sealing.lookup(school_id, user_id).encode()).digest()
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                       {"key": int.from_bytes(digest[:8], "big", signed=True)})


def _check_rate(school_id: int, user_id: int) -> None:
    """Refuse a report beyond the hourly or daily limit of this person."""
    now = utcnow()
    per_hour = current_app.config.get("REPORTS_PER_HOUR", DEFAULT_PER_HOUR)
    per_day = current_app.config.get("REPORTS_PER_DAY", DEFAULT_PER_DAY)
    if queries.reporter_recent_count(school_id, user_id, now - timedelta(hours=1)) >= per_hour:
        raise RateLimited(_("You have sent %(n)s reports in the last hour, the most the tool takes. Your "
                            "text is still here: try again later. In immediate danger, call 112.", n=per_hour))
    if queries.reporter_recent_count(school_id, user_id, now - timedelta(days=1)) >= per_day:
        raise RateLimited(_("You have sent %(n)s reports today, the most the tool takes. Your text is "
                            "still here: try again tomorrow, or talk to your coordinator or mentor. "
                            "In immediate danger, call 112.", n=per_day))


def _existing(reference: str, school_id: int, user_id: int, clean: dict) -> Report | None:
    """The report an earlier send of this form made, if it is the same; AlreadySent if it differs."""
    report = queries.by_reference(reference)
    if report is None:
        return None
    mine = report.school_id == school_id and report.reporter_lookup in sealing.lookups(school_id, user_id)
    if mine and _same_content(report, clean):
        return report
    raise AlreadySent(report.reference if mine else None)


def submit(school_id: int, user_id: int, data: dict, submission: str | None) -> tuple[Report, bool]:
    """File a report through the tool, once per form: (the report, whether it is new).

    Checks, in order: the form's token, the content (no images, valid fields), a repeat of the same
    form (returns the first report), the rate limit; then create_report.
    """
    reference = read_submission(submission, school_id, user_id)
    clean = _clean(data)
    _serialize_reporter(school_id, user_id)
    existing = _existing(reference, school_id, user_id, clean)
    if existing is not None:
        return existing, False
    _check_rate(school_id, user_id)
    try:
        report = create_report(school_id, {**clean, "reference": reference}, reporter_user_id=user_id)
    except IntegrityError:
        # Two sends of one form at the same moment (SQLite, where no lock orders them): the other
        # one won. Nothing of this request was written before the report, so start again clean.
        db.session.rollback()
        existing = _existing(reference, school_id, user_id, clean)
        if existing is None:
            raise
        return existing, False
    return report, True


def reporter_time(report: Report, now):
    """The time to keep of something the reporter did now: the part of the day when pseudonymous."""
    return coarse_time.part_start(now) if report.coarse_time else now


def post_message(report: Report, author_role: str, body: str, author_user_id: int | None = None) -> ReportMessage:
    """Add a message to a report's thread, sealed; a reporter's message never names them.

    The writer has read their own message; the other side has not yet.
    """
    if author_role not in (ReportMessage.REPORTER, ReportMessage.COORDINATOR):
        raise ValueError(f"unknown author role {author_role!r}")
    refuse_images(body, "body", limits=TEXT_LIMITS, report=False)
    try:
        text_ = MessageIn().load({"body": body})["body"]
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    now = utcnow()
    reporter = author_role == ReportMessage.REPORTER
    shown = reporter_time(report, now) if reporter else now
    message = ReportMessage(
        school_id=report.school_id, report_id=report.id, author_role=author_role,
        author_user_id=None if reporter else author_user_id,
        body=sealing.seal(text_, report.school_id, MESSAGE_FIELD),
        created_at=shown, received_at=now, read_by_reporter_at=shown if reporter else None,
        read_by_school_at=None if reporter else now)
    db.session.add(message)
    db.session.flush()
    return message


def _check_message_rate(report: Report, user_id: int) -> None:
    """Refuse a reporter's message beyond their 10-minute limit at the school, or the case's hourly one."""
    now = utcnow()
    per_person = current_app.config.get("REPORT_MESSAGES_PER_10_MINUTES", DEFAULT_MESSAGES_PER_10_MINUTES)
    per_case = current_app.config.get("REPORT_MESSAGES_PER_CASE_PER_HOUR", DEFAULT_MESSAGES_PER_CASE_PER_HOUR)
    if queries.reporter_message_count(report.school_id, user_id, now - timedelta(minutes=10)) >= per_person:
        raise RateLimited(_("You have sent %(n)s messages in the last 10 minutes, the most the tool takes. "
                            "Your text is still here: send it a little later. In immediate danger, call 112.",
                            n=per_person))
    if queries.case_reporter_message_count(report, now - timedelta(hours=1)) >= per_case:
        raise RateLimited(_("This report has had %(n)s messages from you in the last hour, the most the tool "
                            "takes. Your text is still here: send it later, or talk to your coordinator or "
                            "mentor. In immediate danger, call 112.", n=per_case))


def reply(report: Report, body: str, user_id: int) -> ReportMessage:
    """The reporter (user_id) answers on their own report, within the message limits.

    A closed report takes no more messages. The coordinators get one content-free notice when the
    first unread message arrives; more messages before they open the case add none.
    """
    if report.status == CLOSED:
        raise Conflict(_("This report is closed, so it takes no more messages. If something new "
                         "happened, make a new report."))
    _serialize_reporter(report.school_id, user_id)
    _check_message_rate(report, user_id)
    first_unread = not queries.has_unread_reporter_message(report)
    message = post_message(report, ReportMessage.REPORTER, body)
    REPORTER_WROTE.send(report, first_unread)
    return message


def reopen_days(school_id: int) -> int:
    """How long after closing a reporter may reopen their case (the school's setting, default 30)."""
    return SETTINGS.ask(school_id).reporter_reopen_days


def can_reopen(report: Report, now=None) -> bool:
    """Whether the reporter may still say "it started again": closed, not yet reopened by them,
    within the school's period, contents not purged."""
    if report.status != CLOSED or report.reporter_reopened_at is not None or report.purged_at is not None:
        return False
    days = reopen_days(report.school_id)
    return report.closed_at is not None and (now or utcnow()) <= report.closed_at + timedelta(days=days)


def reopen_by_reporter(report: Report, body: str, spreading: bool = False) -> ReportMessage:
    """"It started again": the reporter adds to their closed case once within the period, which
    reopens it (in progress) and tells the coordinators, without any content."""
    if report.status != CLOSED:
        raise Conflict(_("This report is still open: write your message in the thread."))
    if report.reporter_reopened_at is not None:
        raise Conflict(_("You already reopened this report once. If it happened again, make a new report."))
    if not can_reopen(report):
        raise Conflict(_("This report was closed more than %(days)s days ago, so it cannot be reopened. "
                         "If it happened again, make a new report.", days=reopen_days(report.school_id)))
    message = post_message(report, ReportMessage.REPORTER, body)
    now = utcnow()
    report.status, report.closed_at, report.reporter_reopened_at = IN_PROGRESS, None, reporter_time(report, now)
    report.outcome = report.rule_key = report.ladder_step = None
    report.not_genuine = False
    if spreading:
        _spreading(report, now)
    REOPENED.send(report, spreading)
    db.session.flush()
    return message


# A reporter who presses "spreading again" twice in an hour notifies the coordinators once.
SPREADING_NOTICE_GAP = timedelta(hours=1)


def mark_spreading_again(report: Report) -> bool:
    """"It is spreading again": the case is urgent again and the coordinators hear of it (no content).

    Returns whether a notice was queued (at most one an hour per report). A closed report is
    reopened through "it started again", which asks for the words too.
    """
    if report.status == CLOSED:
        raise Conflict(_("This report is closed. Use “It started again” to tell the school, or make a new report."))
    now = utcnow()
    recent = report.spreading_again_at is not None and now - report.spreading_again_at < SPREADING_NOTICE_GAP
    _spreading(report, now)
    SPREADING_AGAIN.send(report, not recent)
    db.session.flush()
    return not recent


def _spreading(report: Report, now) -> None:
    report.spreading_now, report.urgent, report.spreading_again_at = True, True, reporter_time(report, now)


def mark_read(report: Report) -> int:
    """Mark the coordinators' messages on this report as read by the reporter; return how many."""
    now = reporter_time(report, utcnow())
    count = 0
    for message in queries.messages(report):
        if message.author_role == ReportMessage.COORDINATOR and message.read_by_reporter_at is None:
            message.read_by_reporter_at = now
            count += 1
    if count:
        db.session.flush()
    return count
