"""What administrators' commands share: one transaction per command, and errors said as a CLI says them."""
import contextlib

import click

from .errors import AppError, flatten
from .extensions import db


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


def table(headers: list[str], rows: list[list]) -> str:
    """Rows under their headers, in columns as wide as their widest cell."""
    cells = [headers] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells)
