"""A link added to a course without choosing content: its teacher says once what it is for.

The page sits beside the start page (home's blueprint, /link); it lives here, with the launch it
answers, because home sits below the launch (docs/architecture.md)."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..home.views import bp  # the start page's blueprint: /link beside /
from ..security import SCHOOL_ADMIN, STAFF, roles_required
from . import operations as lti
from .models import LinkPurpose
from .queries import UNSET, purpose_of
from .schemas import LinkPurposeSchema


@bp.route("/link", methods=["GET"])
@roles_required(STAFF, SCHOOL_ADMIN)
def link_purpose():
    """Ask what the launched link is for (also to change an earlier answer)."""
    return render_template("home/link_purpose.html", chosen=_chosen(), errors={})


@bp.route("/link", methods=["POST"])
@roles_required(STAFF, SCHOOL_ADMIN)
def choose_link_purpose():
    """Store the answer for everyone who opens the link, then open the link as it now is."""
    try:
        data = LinkPurposeSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return render_template("home/link_purpose.html", chosen=None, errors=exc.messages), 400
    lti.choose_link_purpose(g.launch, data["purpose"], g.launch.user_id)
    flash(_("Saved: this link opens the code of conduct.") if data["purpose"] == LinkPurpose.CODE
          else _("Saved: this link opens the report form."))
    return redirect(url_for("home.index"), 303)


def _chosen() -> str | None:
    purpose = purpose_of(g.launch)
    return None if purpose in (None, UNSET) else purpose
