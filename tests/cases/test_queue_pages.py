"""Paging through a long queue: keyset pages along the index, nothing twice, nothing lost."""
from datetime import timedelta
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from sqlalchemy import insert

from lti_tool import sealing
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.reports.models import Report
from tests.cases.conftest import coordinator_token


def _bulk(app, school_id: int, count: int) -> list[str]:
    """count cases, many created in the very same microsecond (ties are broken by id)."""
    now = utcnow()
    with app.app_context():
        blob = sealing.seal({"what_happened": "x"}, school_id, "report.details")
        prefix = f"VO-P{school_id % 1000:03d}"
        rows = [{"school_id": school_id, "reference": f"{prefix}-{n:04d}", "category": "other",
                 "source": "tool", "urgent": n % 7 == 0, "spreading_now": False, "identity": "pseudonymous",
                 "pseudonym": f"R{n}", "details": blob, "status": ("new", "acknowledged", "in_progress")[n % 3],
                 "staff_suspect": False, "not_genuine": False, "legal_hold": False,
                 "created_at": now - timedelta(hours=n // 5), "updated_at": now} for n in range(count)]
        db.session.execute(insert(Report), rows)
        db.session.commit()
    return [row["reference"] for row in rows]


def test_every_case_appears_once_across_pages_in_queue_order(browser, app, db_session, school_lms):
    token = coordinator_token(browser, db_session, school_lms)
    made = _bulk(app, school_lms.school_id, 83)
    seen, url, pages = [], "/cases", 0
    while url:
        page = browser.get(url, token=token)
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        seen += [a.text.strip() for a in soup.select("a.ref")]
        pages += 1
        following = soup.select_one("a[rel=next]")
        url = urljoin(page.url, following["href"]) if following else None
    assert pages == 4
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    with app.app_context():
        from sqlalchemy import select
        got = {r.reference: r for r in db.session.scalars(select(Report).where(Report.reference.in_(seen)))}
        keys = [(not got[ref].urgent, got[ref].created_at, got[ref].id) for ref in seen]
    assert keys == sorted(keys), "urgent first, then oldest, then by id"


def test_the_api_pages_with_the_same_cursor(tool_url, browser, app, db_session, school_lms):
    import requests
    token = coordinator_token(browser, db_session, school_lms)
    seen, after = [], None
    while True:
        params = {"limit": 30, **({"after": after} if after else {})}
        body = requests.get(f"{tool_url}/api/v1/cases", params=params, headers={"X-Launch-Token": token},
                            timeout=30).json()
        seen += [c["reference"] for c in body["cases"]]
        after = body["next"]
        if not after:
            break
    assert len(seen) == len(set(seen)) and len(seen) >= 83
