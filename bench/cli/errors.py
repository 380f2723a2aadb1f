"""The one exception a command raises to tell the user what is wrong (printed as one line, exit 1)."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user: message names the value, where it came from, and the valid options."""
