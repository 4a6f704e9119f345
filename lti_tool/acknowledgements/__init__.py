"""Who acknowledged which code version, the gate before other pages, and each person's status."""
