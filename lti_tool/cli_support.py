"""What every `lti-tool` command shares: the command group, one transaction per command, errors said
as a CLI says them, tables with headers, confirmations."""
import contextlib

import click
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, run_command, shell_command

from .errors import AppError, flatten
from .extensions import db
from .schema_state import UPGRADE_FIRST, schema_error, schema_problem

# Flask's own group options that make no sense for this tool (it builds its app itself).
_FLASK_OPTIONS = {"app", "debug", "env_file"}


class CheckedCommand(click.Command):
    """A command that needs the database: refuses with one sentence when its schema is missing or old."""

    def invoke(self, ctx):
        info = ctx.find_object(ScriptInfo)
        if info is not None:
            with info.load_app().app_context():
                problem = schema_problem()
            if problem:
                raise click.ClickException(problem)
        return super().invoke(ctx)


class CheckedGroup(AppGroup):
    """A group of commands that need the database."""

    command_class = CheckedCommand

    def group(self, *args, **kwargs):
        kwargs.setdefault("cls", CheckedGroup)
        return super().group(*args, **kwargs)


class ToolGroup(FlaskGroup):
    """Flask's command group with the tool's own --version and without Flask's options and `routes`.

    `run` and `shell` stay (the operations guide names them). A database error that only means
    "the schema is missing" becomes the sentence an administrator can act on, never a traceback.
    """

    command_class = CheckedCommand

    def __init__(self, **kwargs):
        super().__init__(add_default_commands=False, add_version_option=False, **kwargs)
        self.params = [p for p in self.params if p.name not in _FLASK_OPTIONS]
        self.params.append(click.Option(
            ["--version"], is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
            help="Show the version of Veilig Online and exit."))
        self.add_command(run_command)
        self.add_command(shell_command)

    def group(self, *args, **kwargs):
        kwargs.setdefault("cls", CheckedGroup)
        return super().group(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if schema_error(exc):
                raise click.ClickException(f"The database schema is missing or outdated. {UPGRADE_FIRST}") from None
            raise


def _print_version(ctx, _param, value):
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version
    try:
        number = version("veilig-online")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout that was never installed
        number = "unknown"
    click.echo(f"lti-tool (Veilig Online) {number}")
    ctx.exit()


def table(headers: list[str], rows: list[list]) -> None:
    """Print rows under a header line, each column as wide as its widest cell."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells[:1] + [["-" * w for w in widths]] + cells[1:]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive step (unless --yes); stop with exit code 1 on anything but yes."""
    if not yes and not click.confirm(question, default=False):
        raise click.ClickException("Nothing was changed.")


def yes_option(f):
    """--yes: skip the confirmation (for scripts)."""
    return click.option("--yes", is_flag=True, help="Do not ask for confirmation.")(f)


@contextlib.contextmanager
def transaction():
    """Commit what the command did, or roll all of it back and exit with the error's message (nothing half-done)."""
    try:
        yield
    except AppError as exc:
        db.session.rollback()
        problems = "; ".join(f"{field}: {problem}" for field, problem in flatten(getattr(exc, "errors", None) or {}))
        raise click.ClickException(f"{exc.message} {problems}".strip())
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
