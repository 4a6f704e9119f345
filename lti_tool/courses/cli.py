"""`lti-tool schools`: list the schools, and grant or take back the roles a school gives, as its admin would."""
import click
from flask.cli import with_appcontext

from ..cli_support import table, transaction
from ..platforms import operations as platforms
from ..security import SCHOOL_ADMIN
from . import grants, queries

ROLE = click.Choice(grants.GRANTABLE)


@click.group()
def schools():
    """The schools (tenants): who they are, and the roles they grant (part of `lti-tool schools`,
    schools/cli.py, which adds a school's export and deletion)."""


@schools.command("list")
@with_appcontext
def schools_list():
    """Every school with its platform deployments and how many people the tool knows there."""
    counts = queries.member_counts()
    deployments = platforms.deployments_by_school()
    rows = []
    for school in platforms.list_schools():
        c = counts.get(school.id, {})
        where = ", ".join(f"{d.platform_id}/{d.deployment_id}" for d in deployments.get(school.id, [])) or "-"
        rows.append([school.id, school.name, where, c.get("pupils", 0), c.get("staff", 0), c.get("admins", 0),
                     c.get("coordinators", 0)])
    if not rows:
        click.echo("No schools yet.")
        return
    table(["ID", "NAME", "PLATFORM/DEPLOYMENTS", "PUPILS", "STAFF", "SCHOOL ADMINS", "COORDINATORS"], rows)


def _change(school: str, user: str, role: str, granted: bool) -> None:
    with transaction():
        member = queries.member_by_reference(platforms.get_school(school).id, user)
        changed = grants.change(None, member, role, granted)
        name, school_name = member.user.display_name, member.school.name
    word = "school admin" if role == SCHOOL_ADMIN else role
    if not changed:
        click.echo(f"Nothing to change: {name} {'already is' if granted else 'is not'} {word} at {school_name}.")
    else:
        click.echo(f"{name} {'is now' if granted else 'is no longer'} {word} at {school_name} "
                   "(from their next request).")


def _who(command):
    """The school, the person and the role a grant or revocation names."""
    for option in (click.option("--role", required=True, type=ROLE),
                   click.option("--user", required=True, help="The person's LMS user id or e-mail address."),
                   click.option("--school", required=True,
                                help="The school's id or exact name (see `lti-tool schools list`).")):
        command = option(command)
    return with_appcontext(command)


@schools.command("grant")
@_who
def schools_grant(school, user, role):
    """Make a staff member of the school school admin or coordinator."""
    _change(school, user, role, True)


@schools.command("revoke")
@_who
def schools_revoke(school, user, role):
    """Take back a role the school granted (the LMS's administrators stay school admins)."""
    _change(school, user, role, False)
