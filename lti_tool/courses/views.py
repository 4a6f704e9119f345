"""School pages: the school admin designates coordinators."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..errors import ValidationFailed
from ..security import SCHOOL_ADMIN, roles_required
from . import operations, queries
from .schemas import CoordinatorChangeSchema

bp = Blueprint("school", __name__, url_prefix="/school")


@bp.route("/coordinators", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def coordinators():
    """List the school's staff and coordinators."""
    members = queries.school_members(g.launch.school_id)
    return render_template("courses/coordinators.html", members=members)


@bp.route("/coordinators", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def change_coordinator():
    """Designate or undesignate one member of the school as coordinator."""
    try:
        data = CoordinatorChangeSchema().load(request.form.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    member = queries.school_member(g.launch.school_id, data["member_id"])
    operations.set_coordinator(g.member, member, data["is_coordinator"])
    flash(_("%(name)s is now a coordinator.", name=member.user.display_name) if data["is_coordinator"]
          else _("%(name)s is no longer a coordinator.", name=member.user.display_name))
    return redirect(url_for("school.coordinators"))
