"""`lti-tool`: run the tool or its demo, and administer platforms and keys."""
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .boards.cli import boards
from .cli_support import ToolGroup, confirm, table, transaction, yes_option
from .courses import cli as roles_cli
from .extensions import db
from .platforms.cli import deployments
from .privacy.cli import privacy
from .schools.cli import schools
from .tasks.cli import jobs, rounds


def _create_app():
    from . import create_app
    return create_app({"DEMO_MODE": True} if os.environ.get("LTI_TOOL_DEMO") == "1" else None)


@click.group(cls=ToolGroup, create_app=_create_app)
def main():
    """Veilig Online, an LTI 1.3 tool. `lti-tool demo` to try it."""


main.add_command(jobs)
main.add_command(deployments)
for _command in roles_cli.schools.commands.values():  # list, grant, revoke beside export and delete
    schools.add_command(_command)
main.add_command(schools)
main.add_command(boards)
main.add_command(privacy)


@main.command(cls=click.Command)  # migrates its own database: no schema check
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Start from an empty demo database (the built-in SQLite file only).")
def demo(host, port, reset):
    """Run the tool with the built-in demo LMS on SQLite (nothing else needed)."""
    os.environ["LTI_TOOL_DEMO"] = "1"
    from . import create_app
    base_url = f"http://{host}:{port}"
    # The factory mounts the demo LMS, starts its mailbox, migrates the database and installs the demo
    # (after emptying the demo's own SQLite file with --reset).
    try:
        app = create_app({"DEMO_MODE": True, "DEMO_BASE_URL": base_url, "DEMO_INSTALL": True, "DEMO_RESET": reset})
    except ValueError as exc:
        raise click.ClickException(str(exc))
    if reset:
        click.echo(f"  Demo database emptied ({app.extensions['demo_reset']}).")
    click.echo(f"\n  Veilig Online demo: open {base_url}/demo/ in your browser.\n")
    # Not app.run(): Flask ignores it inside a `flask`-style CLI command.
    from werkzeug.serving import run_simple
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.group()
def platforms():
    """Register, list, approve and remove LMS platforms."""


@platforms.command("add")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--token-url", required=True, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--deployment-id", required=True, multiple=True)
@click.option("--school", required=True, help="The school (tenant) the deployment belongs to.")
@click.option("--audience", default=None, help="Token audience, when not the token URL.")
@click.option("--name", default=None)
@with_appcontext
def platforms_add(issuer, client_id, auth_url, token_url, jwks_url, deployment_id, school,
                  audience, name):
    """Register a platform and its deployment(s) for a school; a known issuer and client id gets the deployment(s) added."""
    from .platforms import operations
    from .platforms.schemas import PlatformSchema
    from marshmallow import ValidationError
    try:
        data = PlatformSchema().load({
            "issuer": issuer, "client_id": client_id, "auth_login_url": auth_url,
            "auth_token_url": token_url, "key_set_url": jwks_url, "auth_audience": audience,
            "name": name, "deployment_ids": list(deployment_id), "school": school})
    except ValidationError as exc:
        raise click.UsageError(_format(exc.messages))
    with transaction():
        known = operations.find_platform(data["issuer"], data["client_id"]) is not None
        platform = operations.platform_for_deployments(**{k: data[k] for k in (
            "issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url",
            "auth_audience", "name")})
        for dep in data["deployment_ids"]:
            operations.add_deployment(platform, dep, data["school"])
        platform_id = platform.id
    if known:
        click.echo(f"Platform {platform_id} ({issuer}, {client_id}) was known: added deployment(s) "
                   f"{', '.join(data['deployment_ids'])} for {school}.")
    else:
        click.echo(f"Registered platform {platform_id}: {issuer} ({client_id}) for {school}.")


@platforms.command("list")
@with_appcontext
def platforms_list():
    """List registered platforms with their deployments and schools."""
    from .platforms import operations
    rows = operations.list_platforms()
    if not rows:
        click.echo("No platforms registered.")
        return
    table(["ID", "STATUS", "SOURCE", "ISSUER", "CLIENT ID", "DEPLOYMENTS (→ SCHOOL)"],
          [[p.id, p.status, p.source, p.issuer, p.client_id,
            ", ".join(f"{d.deployment_id} → {d.school.name if d.school else 'pending'}" for d in p.deployments)
            or "none"] for p in rows])


@platforms.command("approve")
@click.argument("platform_id", type=int)
@click.option("--school", default=None, help="The school of its deployments that have none yet.")
@click.option("--deployment", "named", multiple=True, metavar="ID=SCHOOL",
              help="The school of one deployment (repeat for each school on the registration).")
@with_appcontext
def platforms_approve(platform_id, school, named):
    """Approve a pending (dynamically registered) platform, naming the school of each deployment."""
    from .platforms import operations
    schools = {}
    for pair in named:
        deployment_id, sep, name = pair.partition("=")
        if not sep or not deployment_id.strip() or not 0 < len(name.strip()) <= 200:
            raise click.UsageError(f"--deployment {pair!r}: write it as ID=School name.")
        schools[deployment_id.strip()] = name.strip()
    with transaction():
        platform = operations.approve_platform(platform_id, school_name=school, schools=schools)
        waiting = [d.deployment_id for d in platform.deployments if d.school is None]
        issuer = platform.issuer
    click.echo(f"Platform {platform_id} ({issuer}) is active.")
    if waiting:
        click.echo(f"Still waiting for their school (launches refused): deployment(s) {', '.join(waiting)}. "
                   f"Name it with `lti-tool deployments add --platform {platform_id} --deployment-id ID --school …`.")


@platforms.command("remove")
@click.argument("platform_id", type=int)
@yes_option
@with_appcontext
def platforms_remove(platform_id, yes):
    """Remove a platform; its launches are refused from now on."""
    from .errors import AppError
    from .platforms import operations
    try:
        platform = operations.get_platform(platform_id)
        schools = sorted({d.school.name for d in platform.deployments})
        confirm(f"Remove platform {platform.id} ({platform.issuer}, client {platform.client_id}"
                + (f", deployments of {', '.join(schools)}" if schools else "")
                + ")? Its launches will be refused.", yes)
        operations.remove_platform(platform_id)
    except AppError as exc:
        raise click.ClickException(exc.message)
    db.session.commit()
    click.echo(f"Removed platform {platform_id}.")


@main.group()
def keys():
    """The tool's signing keys."""


@keys.command("rotate")
@click.option("--grace-days", type=int, default=None, help="Keep the old key published this long.")
@with_appcontext
def keys_rotate(grace_days):
    """Add a new signing key; the old one stays in the JWKS for the grace period."""
    from .platforms import keys as tool_keys
    tool_keys.active_key()
    key = tool_keys.rotate(grace_days)
    db.session.commit()
    click.echo(f"New signing key {key.kid}.")


@keys.command("list")
@with_appcontext
def keys_list():
    """List the tool's keys and whether they are still published."""
    from .platforms import keys as tool_keys
    tool_keys.active_key()
    table(["KEY ID", "STATE"], [
        [key.kid, "active" if key.retired_at is None else f"retired, published until {key.expires_at:%Y-%m-%d}"]
        for key in tool_keys.published_keys()])


# --- outbox (gradebook scores) ---------------------------------------------------------------------

@main.group()
def outbox():
    """The gradebook outbox: scores on their way to the LMS."""


@outbox.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option("--interval", type=float, default=None, help="Seconds between rounds (default: config).")
@with_appcontext
def outbox_deliver(once, interval):
    """Deliver due scores: an alias of `lti-tool jobs run deliver_scores` that also shows the errors."""
    from .gradebook.delivery import deliver_due
    _rounds(deliver_due, lambda r: (f"{r.delivered} delivered, {r.retrying} to retry, "
                                    f"{r.failed} failed, {r.superseded} superseded."),
            once, interval if interval is not None else current_app.config["GRADEBOOK_POLL_SECONDS"])


def _rounds(job, summary, once: bool, pause: float) -> None:
    """The runner's rounds over an outbox's own function, with its words and its latest errors."""
    def said(result):
        return result.claimed, "\n".join([summary(result)] + [f"  {e}" for e in sorted(set(result.errors))[:5]])
    rounds(job, said, once, lambda: pause)


@outbox.command("status")
@with_appcontext
def outbox_status():
    """Scores per status, the oldest waiting one, and the latest errors."""
    from .gradebook.queries import outbox_status as status
    report = status()
    order = ["pending", "delivered", "failed", "superseded"]
    table(["STATUS", "SCORES"], [[name, report.counts.get(name, 0)]
                                 for name in order + sorted(set(report.counts) - set(order))])
    if report.oldest_pending:
        click.echo(f"oldest pending queued {report.oldest_pending:%Y-%m-%d %H:%M:%S} UTC, "
                   f"next attempt {report.next_due:%Y-%m-%d %H:%M:%S} UTC")
    if report.without_line_item:
        click.echo(f"placements still without a line item: {report.without_line_item}")
    for row in report.recent_errors:
        click.echo(f"#{row.id} {row.status} after {row.attempts} attempt(s): {row.last_error}")


@outbox.command("retry")
@with_appcontext
def outbox_retry():
    """Queue failed scores again (after an LMS or registration problem was fixed)."""
    from sqlalchemy import update
    from .db import utcnow
    from .gradebook.models import ScoreDelivery
    result = db.session.execute(update(ScoreDelivery).where(ScoreDelivery.status == ScoreDelivery.FAILED)
                                .values(status=ScoreDelivery.PENDING, attempts=0, next_attempt_at=utcnow()))
    db.session.commit()
    click.echo(f"{result.rowcount} failed score(s) queued again.")


# --- case handling: data keys, retention, mail -----------------------------------------------------

@keys.command("rotate-data")
@click.option("--batch-size", type=int, default=500, show_default=True)
@with_appcontext
def keys_rotate_data(batch_size):
    """Re-seal every report, message and note under the first key of DATA_KEYS; renew reporter lookups."""
    from .cases.rotation import rotate_data
    from .sealing import KeyMissing
    try:
        result = rotate_data(batch_size)
    except KeyMissing as exc:
        raise click.ClickException(f"{exc}: keep the old key in DATA_KEYS (after the new one) until this has run.")
    click.echo(f"Re-sealed under key {result.key_id}: {result.reports} report(s), {result.messages} message(s), "
               f"{result.notes} note(s); {result.lookups} reporter lookup(s) renewed.")


@main.group()
def cases():
    """Case handling: retention."""


@cases.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be purged.")
@yes_option
@with_appcontext
def cases_purge(dry_run, yes):
    """Purge closed cases past their retention (legal holds are kept): `lti-tool jobs run purge_retention --once`, with --dry-run."""
    from .cases.retention import purge_due
    if not dry_run:
        due = purge_due(dry_run=True).purged
        if not due:
            click.echo("0 case(s) purged.")
            return
        confirm(f"Purge the contents of {due} closed case(s) past their retention? This cannot be undone.", yes)
    result = purge_due(dry_run=dry_run)
    verb = "would be purged" if dry_run else "purged"
    click.echo(f"{result.purged} case(s) {verb}" + (
        "" if not result.schools else " (" + ", ".join(f"school {s}: {n}" for s, n in sorted(result.schools.items())) + ")") + ".")


@main.group()
def mail():
    """The mail outbox: notifications to coordinators (never any report content)."""


@mail.command("send")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--interval", type=float, default=None, help="Seconds between rounds (default: config).")
@with_appcontext
def mail_send(once, interval):
    """Send due e-mails: an alias of `lti-tool jobs run send_mail` that also shows the errors."""
    from .cases.mail import send_due
    if not current_app.config.get("SMTP_HOST"):
        raise click.ClickException("SMTP_HOST is not set: nothing can be sent.")
    _rounds(send_due, lambda r: f"{r.sent} sent, {r.retrying} to retry, {r.failed} failed.", once,
            interval if interval is not None else current_app.config["MAIL_POLL_SECONDS"])


@mail.command("status")
@with_appcontext
def mail_status():
    """E-mails per status."""
    from .cases.mail import status
    counts = status()
    table(["STATUS", "E-MAILS"], [[name, counts.get(name, 0)] for name in ("pending", "sent", "failed")])


def _format(messages: dict) -> str:
    return "; ".join(f"{field}: {' '.join(map(str, errs)) if isinstance(errs, list) else errs}"
                     for field, errs in messages.items())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
