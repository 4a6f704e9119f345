"""The demo's mailbox: a real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what the tool sends.

With it, a newcomer sees in the demo course page that the coordinator was e-mailed about a new
report, and that the e-mail says nothing of what was reported.
"""
import socket
from email import message_from_bytes, policy

from flask import Flask


class _Keep:
    def __init__(self, box: list):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        self.box.insert(0, {"to": ", ".join(envelope.rcpt_tos), "subject": str(message["Subject"] or ""),
                            "body": body.get_content() if body is not None else ""})
        del self.box[50:]
        return "250 Message accepted"


def start(app: Flask) -> None:
    """Serve SMTP on a free port of 127.0.0.1 and point the tool's mail settings at it."""
    from aiosmtpd.controller import Controller
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box: list[dict] = []
    controller = Controller(_Keep(box), hostname="127.0.0.1", port=port)
    controller.start()
    app.extensions["demo_mailbox"] = box
    app.extensions["demo_mailbox_server"] = controller
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_USERNAME="",
                      SMTP_PASSWORD="")


def stop(app: Flask) -> None:
    controller = app.extensions.pop("demo_mailbox_server", None)
    if controller is not None:
        controller.stop()
