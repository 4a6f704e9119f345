"""The change-note migration: published versions keep their text and get no note; a downgrade drops
only the note, on SQLite and PostgreSQL."""
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.support.migrations import empty_database, migrating

BEFORE, AFTER = "20261206_0007", "20261207_0106"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
CONTENT = {"title": {"nl": "Gedragscode", "en": ""}, "rules": []}


@pytest.fixture
def fresh_url(database_url, tmp_path):
    with empty_database(database_url, tmp_path, "vo_note_") as url:
        yield url


def _columns(engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("conduct_versions")}


def test_versions_get_an_empty_note_and_keep_their_text_both_ways(fresh_url, lti_config_path):
    from flask_migrate import downgrade, upgrade
    with migrating(fresh_url, lti_config_path) as directory:
        upgrade(directory=directory, revision=BEFORE)
        engine = create_engine(fresh_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'Lyceum', :at)"), {"at": AT})
            conn.execute(text("INSERT INTO conduct_codes (id, school_id, audience, created_at)"
                              " VALUES (1, 1, 'student', :at)"), {"at": AT})
            conn.execute(text("INSERT INTO conduct_versions (id, school_id, code_id, number, status, change, epoch,"
                              " content, published_at, updated_at, created_at) VALUES (1, 1, 1, 1, 'published',"
                              " 'major', 1, :content, :at, :at, :at)"), {"at": AT, "content": json.dumps(CONTENT)})
        upgrade(directory=directory, revision=AFTER)
        assert "change_note" in _columns(engine)
        with engine.begin() as conn:
            row = conn.execute(text("SELECT status, content, change_note FROM conduct_versions WHERE id = 1")).one()
            assert row.status == "published" and row.change_note is None
            content = row.content if isinstance(row.content, dict) else json.loads(row.content)
            assert content == CONTENT
            conn.execute(text("UPDATE conduct_versions SET change_note = :note WHERE id = 1"),
                         {"note": json.dumps({"nl": "Nieuw", "en": ""})})
        downgrade(directory=directory, revision=BEFORE)
        assert "change_note" not in _columns(engine)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT number FROM conduct_versions WHERE id = 1")).scalar() == 1
        upgrade(directory=directory, revision="heads")
        engine.dispose()
