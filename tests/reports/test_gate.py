"""A report never waits for the code of conduct: the report placement opens the form even before acknowledging."""
import pytest

from tests.support.pages import launch, publish_defaults


@pytest.fixture(scope="module")
def codes(app, school_lms):
    return publish_defaults(app, school_lms.school_id)


def test_the_report_links_stay_open_while_the_code_waits(browser, school_lms, codes):
    page, token = launch(browser, school_lms, "student", locale="en")
    assert "/code?" in page.url, "the gate asks for the code first on the ordinary link"
    for path in ("/reports/new", "/reports/mine"):
        assert browser.get(f"{path}", token=token).status_code == 200, path
    assert "/reports/new?" in page.text, "the code page itself links to reporting"


def test_the_report_placement_opens_the_form_before_the_code_is_acknowledged(browser, school_lms, codes):
    page, _ = launch(browser, school_lms, "student2", link="report", locale="en")
    assert "/reports/new" in page.url, page.url
