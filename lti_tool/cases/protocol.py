"""The coordinator's protocol as a checklist: which steps apply to a case, and what each asks.

The steps follow Dutch school-safety guidance (see the domain notes). Which apply depends on the
category; a case where a staff member is suspected of a sexual offence against a student also
carries the board / Inspectorate track, which must be checked off before the case can close.
"""
from flask_babel import gettext as _

VICTIM, PARENTS, EVIDENCE, POLICE, TAKEDOWN, SANCTIONS, COMMUNICATION, AFTERCARE, BOARD = (
    "victim_support", "parents", "evidence", "police", "takedown", "sanctions", "communication",
    "aftercare", "board_inspectorate")
STEPS = (VICTIM, PARENTS, EVIDENCE, POLICE, TAKEDOWN, SANCTIONS, BOARD, COMMUNICATION, AFTERCARE)

_BY_CATEGORY = {
    "sexual_images": (VICTIM, PARENTS, EVIDENCE, POLICE, TAKEDOWN, SANCTIONS, COMMUNICATION, AFTERCARE),
    "fight_video": (VICTIM, PARENTS, EVIDENCE, POLICE, TAKEDOWN, SANCTIONS, COMMUNICATION, AFTERCARE),
    "unwanted_images": (VICTIM, PARENTS, EVIDENCE, TAKEDOWN, SANCTIONS, COMMUNICATION, AFTERCARE),
    "cyberbullying": (VICTIM, PARENTS, EVIDENCE, SANCTIONS, COMMUNICATION, AFTERCARE),
    "threats": (VICTIM, PARENTS, EVIDENCE, POLICE, SANCTIONS, COMMUNICATION, AFTERCARE),
    "impersonation": (VICTIM, PARENTS, EVIDENCE, POLICE, TAKEDOWN, SANCTIONS, AFTERCARE),
    "private_data": (VICTIM, PARENTS, EVIDENCE, TAKEDOWN, SANCTIONS, AFTERCARE),
    "other": (VICTIM, PARENTS, EVIDENCE, COMMUNICATION, AFTERCARE),
}


def steps_for(category: str, staff_suspect: bool) -> list[str]:
    """The steps that apply to a case, in protocol order."""
    steps = set(_BY_CATEGORY.get(category, _BY_CATEGORY["other"]))
    if staff_suspect:
        steps.add(BOARD)
    return [step for step in STEPS if step in steps]


def required_to_close(report) -> list[str]:
    """Steps that must be checked off before closing: only the board track is never optional."""
    return [BOARD] if report.staff_suspect else []


def step_title(step: str) -> str:
    return {
        VICTIM: _("Victim first: contact and support"),
        PARENTS: _("Decide on informing the parents"),
        EVIDENCE: _("Record the evidence, without images"),
        POLICE: _("Police contact"),
        TAKEDOWN: _("Have it taken down"),
        SANCTIONS: _("Sanctions by the consequences ladder"),
        BOARD: _("School board and Inspectorate"),
        COMMUNICATION: _("Communication"),
        AFTERCARE: _("Aftercare and review"),
    }.get(step, step)


def step_help(step: str, category: str) -> str:
    """What the step asks of the coordinator; never anything of the case itself."""
    texts = {
        VICTIM: _("Act at once, as a team, and name one contact person for the victim. Listen, ask "
                  "what they want and offer support."),
        PARENTS: _("Agree with the victim whether and how the parents are told. For a student aged "
                   "16 or younger the school may inform the parents without consent when the "
                   "student's welfare is at stake."),
        EVIDENCE: _("Record the platform, the link, the account handle, the times and who holds it. "
                    "Establish size and impact without leading questions; they can harm a later "
                    "prosecution."),
        POLICE: _("Talk to the school's police contact about a report. In immediate danger call 112; "
                  "where there is abuse at home, call Veilig Thuis."),
        TAKEDOWN: _("Ask those who hold it to delete it, report it to the platform, and point to "
                    "Helpwanted/Offlimits, Take It Down (under 18) or StopNCII (adults)."),
        SANCTIONS: _("Apply the consequences ladder of the code to those who did it and those who "
                     "forwarded it, with guidance; talk to bystanders."),
        BOARD: _("A staff member is suspected of a sexual offence against a student: report to the "
                 "school board, which consults the Inspectorate's confidential inspector and reports "
                 "to the police. The case cannot close before this is done."),
        COMMUNICATION: _("Inform the team, classes and parents only as agreed with the victim."),
        AFTERCARE: _("Follow up with the victim and those involved after some weeks, and review how "
                     "the case went."),
    }
    text = texts.get(step, "")
    if step == EVIDENCE and category == "sexual_images":
        text += " " + _("Never copy, save, forward or ask for the images themselves: having them is a "
                        "crime (art. 240b Sr), also for a school.")
    return text
