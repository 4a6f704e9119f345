"""Placing the code in a gradebook and queueing its scores: every change here only flushes."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..acknowledgements.models import Acknowledgement
    from ..conduct.models import ConductVersion
    from ..lti.models import LaunchSession
    from .models import Placement


def record_placement(launch_session: LaunchSession) -> Placement | None:
    """Remember where the code sits in a course's gradebook (no HTTP); backfill a new placement."""
    return None


def score_acknowledgement(ack: Acknowledgement) -> int:
    """Queue 1 / Completed / FullyGraded for the user in every placement where they are a student."""
    return 0


def reset_for_major(version: ConductVersion) -> int:
    """Queue a reset score for every student of every placement of the version's school."""
    return 0
