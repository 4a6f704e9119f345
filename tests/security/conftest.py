"""Fixtures for the security tests: registration settings as production has them, and a DNS to lie with."""
import socket

import pytest


@pytest.fixture
def strict_registration(app, monkeypatch):
    """Registration as production runs it (public addresses only), with fresh rate-limit counters.

    Tests that talk to an LMS on 127.0.0.1 relax the address rule themselves, by name.
    """
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_ALLOW_PRIVATE", False)
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_MAX_PENDING", 10_000)
    app.extensions["registration_limiter"].reset()
    yield app.config
    app.extensions["registration_limiter"].reset()


class Resolver:
    """A resolver a test programs: answer(host, a, b) makes the first lookup of host give a, every later b."""

    def __init__(self, real):
        self._real, self._answers, self.lookups = real, {}, []

    def answer(self, host: str, *addresses: str) -> None:
        self._answers[host] = list(addresses)

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host not in self._answers:
            return self._real(host, port, *args, **kwargs)
        self.lookups.append(host)
        answers = self._answers[host]
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port or 0), 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]


@pytest.fixture
def dns(monkeypatch):
    """Simulate public host names (only where a test needs one); other names resolve as usual."""
    resolver = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver.getaddrinfo)
    return resolver
