"""The acknowledgement API: my current code, acknowledge, my status."""
from ..api import bp
