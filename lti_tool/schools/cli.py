"""`lti-tool schools`: list the schools, export one school's data, delete a school that leaves."""
import logging

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..cli_support import CheckedGroup, table
from ..extensions import db
from ..platforms.models import Deployment, School
from .queries import SchoolNotFound, find_school

log = logging.getLogger(__name__)


@click.group(cls=CheckedGroup)
def schools():
    """The schools (tenants): list them, grant their roles, export one's data, delete one that leaves.

    (list, grant and revoke come from courses/cli.py; lti_tool/cli.py puts them here.)
    """


def _school(name: str) -> School:
    try:
        return find_school(name)
    except SchoolNotFound as exc:
        raise click.ClickException(str(exc))


@schools.command("export")
@click.option("--school", required=True, help="The school's name (or id).")
@click.option("--out", "path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The zip file to write; it must not exist yet.")
@click.option("--with-report-contents", is_flag=True,
              help="Also unseal the reports' details, messages and notes into the archive (audited).")
@with_appcontext
def schools_export(school, path, with_report_contents):
    """Write one zip of a school's data: people, courses, codes, acknowledgements, case summaries."""
    from .archive import export_school
    found = _school(school)
    if with_report_contents:
        click.secho("Warning: this archive will hold the contents of reports about pupils, and the names of "
                    "reporters who chose to be named. The export is recorded in the school's audit log. "
                    "Keep the file encrypted, hand it only to the school's coordinator, then delete it.",
                    fg="yellow", err=True)
    try:
        archive = export_school(found, path, with_report_contents=with_report_contents)
    except OSError as exc:
        db.session.rollback()
        raise click.ClickException(f"Cannot write the archive: {exc.strerror or exc}")
    db.session.commit()
    log.warning("school %s exported%s", found.id, " with report contents" if with_report_contents else "")
    table(["FILE", "RECORDS"], [[name, count] for name, count in archive.counts.items()]
          + ([["report_contents.json", archive.report_contents]] if with_report_contents else []))
    click.echo(f"Wrote {path} for {found.name}.")


@schools.command("delete")
@click.option("--school", required=True, help="The school's name (or id).")
@click.option("--yes", is_flag=True, help="Do not ask to type the school's name.")
@with_appcontext
def schools_delete(school, yes):
    """Remove every row of a school (export it first); refused while a case is under a legal hold."""
    from .erasure import SchoolOnHold, erase_school
    found = _school(school)
    name, school_id = found.name, found.id
    if not yes:
        click.echo(f"This removes {name} (id {school_id}) with all its people, codes, acknowledgements and "
                   "reports, for good. Export it first (`lti-tool schools export`).")
        typed = click.prompt("Type the school's name to confirm", default="", show_default=False)
        if typed.strip() != name:
            raise click.ClickException("The name did not match: nothing was removed.")
    try:
        removed = erase_school(school_id)
    except SchoolOnHold as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    log.warning("school %s deleted: %s rows", school_id, sum(removed.values()))
    table(["TABLE", "ROWS REMOVED"], sorted([name_, count] for name_, count in removed.items()))
    click.echo(f"Removed {name}.")
