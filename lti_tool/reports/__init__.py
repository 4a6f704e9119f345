"""The confidential report: intake, the reporter's receipt, "My reports" and messages with the coordinator."""
