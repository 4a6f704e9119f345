"""Deep linking: the content items a teacher can place, signed with the tool's key."""
from flask import url_for
from flask_babel import gettext as _
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from ..errors import AppError
from ..security import require_launch
from .operations import tool_conf


def require_deep_link_launch():
    launch = require_launch()
    if launch.message_type != "LtiDeepLinkingRequest" or not launch.claims.get("deep_linking_settings"):
        raise AppError(_("This page is only for adding the tool to a course from the LMS."), status=400)
    return launch


def _resources(items: list[str]) -> list[DeepLinkResource]:
    """The chosen items. The code alone is the safe default: every launch offers reporting, and the
    LMS logs only that the tool was opened. A separate report activity stays possible (the picker
    warns that its opening shows in the LMS logs with the student's name)."""
    resources = []
    if "code" in items:
        resources.append(
            DeepLinkResource().set_url(url_for("home.index", _external=True, _public=True))
            .set_title(_("Code of conduct")).set_custom_params({"placement": "code"})
            .set_lineitem(_line_item()))
    if "report" in items:
        resources.append(
            DeepLinkResource().set_url(url_for("home.index", _external=True, _public=True))
            .set_title(_("Report an incident")).set_custom_params({"placement": "report"}))
    return resources


def _line_item() -> LineItem:
    return (LineItem().set_tag("veilig-online-code").set_score_maximum(1)
            .set_label(_("Code of conduct")).set_resource_id("veilig-online-code"))


def response_for(launch, items: list[str]) -> tuple[str, str]:
    """Return (deep_link_return_url, signed JWT) for the chosen items."""
    registration = tool_conf().find_registration_by_params(launch.platform.issuer,
                                                           launch.platform.client_id)
    if registration is None:
        raise AppError(_("This LMS registration is no longer active."), status=400)
    settings = launch.claims["deep_linking_settings"]
    deep_link = DeepLink(registration, launch.deployment_id, settings)
    resources = _resources(items)
    if not settings.get("accept_multiple", True):
        resources = resources[:1]
    return settings["deep_link_return_url"], deep_link.get_response_jwt(resources)
