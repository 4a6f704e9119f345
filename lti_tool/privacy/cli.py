"""`lti-tool privacy`: the leaver purge by hand; counts only, never a name."""
import click
from flask.cli import with_appcontext

from . import leavers


@click.group("privacy")
def privacy():
    """Anonymise leavers (people their school has not seen for its term)."""


@privacy.command("leavers")
@click.option("--dry-run", is_flag=True, help="Only count who would be anonymised.")
@click.option("--school", "school_ids", type=int, multiple=True, help="Only this school (its id); repeatable.")
@with_appcontext
def leavers_command(dry_run, school_ids):
    """Anonymise every school's leavers now, as the nightly task does."""
    result = leavers.anonymise_due(dry_run=dry_run, school_ids=list(school_ids) or None)
    for school_id, counts in result.schools.items():
        click.echo(f"school {school_id}: {counts.pupils} pupil(s), {counts.staff} staff, "
                   f"{counts.held} held by an open case or legal hold")
    verb = "would be anonymised" if dry_run else "anonymised"
    click.echo(f"{result.anonymised} person(s) {verb}; {result.held} held.")
