"""The incident API for coordinators: link reports, read an incident, unlink, checklist, close, message all.

The same operations and checks as the pages (incident_views.py).
"""
from flask import g, jsonify

from ..api import bp, json_object
from ..api.spec import document
from . import incidents
from .incident_schemas import IncidentDoneOut, IncidentOut, LinkSchema, UnlinkSchema
from .incident_views import side_by_side
from .schemas import CloseSchema, StepSchema, TextSchema
from .views import actor, coordinators_only, load


def _data(found) -> dict:
    return {"id": found.id, "created_at": found.created_at, "reports": side_by_side(found),
            "checklist": incidents.steps(found)}


def _out(found) -> dict:
    return IncidentOut().dump(_data(found))


def _incident(incident_id: int):
    return incidents.incident(g.launch.school_id, incident_id, g.launch.user_id)


def _done(found, count: int):
    return jsonify(IncidentDoneOut().dump({"incident": _data(found), "reports_changed": count}))


@bp.route("/incidents", methods=["POST"])
@coordinators_only
def create_incident():
    """Link two or more reports into a new incident (201)."""
    data = load(LinkSchema(), json_object())
    reports = incidents.resolve(g.launch.school_id, g.launch.user_id, report_ids=data["report_ids"],
                                references=data["references"])
    found = incidents.create(actor(), reports)
    return jsonify(_out(found)), 201


@bp.route("/incidents/<int:incident_id>")
@coordinators_only
def get_incident(incident_id):
    """An incident with its reports side by side and its shared checklist."""
    from . import operations
    found = _incident(incident_id)
    for report in incidents.reports_of(found):
        operations.view(report, actor())
    return jsonify(_out(found))


@bp.route("/incidents/<int:incident_id>/reports", methods=["POST"])
@coordinators_only
def link_reports(incident_id):
    found = _incident(incident_id)
    data = load(LinkSchema(), json_object())
    reports = incidents.resolve(g.launch.school_id, g.launch.user_id, report_ids=data["report_ids"],
                                references=data["references"])
    incidents.link(found, actor(), reports)
    return jsonify(_out(found))


@bp.route("/incidents/<int:incident_id>/unlink", methods=["POST"])
@coordinators_only
def unlink_report(incident_id):
    found = _incident(incident_id)
    data = load(UnlinkSchema(), json_object())
    incidents.unlink(found, actor(), data["report_id"])
    return jsonify(_out(found))


@bp.route("/incidents/<int:incident_id>/steps", methods=["POST"])
@coordinators_only
def incident_step(incident_id):
    found = _incident(incident_id)
    data = load(StepSchema(), json_object())
    return _done(found, incidents.check_step(found, actor(), data["step"], data["done"]))


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@coordinators_only
def close_incident(incident_id):
    found = _incident(incident_id)
    data = load(CloseSchema(), json_object())
    return _done(found, incidents.close(found, actor(), data["outcome"], data["rule_key"], data["ladder_step"],
                                        message=data["message"], unanswered_reason=data["unanswered_reason"],
                                        open_steps_confirmed=data["confirm_open_steps"]))


@bp.route("/incidents/<int:incident_id>/messages", methods=["POST"])
@coordinators_only
def message_reporters(incident_id):
    found = _incident(incident_id)
    data = load(TextSchema(), json_object())
    return _done(found, incidents.send_message(found, actor(), data["body"]))


_errors = {"400": {"description": "invalid input, or a report not found at this school"},
           "401": {"description": "no launch token"}, "403": {"description": "not a coordinator of this school"},
           "404": {"description": "no such incident at this school"},
           "409": {"description": "a removed case, a report in another incident, or a state that forbids it"}}
_id = [{"name": "incident_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_ok = {"200": {"content": {"application/json": {"schema": "Incident"}}}}
_changed = {"200": {"content": {"application/json": {"schema": "IncidentDone"}}}}


def _body(name):
    return {"required": True, "content": {"application/json": {"schema": name}}}


document("/incidents", {"post": {"summary": "Link reports into a new incident", "requestBody": _body("IncidentLink"),
                                 "responses": {"201": _ok["200"], **_errors}}},
         {"Incident": IncidentOut, "IncidentLink": LinkSchema, "IncidentDone": IncidentDoneOut})
document("/incidents/{incident_id}", {"get": {"summary": "An incident with its reports", "parameters": _id,
                                              "responses": {**_ok, **_errors}}})
document("/incidents/{incident_id}/reports", {"post": {
    "summary": "Link more reports into the incident", "parameters": _id, "requestBody": _body("IncidentLink"),
    "responses": {**_ok, **_errors}}})
document("/incidents/{incident_id}/unlink", {"post": {
    "summary": "Take a report out of the incident (audited)", "parameters": _id, "requestBody": _body("IncidentUnlink"),
    "responses": {**_ok, **_errors}}}, {"IncidentUnlink": UnlinkSchema})
document("/incidents/{incident_id}/steps", {"post": {
    "summary": "Check a step off on every open report of the incident it applies to", "parameters": _id,
    "requestBody": _body("IncidentStep"), "responses": {**_changed, **_errors}}}, {"IncidentStep": StepSchema})
document("/incidents/{incident_id}/close", {"post": {
    "summary": "Close every open report of the incident", "parameters": _id,
    "requestBody": _body("IncidentClose"), "responses": {**_changed, **_errors}}}, {"IncidentClose": CloseSchema})
document("/incidents/{incident_id}/messages", {"post": {
    "summary": "Post one message into each reporter's own thread", "parameters": _id,
    "requestBody": _body("CaseMessageIn"), "responses": {**_changed, **_errors}}})
