"""The coordinator's case queue: triage, the protocol checklist, timeliness, closing, audit, retention."""
