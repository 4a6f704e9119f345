"""`lti-tool deployments`: the schools on a registration (one LMS registration often serves a whole board)."""
import click
from flask.cli import with_appcontext

from ..cli_support import table, transaction
from ..errors import ValidationFailed
from . import operations


def _platform(platform_id: int | None, issuer: str | None, client_id: str | None):
    """The registration named by its id, or by issuer and client id."""
    if platform_id is not None:
        return operations.get_platform(platform_id)
    if not (issuer and client_id):
        raise ValidationFailed({"platform": ["give --platform, or --issuer with --client-id"]},
                               "Which platform? (see `lti-tool platforms list`)")
    platform = operations.find_platform(issuer, client_id)
    if platform is None:
        raise ValidationFailed({"issuer": [f"no platform {issuer} with client id {client_id}"]},
                               "Register the platform first with `lti-tool platforms add`.")
    return platform


_which = [
    click.option("--platform", "platform_id", type=int, default=None, help="The platform's id (`lti-tool platforms list`)."),
    click.option("--issuer", default=None, help="Or: the platform's issuer ..."),
    click.option("--client-id", default=None, help="... and the tool's client id there."),
    click.option("--deployment-id", required=True, help="The deployment id the LMS sends for this school."),
]


def which(command):
    for option in reversed(_which):
        command = option(command)
    return command


@click.group()
def deployments():
    """Add, list and remove deployments (schools) of a registered platform."""


@deployments.command("add")
@which
@click.option("--school", required=True, help="The school (tenant) whose launches come through this deployment.")
@with_appcontext
def deployments_add(platform_id, issuer, client_id, deployment_id, school):
    """Add a school's deployment to a known platform, or name the school of a pending one."""
    school = school.strip()
    if not 0 < len(school) <= 200 or not 0 < len(deployment_id) <= 255:
        raise click.UsageError("--school needs 1 to 200 characters, --deployment-id 1 to 255.")
    with transaction():
        platform = _platform(platform_id, issuer, client_id)
        deployment = operations.add_deployment(platform, deployment_id, school)
        said = f"Deployment {deployment.deployment_id} of platform {platform.id} ({platform.issuer}) belongs to {school}."
    click.echo(said)


@deployments.command("remove")
@which
@with_appcontext
def deployments_remove(platform_id, issuer, client_id, deployment_id):
    """Remove a deployment: its launches are refused from now on; the school's data stays."""
    with transaction():
        platform = _platform(platform_id, issuer, client_id)
        operations.remove_deployment(platform, deployment_id)
        platform_id = platform.id
    click.echo(f"Removed deployment {deployment_id} of platform {platform_id}.")


@deployments.command("list")
@click.option("--pending", is_flag=True, help="Only the deployments still waiting for their school.")
@with_appcontext
def deployments_list(pending):
    """Every deployment with its platform and school (or: pending)."""
    rows = [[d.platform_id, d.platform.issuer, d.platform.client_id, d.deployment_id,
             d.school.name if d.school else "pending: no school yet"]
            for d in operations.list_deployments(pending_only=pending)]
    if not rows:
        click.echo("No deployments.")
        return
    table(["PLATFORM", "ISSUER", "CLIENT ID", "DEPLOYMENT", "SCHOOL"], rows)
