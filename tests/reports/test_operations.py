"""The operations the coordinators' side calls: a report entered by hand, and a coordinator's message."""
import pytest
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from lti_tool.errors import ValidationFailed
from lti_tool.reports import operations, queries
from lti_tool.imagesafe import ImagesRefused
from lti_tool.reports.models import ReportMessage


def _entry(**extra):
    data = {"category": "threats", "what_happened": "A parent phoned: threats in a group chat.",
            "platform": "WhatsApp", "spreading_now": False, "identity": "pseudonymous"}
    data.update(extra)
    return data


def test_a_report_entered_by_a_coordinator_has_no_reporter_and_names_who_entered_it(app, school_lms):
    with app.app_context():
        from lti_tool.extensions import db
        report = operations.create_report(school_lms.school_id, _entry(), reporter_user_id=None,
                                          source="phone", entered_by_id=None)
        assert report.reference.startswith("VO-") and report.source == "phone" and report.urgent
        assert report.reporter_user_id is None and report.reporter_lookup is None and report.reporter_link is None
        assert queries.details(report)["platform"] == "WhatsApp"
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.report_id == report.id)).all()
        assert [e.action for e in events] == ["report_created"]
        message = operations.post_message(report, ReportMessage.COORDINATOR, "Noted, we call back.", None)
        assert message.read_by_school_at is not None and message.read_by_reporter_at is None
        assert queries.message_body(message) == "Noted, we call back."
        db.session.rollback()


@pytest.mark.parametrize("data, error", [
    (_entry(what_happened="<img src=x>"), ImagesRefused),
    (_entry(category="nope"), ValidationFailed),
    (_entry(link="javascript:alert(1)"), ValidationFailed),
])
def test_create_report_applies_the_same_checks_to_every_way_a_report_arrives(app, school_lms, data, error):
    with app.app_context():
        from lti_tool.extensions import db
        with pytest.raises(error):
            operations.create_report(school_lms.school_id, data, reporter_user_id=None, source="in_person")
        db.session.rollback()


def test_post_message_refuses_images_and_empty_text(app, school_lms):
    with app.app_context():
        from lti_tool.extensions import db
        report = operations.create_report(school_lms.school_id, _entry(), reporter_user_id=None, source="email")
        with pytest.raises(ImagesRefused):
            operations.post_message(report, ReportMessage.COORDINATOR, "data:image/png;base64,iVBORw0KGgo=", None)
        with pytest.raises(ValidationFailed):
            operations.post_message(report, ReportMessage.REPORTER, "   ")
        db.session.rollback()
