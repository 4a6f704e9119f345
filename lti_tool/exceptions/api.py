"""The phone-exception API: the register, granting, changing and ending, and a pupil's own. Same operations as the pages."""
from flask import g, jsonify, request
from marshmallow import ValidationError

from ..api import bp, json_object
from ..api.spec import document
from ..errors import ValidationFailed
from ..imagesafe import refuse_files
from ..security import launched
from . import access, operations, queries
from .schemas import ExceptionIn, ExceptionOut, MineOut, RegisterFilter, RegisterOut


def _data(row) -> dict:
    """An exception as the register shows it, before dumping."""
    return {
        "id": row.id, "pupil_id": row.pupil_id, "pupil_name": row.pupil.display_name, "kind": row.kind,
        "course_id": row.course_id, "course_title": (row.course.title or row.course.label) if row.course else None,
        "starts_on": row.starts_on, "ends_on": row.ends_on, "note": row.note, "state": row.state(queries.today()),
        "granted_by": row.granted_by.display_name if row.granted_by else None, "granted_at": row.granted_at,
        "ended_at": row.ended_at}


def _out(row) -> dict:
    return ExceptionOut().dump(_data(row))


def _actor() -> operations.Actor:
    return operations.Actor(g.launch.school_id, g.launch.user_id)


def _body() -> dict:
    refuse_files(request.files)
    return json_object()


@bp.route("/phone-exceptions")
@access.readers_only
def phone_exceptions():
    """The school's register: holding and coming (show=current), or ended and expired (show=past)."""
    try:
        show = RegisterFilter().load(request.args.to_dict())["show"]
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    return jsonify(RegisterOut().dump({"exceptions": [_data(row) for row in queries.register(g.launch.school_id, show)]}))


@bp.route("/phone-exceptions", methods=["POST"])
@access.granters_only
def grant_phone_exception():
    row = operations.grant(_actor(), operations.load(_body()))
    return jsonify(_out(row)), 201


@bp.route("/phone-exceptions/<int:exception_id>")
@access.readers_only
def phone_exception(exception_id: int):
    return jsonify(_out(queries.exception(g.launch.school_id, exception_id)))


@bp.route("/phone-exceptions/<int:exception_id>", methods=["PUT"])
@access.granters_only
def change_phone_exception(exception_id: int):
    row = queries.exception(g.launch.school_id, exception_id)
    operations.change(_actor(), row, operations.load(_body(), kept_start=row.starts_on))
    return jsonify(_out(row))


@bp.route("/phone-exceptions/<int:exception_id>/end", methods=["POST"])
@access.granters_only
def end_phone_exception(exception_id: int):
    row = queries.exception(g.launch.school_id, exception_id)
    return jsonify(_out(operations.end(_actor(), row)))


@bp.route("/me/phone-exceptions")
@launched
def my_phone_exceptions():
    """The launched pupil's own exceptions that hold or are coming (none for staff)."""
    rows = queries.own(g.launch.school_id, g.launch.user_id)
    return jsonify(MineOut().dump({"exceptions": rows}))


_id = [{"in": "path", "name": "exception_id", "required": True, "schema": {"type": "integer"}}]
_readers = {"401": {"description": "no launch token"},
            "403": {"description": "not a school admin, coordinator or granter at this school"}}
_granters = {"401": {"description": "no launch token"},
             "403": {"description": "the school does not let this role grant exceptions"}}
_bad = {"400": {"description": "a field is not valid: the errors name each field"},
        "422": {"description": "the note held a picture or file"}}
_missing = {"404": {"description": "no such exception at this school"}}
_open = {"409": {"description": "the exception was ended or has expired"}}
_one = {"content": {"application/json": {"schema": "PhoneException"}}}
_body_doc = {"required": True, "content": {"application/json": {"schema": "PhoneExceptionIn"}}}
document("/phone-exceptions", {
    "get": {"summary": "The school's phone exceptions", "parameters": [{"in": "query", "schema": RegisterFilter}],
            "responses": {"200": {"content": {"application/json": {"schema": "PhoneExceptionRegister"}}},
                          "400": {"description": "show is not current or past"}, **_readers}},
    "post": {"summary": "Grant a phone exception", "requestBody": _body_doc,
             "responses": {"201": _one, **_bad, **_granters}}},
    {"PhoneException": ExceptionOut, "PhoneExceptionIn": ExceptionIn, "PhoneExceptionRegister": RegisterOut})
document("/phone-exceptions/{exception_id}", {
    "get": {"summary": "One phone exception", "parameters": _id, "responses": {"200": _one, **_readers, **_missing}},
    "put": {"summary": "Change a phone exception", "parameters": _id, "requestBody": _body_doc,
            "responses": {"200": _one, **_bad, **_granters, **_missing, **_open}}})
document("/phone-exceptions/{exception_id}/end", {"post": {
    "summary": "End a phone exception now (it stays in the register)", "parameters": _id,
    "responses": {"200": _one, **_granters, **_missing, **_open}}})
document("/me/phone-exceptions", {"get": {
    "summary": "My phone exceptions that hold or are coming",
    "responses": {"200": {"content": {"application/json": {"schema": "MyPhoneExceptions"}}},
                  "401": {"description": "no launch token"}}}}, {"MyPhoneExceptions": MineOut})
