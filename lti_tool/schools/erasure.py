"""Removing every row of a school, read from the database's own tables so that new ones are covered.

A row is the school's when its school_id says so, when it hangs (by a foreign key) on a row that
is the school's, or when it is a platform that only this school's deployments use. People go too
once nothing of another school refers to them. Tables without either (the tool's keys, used
nonces) belong to no school. Only deletes and flushes: the caller commits, once.
"""
from collections import Counter

from sqlalchemy import delete, exists, or_, select

from ..extensions import among, db
from ..platforms.models import Deployment, Platform
from .queries import legal_holds

# Shared by every school: never removed with one (see the module's docstring for why these).
_PEOPLE, _PLATFORMS, _SCHOOLS = "users", "platforms", "schools"


class SchoolOnHold(Exception):
    """A case of the school is under a legal hold: its data must stay."""


def erase_school(school_id: int) -> Counter:
    """Delete the school and everything of it; returns the rows removed per table."""
    held = legal_holds(school_id)
    if held:
        raise SchoolOnHold(f"{held} case(s) of this school are under a legal hold: lift the hold first "
                           "(or wait until it can be lifted); nothing was removed.")
    tables = db.metadata.tables
    owned = _ownership(school_id, _only_this_schools_platforms(school_id))
    people = _people_referred_to(owned)
    removed = Counter()
    for table in reversed(db.metadata.sorted_tables):
        if table.name in owned:
            removed[table.name] = db.session.execute(
                delete(table).where(owned[table.name]).execution_options(synchronize_session=False)).rowcount
    removed[_PEOPLE] = _remove_unreferenced(tables[_PEOPLE], people)
    db.session.expire_all()
    return +removed


def _only_this_schools_platforms(school_id: int) -> list[int]:
    others = exists().where(Deployment.platform_id == Platform.id, Deployment.school_id != school_id)
    return list(db.session.scalars(select(Platform.id).where(
        exists().where(Deployment.platform_id == Platform.id, Deployment.school_id == school_id), ~others)))


def _ownership(school_id: int, platform_ids: list[int]) -> dict:
    """For each table, the condition that picks the school's rows (parents before their children)."""
    owned = {}
    for table in db.metadata.sorted_tables:
        if table.name == _SCHOOLS:
            owned[table.name] = table.c.id == school_id
            continue
        if table.name == _PLATFORMS:
            owned[table.name] = among(table.c.id, platform_ids) if platform_ids else None
            continue
        conditions = [table.c.school_id == school_id] if "school_id" in table.columns else []
        for key in table.foreign_keys:
            parent = key.column.table
            if parent.name in owned and parent.name != _SCHOOLS and owned[parent.name] is not None:
                conditions.append(key.parent.in_(select(key.column).where(owned[parent.name])))
        if conditions:
            owned[table.name] = or_(*conditions)
    return {name: condition for name, condition in owned.items() if condition is not None}


def _references_to_people():
    people = db.metadata.tables[_PEOPLE]
    return [(key.parent.table, key.parent) for table in db.metadata.sorted_tables
            for key in table.foreign_keys if key.column.table is people]


def _people_referred_to(owned: dict) -> set[int]:
    """Everyone a row of the school names: they may go once the school's rows are gone."""
    ids = set()
    for table, column in _references_to_people():
        if table.name in owned:
            ids.update(i for i in db.session.scalars(select(column).where(owned[table.name]).distinct()) if i)
    return ids


def _remove_unreferenced(people, ids: set[int], batch: int = 500) -> int:
    """Delete those of ids that no remaining row of any table refers to."""
    removed, ids = 0, sorted(ids)
    for start in range(0, len(ids), batch):
        chosen = ids[start:start + batch]
        still = [exists().where(column == people.c.id) for _table, column in _references_to_people()]
        removed += db.session.execute(
            delete(people).where(among(people.c.id, chosen), *[~condition for condition in still])
            .execution_options(synchronize_session=False)).rowcount
    return removed
