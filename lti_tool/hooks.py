"""Hooks: how a package lets the packages above it act on its moments without importing them.

The feature packages form layers (docs/architecture.md): a package imports only those below it.
Where a lower one must reach a higher one ("a new major version was published": the gradebook
resets its scores), the lower one declares a Hook beside the operation that sends it, and the app
factory connects the higher one's handler from one list (HOOKS in lti_tool/__init__.py), as it
lists blueprints and tasks. Handlers are kept per application, so each app that create_app builds
(tests build many) has exactly its own. A hook nothing answers is a wiring mistake, never a silent
no-op: sending it raises.
"""
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

_KEY = "lti_tool.hooks"


class Hook:
    """A named moment of a lower package; send() runs every connected handler, in the factory's order."""

    declared: list["Hook"] = []

    def __init__(self, name: str):
        self.name = name
        Hook.declared.append(self)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"

    def handlers(self, app: Flask | None = None) -> list[Callable]:
        return (app or current_app).extensions.get(_KEY, {}).get(self.name, [])

    def send(self, *args, **kwargs) -> None:
        """Run every handler with these arguments (an exception ends the request: nothing half-done)."""
        for handler in self._connected():
            handler(*args, **kwargs)

    def ask(self, *args, **kwargs) -> Any:
        """The one handler's answer: for a hook that asks a higher package for a value, not an action."""
        handlers = self._connected()
        if len(handlers) != 1:
            raise RuntimeError(f"{self.name} needs exactly one handler, not {len(handlers)}")
        return handlers[0](*args, **kwargs)

    def _connected(self) -> list[Callable]:
        handlers = self.handlers()
        if not handlers:
            raise RuntimeError(f"Nothing answers {self.name}: connect it in create_app's HOOKS")
        return handlers


def init_app(app: Flask, hooks: list[tuple[Hook, Callable]]) -> None:
    """Connect each (hook, handler) pair of the factory's list to this application."""
    table = app.extensions.setdefault(_KEY, {})
    for hook, handler in hooks:
        table.setdefault(hook.name, []).append(handler)
