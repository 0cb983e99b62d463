"""The errors a user can cause, as one family.

Every error that bad input can raise (a file, a key, an option, an angle) is a
:class:`PrevisError`, a :class:`ValueError`, whose message names the input and
says what would be valid. The command line prints it on one line and exits with
status 2; the dashboard shows it in its panel and keeps its last good state.

Layer: base. Imports nothing from previs.
"""

from __future__ import annotations

__all__ = [
    "QUOTE_LIMIT",
    "AptError",
    "CatalogError",
    "ConfigError",
    "ImageError",
    "PrevisError",
    "UsageError",
    "quote",
]

#: Most characters of a user's value an error message repeats.
QUOTE_LIMIT = 80


class PrevisError(ValueError):
    """Bad input: the message names the input and what would be valid."""


class AptError(PrevisError):
    """An APT export (pointing report or proposal XML) cannot be used; the message names
    the file, the line or element and the problem."""


class CatalogError(PrevisError):
    """A catalog could not be read; the message names the file, the line or row and the problem."""


class ConfigError(PrevisError):
    """A configuration file or dict is invalid; the message names the file and the key."""


class ImageError(PrevisError):
    """An image the user gave cannot be shown: not FITS, no 2-D celestial image, unreadable."""


class UsageError(PrevisError):
    """A command-line input error: printed on one line, exit status 2."""


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` cut to ``limit`` characters (with an ellipsis), for error messages.

    Nothing large is ever rendered: a string is cut before ``repr``, and a
    container (which may be deeply nested, or a YAML alias bomb whose ``repr``
    would expand exponentially) is described by its type and length only.
    """
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        kind = {dict: "a mapping", list: "a list", tuple: "a tuple"}.get(type(value), "a set")
        return f"<{kind} of {len(value)} item{'s' if len(value) != 1 else ''}>"
    if isinstance(value, (str, bytes)) and len(value) > 4 * limit:
        value = value[: 4 * limit]
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__: never let a message fail
        return f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text
