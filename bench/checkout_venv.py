"""Run a bench under the checkout's .venv when the Python that started it lacks the tool's packages."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def use_the_checkouts_venv(script: str) -> None:
    """Re-execute script under .venv/bin/python unless the tool's packages import here."""
    try:
        import flask_babel, gunicorn, pylti1p3  # noqa: F401,E401
    except ImportError as exc:
        venv_python = os.path.join(ROOT, ".venv", "bin", "python")
        if os.path.exists(venv_python) and os.path.realpath(sys.prefix) != os.path.realpath(
                os.path.join(ROOT, ".venv")):
            os.execv(venv_python, [venv_python, os.path.abspath(script), *sys.argv[1:]])
        sys.exit(f"bench/{os.path.basename(script)}: {exc}; install the tool first: "
                 "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'")
