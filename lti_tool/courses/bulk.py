"""Writing many rows in few statements, on PostgreSQL and SQLite alike.

Each statement is compiled once. Inserts carry RETURNING so that SQLAlchemy sends them as
multi-row VALUES batches ("insertmanyvalues") instead of one round trip per row; updates go as one
executemany.
"""
from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import among  # noqa: F401  (re-exported: the roster's queries use it from here)
from ..extensions import db


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert(model):
    """The dialect's INSERT into model's table, the one that knows ON CONFLICT."""
    return (postgresql if _postgresql() else sqlite).insert(model.__table__)


def insert_new(model, rows: list[dict], keys: list[str], returning: list[str]) -> list:
    """Insert rows whose keys are not taken yet (a concurrent writer's row wins); return the
    returning columns of the rows this call inserted."""
    if not rows:
        return []
    table = model.__table__
    stmt = (insert(model).on_conflict_do_nothing(index_elements=keys)
            .returning(*(table.c[name] for name in returning)))
    rows = sorted(rows, key=lambda row: tuple(row[k] for k in keys))  # same lock order everywhere
    return list(db.session.execute(stmt, rows))


def update_by_id(model, changes: list[dict]) -> None:
    """Update rows by primary key: each dict holds "id" and the same set of columns to set."""
    if not changes:
        return
    table = model.__table__
    columns = [name for name in changes[0] if name != "id"]
    stmt = (update(table).where(table.c.id == bindparam("_id"))
            .values({name: bindparam("_" + name) for name in columns}))
    db.session.execute(stmt, [{"_" + name: value for name, value in row.items()}
                              for row in sorted(changes, key=lambda row: row["id"])])


def upsert(model, rows: list[dict], keys: list[str], update=None, where=None) -> None:
    """Insert rows; on a clash on keys, update (when where holds) or do nothing.

    update is a list of columns to take from the new row, or a function of the statement that
    returns {column: expression}; where is a function of the statement too (both may name
    `stmt.excluded`).
    """
    if not rows:
        return
    stmt = insert(model)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_=update(stmt) if callable(update) else {name: stmt.excluded[name] for name in update},
            where=where(stmt) if where is not None else None)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    db.session.execute(stmt, sorted(rows, key=lambda row: tuple(row[k] for k in keys)))
