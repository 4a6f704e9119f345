"""The reports API: a new form token, submitting, my reports, one of mine with its messages, replying.

The same operations as the pages. A report is JSON only: a file part, or an image in any encoding
anywhere in the body (the operations' imagesafe check) is refused (422) and nothing is stored.
"""
from flask import g, jsonify, request
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..api import bp
from ..api.spec import document
from ..errors import AppError, ValidationFailed
from ..imagesafe import ImagesRefused, refuse_files
from . import operations, queries
from .models import CATEGORIES, URGENT_CATEGORIES, ReportMessage
from .schemas import (MessageIn, MyReportDetailOut, MyReportOut, NewReportFormOut, ReopenIn, SpreadingIn, SubmitIn,
                      ThreadMessageOut)


def _json_body() -> dict:
    """The request's JSON object; any file is refused as an image, anything else not JSON as unreadable."""
    refuse_files(request.files)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        if request.mimetype != "application/json":
            raise AppError(_("Send the report as JSON (Content-Type: application/json)."), status=415)
        raise AppError(_("The body must be a JSON object."))
    return body


def _report_out(report, unread: int = 0, *, detail: bool = False, times: dict | None = None) -> dict:
    """A report as its reporter sees it; with detail, what they sent and the thread."""
    if times is None:
        times = queries.last_message_times(report.school_id, [report.id])[report.id]
    data = {"reference": report.reference, "category": report.category,
            "status": queries.progress(report, times), "last_answer_at": times.get(ReportMessage.COORDINATOR),
            "can_reopen": operations.can_reopen(report),
            "urgent": report.urgent, "spreading_now": report.spreading_now,
            "reporter_is_affected": report.reporter_is_affected, "identity": report.identity,
            "pseudonym": report.pseudonym, "created_at": report.created_at, "unread": unread}
    if not detail:
        return MyReportOut().dump(data)
    data["details"] = queries.details(report)
    data["messages"] = [{"id": m.id, "author_role": m.author_role, "body": queries.message_body(m),
                         "created_at": m.created_at,
                         "read": m.author_role == ReportMessage.REPORTER or m.read_by_reporter_at is not None}
                        for m in queries.messages(report)]
    return MyReportDetailOut().dump(data)


def _images_refused(exc: ImagesRefused):
    """The refusal as JSON, naming the field; what was sent is never echoed."""
    return jsonify({"error": exc.code, "message": exc.message, "field": exc.field}), exc.status


@bp.route("/me/reports/new")
def new_report():
    """A one-time submission token for one report, and the categories."""
    launch = g.launch
    return jsonify(NewReportFormOut().dump({
        "submission": operations.new_submission(launch.school_id, launch.user_id),
        "categories": list(CATEGORIES), "urgent_categories": list(URGENT_CATEGORIES),
        "coordinators": operations.COORDINATORS.ask(launch.school_id)}))


@bp.route("/me/reports", methods=["POST"])
def submit_report():
    """File a report (201); the same submission token again returns the same report (200)."""
    launch = g.launch
    try:
        body = _json_body()
        # The fields are SubmitIn's; the operation checks them (lengths, images, ReportIn) as for the page.
        submission = body.pop("submission", None)
        report, new = operations.submit(launch.school_id, launch.user_id, body, submission)
    except ImagesRefused as exc:
        return _images_refused(exc)
    return jsonify(_report_out(report, detail=True)), 201 if new else 200


@bp.route("/me/reports")
def my_reports():
    """My reports at this school, newest first, with unread answers."""
    launch = g.launch
    unread = queries.unread_counts(launch.school_id, launch.user_id)
    reports = queries.my_reports(launch.school_id, launch.user_id)
    times = queries.last_message_times(launch.school_id, [r.id for r in reports])
    return jsonify([_report_out(r, unread.get(r.id, 0), times=times[r.id]) for r in reports])


@bp.route("/me/reports/<reference>")
def my_report(reference: str):
    """One of my reports with what I sent and the messages; reading marks the answers read."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    out = _report_out(report, sum(1 for m in queries.messages(report)
                                  if m.author_role == ReportMessage.COORDINATOR
                                  and m.read_by_reporter_at is None), detail=True)
    operations.mark_read(report)
    return jsonify(out)


@bp.route("/me/reports/<reference>/messages", methods=["POST"])
def reply(reference: str):
    """Reply to the coordinator on one of my reports."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    try:
        body = _json_body()
        try:
            text = MessageIn().load(body)["body"]
        except ValidationError as exc:
            raise ValidationFailed(exc.messages)
        message = operations.reply(report, text, launch.user_id)
    except ImagesRefused as exc:
        return _images_refused(exc)
    return jsonify(ThreadMessageOut().dump({"id": message.id, "author_role": message.author_role, "body": text,
                                      "created_at": message.created_at, "read": True})), 201


@bp.route("/me/reports/<reference>/reopen", methods=["POST"])
def reopen(reference: str):
    """"It started again": add to my closed report once within the school's period; it reopens."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    try:
        body = _json_body()
    except ImagesRefused as exc:
        return _images_refused(exc)
    try:
        data = ReopenIn().load(body)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    operations.reopen_by_reporter(report, data["body"], data["spreading_now"])
    return jsonify(_report_out(report, detail=True)), 200


@bp.route("/me/reports/<reference>/spreading", methods=["POST"])
def spreading(reference: str):
    """"It is spreading again": my open report becomes urgent and the coordinators are told."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    body = request.get_json(silent=True)
    try:
        SpreadingIn().load(body if isinstance(body, dict) else {})
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    operations.mark_spreading_again(report)
    return jsonify(_report_out(report)), 200


_errors = {"400": {"description": "invalid input, or an invalid submission token"},
           "401": {"description": "no launch token"}}
_refused = {"422": {"description": "a file, data: URI, image tag or base64 blob: refused, nothing stored"}}
document("/me/reports/new", {"get": {"summary": "A one-time token for a new report", "responses": {
    "200": {"content": {"application/json": {"schema": "NewReportForm"}}}, **_errors}}}, {"NewReportForm": NewReportFormOut})
document("/me/reports", {
    "get": {"summary": "My reports", "responses": {
        "200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/MyReport"}}}}}, **_errors}},
    "post": {"summary": "Submit a report (JSON only; no files or images of any kind)",
             "requestBody": {"required": True, "content": {"application/json": {"schema": "SubmitReport"}}},
             "responses": {"201": {"content": {"application/json": {"schema": "MyReportDetail"}}},
                           "200": {"description": "the same submission token again: the report it made",
                                   "content": {"application/json": {"schema": "MyReportDetail"}}},
                           "409": {"description": "the token was used for a report with other content"},
                           "415": {"description": "not JSON"}, "429": {"description": "too many reports"},
                           **_refused, **_errors}}},
    {"MyReport": MyReportOut, "SubmitReport": SubmitIn, "MyReportDetail": MyReportDetailOut})
document("/me/reports/{reference}", {"get": {
    "summary": "One of my reports with its messages (marks the coordinator's messages read)",
    "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"content": {"application/json": {"schema": "MyReportDetail"}}},
                  "404": {"description": "not one of my reports"}, **_errors}}})
document("/me/reports/{reference}/messages", {"post": {
    "summary": "Reply to the coordinator",
    "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": "Reply"}}},
    "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThreadMessageOut"}}}},
                  "404": {"description": "not one of my reports"}, "409": {"description": "the report is closed"},
                  "429": {"description": "too many messages (per reporter in 10 minutes, per report in an hour)"},
                  **_refused, **_errors}}},
    {"Reply": MessageIn})
_mine = {"404": {"description": "not one of my reports"}}
_ref = [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}]
document("/me/reports/{reference}/reopen", {"post": {
    "summary": "It started again: add to my closed report once within the school's period, which reopens it",
    "parameters": _ref, "requestBody": {"required": True, "content": {"application/json": {"schema": "Reopen"}}},
    "responses": {"200": {"content": {"application/json": {"schema": "MyReportDetail"}}},
                  "409": {"description": "the report is open, was reopened before, or closed too long ago"},
                  **_mine, **_refused, **_errors}}},
    {"Reopen": ReopenIn})
document("/me/reports/{reference}/spreading", {"post": {
    "summary": "It is spreading again: my open report becomes urgent; the coordinators are told (no content)",
    "parameters": _ref,
    "responses": {"200": {"content": {"application/json": {"schema": "MyReport"}}},
                  "409": {"description": "the report is closed (use reopen)"}, **_mine, **_errors}}})
