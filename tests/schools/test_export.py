"""`lti-tool schools export`: a leaving school takes its data along in one zip; report contents only
when asked explicitly, with a warning and a line in the school's audit log; nothing of another school,
and nothing that unmasks a pseudonymous reporter."""
import csv
import io
import json
import os
import zipfile

from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from lti_tool.extensions import db
from lti_tool.schools.exporters import SET_ASIDE
from tests.schools.conftest import NOTE, STUDENT_SAYS, fill_school


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def _audit(db_session, school_id) -> list[str]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent.action).where(AuditEvent.school_id == school_id)))


def test_the_archive_holds_the_schools_people_codes_acknowledgements_and_case_summaries(
        app, tool_url, cli, db_session, leaving, lms, tmp_path):
    made = fill_school(app, tool_url, leaving)
    fill_school(app, tool_url, lms)  # a school next door, whose people must not appear
    out = tmp_path / "school.zip"
    result = cli("schools", "export", "--school", leaving.school_name, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"manifest.json", "people.csv", "courses.csv", "codes.json", "acknowledgements.csv",
                "case_summaries.csv", "audit_events.csv"} <= names
        assert "report_contents.json" not in names
        people = {row["name"] for row in _rows(archive, "people.csv")}
        assert {"Sanne de Vries", "Mark Bakker"} <= people
        codes = json.loads(archive.read("codes.json"))
        assert {code["audience"] for code in codes} == {"student", "staff"}
        assert all(code["versions"][0]["content"]["title"]["nl"] for code in codes)
        acks = _rows(archive, "acknowledgements.csv")
        assert {(a["name"], a["audience"], a["version"]) for a in acks} == {
            ("Sanne de Vries", "student", "1"), ("Mark Bakker", "staff", "1")}
        cases = _rows(archive, "case_summaries.csv")
        assert {int(c["case_id"]) for c in cases} == {made["named"], made["pseudonymous"]}
        assert all(len(c["reported_on"]) == 10 for c in cases)  # a date, never a time of day
        everything = _everything(archive)
        manifest = json.loads(archive.read("manifest.json"))
    # nothing of a report's content, nor anything that could point at its reporter
    for secret in (STUDENT_SAYS, NOTE, "Het staat nog steeds online.", made["pseudonym"], made["reference"]):
        assert secret not in everything
    # nothing of the school next door
    assert lms.issuer not in everything and str(lms.school_id) != manifest["school"]["id"]
    assert manifest["school"]["name"] == leaving.school_name and manifest["report_contents"] == "not included"
    assert set(manifest["left_out"]) == set(SET_ASIDE)
    assert "school_exported" in _audit(db_session, leaving.school_id)


def test_report_contents_only_with_the_flag_which_warns_and_is_audited(
        app, tool_url, cli, db_session, leaving, tmp_path):
    made = fill_school(app, tool_url, leaving)
    out = tmp_path / "with-contents.zip"
    result = cli("schools", "export", "--school", leaving.school_name, "--out", str(out), "--with-report-contents")
    assert result.exit_code == 0, result.output
    assert "Warning: this archive will hold the contents of reports" in result.output
    assert "school_exported_with_contents" in _audit(db_session, leaving.school_id)
    with zipfile.ZipFile(out) as archive:
        contents = {c["case_id"]: c for c in json.loads(archive.read("report_contents.json"))}
    named, hidden = contents[made["named"]], contents[made["pseudonymous"]]
    assert named["details"]["what_happened"] == STUDENT_SAYS and named["reporter"] == "Sanne de Vries"
    assert hidden["reporter"] is None  # a pseudonymous reporter stays unknown, even to the archive
    assert made["pseudonym"] not in json.dumps(hidden, ensure_ascii=False)
    assert [n["text"] for n in hidden["notes"]] == [NOTE]
    assert [m["from"] for m in hidden["messages"]] == ["reporter", "coordinator"]


def test_an_existing_file_is_never_overwritten(app, cli, db_session, leaving, tmp_path):
    out = tmp_path / "taken.zip"
    out.write_bytes(b"someone else's file")
    result = cli("schools", "export", "--school", leaving.school_name, "--out", str(out))
    assert result.exit_code == 1 and "exists already" in result.output
    assert out.read_bytes() == b"someone else's file"
    assert "school_exported" not in _audit(db_session, leaving.school_id)
    assert [p.name for p in tmp_path.iterdir()] == ["taken.zip"]  # no half-written file left behind


def test_an_unknown_school_or_an_unwritable_place_is_a_clear_error(cli, db_session, leaving, tmp_path):
    unknown = cli("schools", "export", "--school", "No Such School", "--out", str(tmp_path / "x.zip"))
    assert unknown.exit_code == 1 and "No school named 'No Such School'." in unknown.output
    assert not (tmp_path / "x.zip").exists()
    nowhere = cli("schools", "export", "--school", leaving.school_name, "--out", str(tmp_path / "missing" / "x.zip"))
    assert nowhere.exit_code == 1 and "Cannot write the archive" in nowhere.output
    assert "Traceback" not in nowhere.output and "school_exported" not in _audit(db_session, leaving.school_id)


def test_every_table_set_aside_exists_and_a_new_schools_table_is_exported_without_an_exporter(app):
    from lti_tool.schools.exporters import every_exporter
    with app.app_context():
        tables = db.metadata.tables
        assert set(SET_ASIDE) <= set(tables)
        covered = {name for exporter in every_exporter() for name in exporter.tables}
        school_tables = {name for name, table in tables.items() if "school_id" in table.columns}
        assert school_tables <= covered | set(SET_ASIDE)
