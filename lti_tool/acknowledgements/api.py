"""The acknowledgement API: my current code, acknowledging it, my status. Same operations as the pages."""
from flask import g, jsonify, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields

from ..api import bp
from ..api.spec import document
from ..conduct.rendering import languages as written_in
from ..errors import ValidationFailed
from . import operations, queries
from .schemas import AcknowledgeSchema, AcknowledgementOut, StatusOut


class VersionOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    audience = fields.String()
    epoch = fields.Integer()
    due_date = fields.Date(allow_none=True)
    published_at = fields.DateTime()
    content = fields.Dict(metadata={"description": "title, intro, rules (with ladder), report, questions; "
                                                   "each text as {nl, en} Markdown. Answers are left out."})
    languages = fields.List(fields.String(), metadata={
        "description": "the languages the code is written in: always nl, en unless the school left English out"})
    changes = fields.List(fields.Dict(), metadata={
        "description": "for someone asked to acknowledge again: each version since their last acknowledgement "
                       "that says what changed, newest first, as {number, published_at, note: {nl, en}}"})


def _without_answers(content: dict) -> dict:
    """The check's right answers stay on the server."""
    return {**content, "questions": [{k: v for k, v in q.items() if k != "answer"}
                                     for q in content.get("questions", [])]}


_acknowledge_in = AcknowledgeSchema()
_new_acknowledgement_out = AcknowledgementOut(exclude=("version",))  # the number comes with the operation's answer


@bp.route("/me/code")
def my_code():
    """The current version of my code (404 before the school publishes one)."""
    status = queries.status(g.launch.school_id, g.launch.user_id, g.launch.role)
    if status.current is None:
        from ..errors import NotFound
        raise NotFound(_("Your school has not published its code of conduct yet."))
    version = status.current
    changes = [{"number": v.number, "published_at": v.published_at.isoformat(), "note": v.change_note}
               for v in queries.changes_to_read(g.launch.school_id, status)]
    return jsonify(VersionOut().dump({"id": version.id, "number": version.number, "audience": version.audience,
                                      "epoch": version.epoch, "due_date": version.due_date,
                                      "published_at": version.published_at,
                                      "content": _without_answers(version.content),
                                      "languages": list(written_in(version.content)),
                                      "changes": changes}))


@bp.route("/me/status")
def my_status():
    """Where I stand with my code."""
    return jsonify(StatusOut().dump(queries.status(g.launch.school_id, g.launch.user_id, g.launch.role)))


@bp.route("/me/acknowledgements", methods=["POST"])
def acknowledge():
    """Acknowledge the current version of my code (the check's answers included)."""
    try:
        data = _acknowledge_in.load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    launch = g.launch
    actor = operations.Actor(launch.school_id, launch.user_id, launch.role, launch.course_id)
    try:
        ack, version = operations.acknowledge(actor, data["version_id"], data["answers"], data["locale"])
    except operations.CheckFailed as failed:
        return jsonify({"error": failed.code, "message": failed.message, "wrong_questions": failed.wrong,
                        "rules": failed.rules}), failed.status
    return jsonify({**_new_acknowledgement_out.dump(ack), "version": version.number}), 201


_errors = {"400": {"description": "invalid input"}, "401": {"description": "no launch token"}}
document("/me/code", {"get": {"summary": "My current code", "responses": {
    "200": {"content": {"application/json": {"schema": "Version"}}}, "404": {"description": "none published"},
    **_errors}}}, {"Version": VersionOut})
document("/me/status", {"get": {"summary": "My status", "responses": {
    "200": {"content": {"application/json": {"schema": "Status"}}}, **_errors}}}, {"Status": StatusOut})
document("/me/acknowledgements", {"post": {
    "summary": "Acknowledge my current code",
    "requestBody": {"required": True, "content": {"application/json": {"schema": "Acknowledge"}}},
    "responses": {"201": {"content": {"application/json": {"schema": "Acknowledgement"}}},
                  "404": {"description": "no such version of the code at this school"},
                  "409": {"description": "not the current version, or already acknowledged"},
                  "422": {"description": "a wrong answer in the check"}, **_errors}}},
    {"Acknowledge": AcknowledgeSchema, "Acknowledgement": AcknowledgementOut})
