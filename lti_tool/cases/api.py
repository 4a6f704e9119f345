"""The case API for coordinators: the queue with its filters, a case, status, assignment, messages.

The same operations as the pages; only designated coordinators of the launch's school get in.
"""
from flask import g, jsonify, request

from ..api import bp, json_object
from ..api.spec import document
from . import casefile, exclusions, operations, queries, timeliness
from .schemas import (AssignSchema, CaseOut, CaseSummaryOut, CaseMessageOut, QueueFilterSchema, QueueOut,
                      StatusSchema, TextSchema)
from .views import load

coordinators_only = exclusions.handlers_only


def _actor() -> operations.Actor:
    return operations.Actor(g.launch.school_id, g.launch.user_id)


def _case_json(report, status: int = 200):
    settings = queries.settings_for(report.school_id)
    return jsonify(CaseOut().dump(casefile.as_dict(casefile.build(report, settings)))), status


@bp.route("/cases")
@coordinators_only
def list_cases():
    """A page of the school's queue; `next` is the cursor for the following page."""
    filters = load(QueueFilterSchema(), request.args.to_dict())
    settings = queries.settings_for(g.launch.school_id)
    page = queries.queue(g.launch.school_id, filters, g.launch.user_id, settings, limit=filters["limit"])
    cases = [casefile.summary(report, timeliness.deadlines(report, settings)) for report in page.cases]
    return jsonify(QueueOut().dump({"cases": cases, "next": page.next.encode() if page.next else None}))


@bp.route("/cases/<int:report_id>")
@coordinators_only
def get_case(report_id):
    """One case with its contents; the view is audited like the page's."""
    report = queries.case(g.launch.school_id, report_id)
    operations.view(report, _actor())
    return _case_json(report)


@bp.route("/cases/<int:report_id>/status", methods=["POST"])
@coordinators_only
def change_status(report_id):
    report = queries.case(g.launch.school_id, report_id)
    data = load(StatusSchema(), json_object())
    operations.change_status(report, _actor(), data["status"])
    return jsonify(CaseSummaryOut().dump(casefile.summary(report, timeliness.deadlines(
        report, queries.settings_for(report.school_id)))))


@bp.route("/cases/<int:report_id>/assignee", methods=["POST"])
@coordinators_only
def assign(report_id):
    report = queries.case(g.launch.school_id, report_id)
    data = load(AssignSchema(), json_object())
    operations.assign(report, _actor(), data["assignee_id"])
    return jsonify(CaseSummaryOut().dump(casefile.summary(report, timeliness.deadlines(
        report, queries.settings_for(report.school_id)))))


@bp.route("/cases/<int:report_id>/messages", methods=["POST"])
@coordinators_only
def post_message(report_id):
    report = queries.case(g.launch.school_id, report_id)
    data = load(TextSchema(), json_object())
    message = operations.send_message(report, _actor(), data["body"])
    return jsonify(CaseMessageOut().dump({"id": message.id, "author_role": message.author_role,
                                      "author": g.launch.user.display_name, "body": data["body"],
                                      "created_at": message.created_at})), 201


_errors = {"400": {"description": "invalid input"}, "401": {"description": "no launch token"},
           "403": {"description": "not a coordinator of this school"}}
_case = {"404": {"description": "no such case at this school"}, "409": {"description": "the case's state forbids it"}}
_id = [{"name": "report_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
document("/cases", {"get": {
    "summary": "The case queue (coordinators)", "parameters": [
        {"name": name, "in": "query", "schema": {"type": "string"}, "description": description}
        for name, description in (("status", "open (default), all, new, acknowledged, in_progress, closed"),
                                  ("category", "one category"), ("assignee", "me, none, any or a user id"),
                                  ("age", "day, week, month, older"), ("overdue", "true for overdue only"),
                                  ("q", "a reference"), ("after", "the cursor from `next`"),
                                  ("limit", "1–100, default 25"))],
    "responses": {"200": {"content": {"application/json": {"schema": "Queue"}}}, **_errors}}},
    {"Queue": QueueOut, "CaseSummary": CaseSummaryOut})
document("/cases/{report_id}", {"get": {
    "summary": "A case with its contents (coordinators)", "parameters": _id,
    "responses": {"200": {"content": {"application/json": {"schema": "Case"}}}, **_errors, **_case}}},
    {"Case": CaseOut})
document("/cases/{report_id}/status", {"post": {
    "summary": "Move a case to acknowledged or in progress", "parameters": _id,
    "requestBody": {"required": True, "content": {"application/json": {"schema": "CaseStatus"}}},
    "responses": {"200": {"content": {"application/json": {"schema": "CaseSummary"}}}, **_errors, **_case}}},
    {"CaseStatus": StatusSchema})
document("/cases/{report_id}/assignee", {"post": {
    "summary": "Assign a case to a coordinator of the school (null: nobody)", "parameters": _id,
    "requestBody": {"required": True, "content": {"application/json": {"schema": "CaseAssign"}}},
    "responses": {"200": {"content": {"application/json": {"schema": "CaseSummary"}}}, **_errors, **_case}}},
    {"CaseAssign": AssignSchema})
document("/cases/{report_id}/messages", {"post": {
    "summary": "Send the reporter a message", "parameters": _id,
    "requestBody": {"required": True, "content": {"application/json": {"schema": "CaseMessageIn"}}},
    # CaseMessageOut is named in the spec through Case, which nests it.
    "responses": {"201": {"content": {"application/json": {"schema": "CaseMessageOut"}}},
                  "422": {"description": "an image, file or binary data in the text: refused, nothing stored"},
                  **_errors, **_case}}},
    {"CaseMessageIn": TextSchema})

