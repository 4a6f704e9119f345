"""`lti-tool outbox`: what an administrator sees of the scores on their way, and can do about them."""
import pytest
from sqlalchemy import update

from lti_tool.cli import main
from lti_tool.gradebook import operations
from lti_tool.gradebook.models import ScoreDelivery
from tests.gradebook.conftest import launch, placement_of, rows_for, user_of


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args))


def test_status_deliver_and_retry(cli, browser, gb_lms, link, db_session):
    launch(browser, gb_lms, "teacher", link)
    launch(browser, gb_lms, "student4", link)
    placement = placement_of(db_session, gb_lms, link)
    student = user_of(db_session, gb_lms, "student4")
    operations.enqueue(gb_lms.school_id, [(placement.id, student.id)], operations.ACKNOWLEDGED)
    db_session.commit()
    status = cli("outbox", "status")
    assert status.exit_code == 0, status.output
    assert "pending" in status.output and "oldest pending queued" in status.output

    gb_lms.fail_rate = 1.0
    failed = cli("outbox", "deliver", "--once")
    assert failed.exit_code == 0, failed.output
    assert "to retry" in failed.output and "503" in failed.output
    assert "503" in cli("outbox", "status").output

    gb_lms.fail_rate = 0.0
    db_session.execute(update(ScoreDelivery).where(ScoreDelivery.placement_id == placement.id)
                       .values(status="failed"))
    db_session.commit()
    retried = cli("outbox", "retry")
    assert retried.exit_code == 0 and "queued again" in retried.output
    delivered = cli("outbox", "deliver", "--once")
    assert delivered.exit_code == 0, delivered.output
    row, = rows_for(db_session, placement)
    assert row.status == "delivered" and row.attempts == 1
    assert gb_lms.scores[placement_of(db_session, gb_lms, link).lineitem_url.rsplit("/", 1)[1]][
        gb_lms.users["student4"].sub]["scoreGiven"] == 1
