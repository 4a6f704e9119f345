"""The privacy API for school admins: the terms in effect, and one person's archive (an access request).

The same operations as the pages. Erasure stays on the page, behind its confirmation.
"""
from dataclasses import asdict

from flask import g, jsonify

from ..api import bp
from ..api.spec import document
from ..db import utcnow
from ..security import SCHOOL_ADMIN, roles_required
from . import archive, catalogue, operations, queries
from .schemas import ArchiveOut, TermsOut


@bp.route("/privacy/terms")
@roles_required(SCHOOL_ADMIN)
def privacy_terms():
    """Every retention term in effect at the launch's school."""
    terms = [asdict(term) for term in catalogue.terms_in_effect(g.launch.school_id)]
    return jsonify(TermsOut().dump({"terms": terms}))


@bp.route("/privacy/people/<int:member_id>")
@roles_required(SCHOOL_ADMIN)
def privacy_person(member_id: int):
    """Everything the tool holds about one person of the school, as the zip's data.json; audited."""
    member = queries.person(g.launch.school_id, member_id)
    sections = operations.export_person(g.launch.user_id, member)
    return jsonify(ArchiveOut().dump(archive.as_json(sections, utcnow())))


_refusals = {"401": {"description": "no launch token"}, "403": {"description": "not a school admin"}}
document("/privacy/terms", {"get": {
    "summary": "The retention terms in effect at the school",
    "responses": {"200": {"content": {"application/json": {"schema": "PrivacyTerms"}}}, **_refusals}}},
    {"PrivacyTerms": TermsOut})
document("/privacy/people/{member_id}", {"get": {
    "summary": "Everything the tool holds about one person (an access request)",
    "description": "Reports made under a pseudonym are never included. Recorded in the audit log.",
    "parameters": [{"in": "path", "name": "member_id", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"content": {"application/json": {"schema": "PrivacyArchive"}}}, **_refusals,
                  "404": {"description": "no such person at this school"}}}},
    {"PrivacyArchive": ArchiveOut})
