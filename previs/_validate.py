"""Checks of values from files and callers, each naming where the value came from.

Shared by the plan, sessions, NOVT imports, the command line and exports, so
that every message has the same shape: ``"<where> must be <what is valid>, got
<the value, quoted to 80 characters>"``. Each check returns the value in its
canonical type or raises :class:`previs.errors.PrevisError` (or the subclass
passed as ``error``).

Layer: base. Imports nothing from previs but :mod:`previs.errors`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from previs.errors import PrevisError, quote

__all__ = [
    "boolean",
    "choice",
    "describe",
    "finite_number",
    "integer",
    "mapping",
    "keyed_object",
    "reject_unknown",
    "string",
]


def describe(value: Any) -> str:
    """A JSON-minded description of a value's type for messages (``"an array"``, ``"null"``)."""
    if value is None:
        return "null"
    names = {bool: "a boolean", dict: "an object", list: "an array", str: "a string"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return f"{name} ({quote(value)})" if kind in (str, bool) else name
    return f"{type(value).__name__} {quote(value)}"


def finite_number(
    value: Any, where: str, unit: str = "", error: type[PrevisError] = PrevisError
) -> float:
    """``value`` as a finite float; booleans and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        suffix = f" ({unit})" if unit else ""
        raise error(f"{where} must be a finite number{suffix}, got {quote(value)}")
    return float(value)


def integer(value: Any, where: str, error: type[PrevisError] = PrevisError) -> int:
    """``value`` as an int; floats (even 2.0) and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(f"{where} must be a whole number, got {quote(value)}")
    return value


def boolean(value: Any, where: str, error: type[PrevisError] = PrevisError) -> bool:
    """``value`` if it is True or False."""
    if not isinstance(value, bool):
        raise error(f"{where} must be true or false, got {quote(value)}")
    return value


def string(value: Any, where: str, error: type[PrevisError] = PrevisError) -> str:
    """``value`` if it is a string."""
    if not isinstance(value, str):
        raise error(f"{where} must be a string, got {quote(value)}")
    return value


def choice(
    value: Any, choices: Iterable[str], where: str, error: type[PrevisError] = PrevisError
) -> str:
    """One of ``choices`` (compared case-insensitively, stripped), in its listed spelling."""
    options = list(choices)
    if isinstance(value, str):
        key = value.strip().lower()
        for option in options:
            if option.lower() == key:
                return option
    raise error(f"{where} must be one of {', '.join(options)}, got {quote(value)}")


def mapping(value: Any, where: str, error: type[PrevisError] = PrevisError) -> dict:
    """``value`` if it is a dict (a JSON object)."""
    if not isinstance(value, dict):
        raise error(f"{where} must be a mapping of keys to values, got {describe(value)}")
    return value


def reject_unknown(
    section: dict, allowed: Collection[str], where: str, error: type[PrevisError] = PrevisError
) -> None:
    """Raise naming the first key of ``section`` that is not in ``allowed``."""
    unknown = sorted((key for key in section if key not in allowed), key=str)
    if unknown:
        raise error(
            f"{where}: unknown key {quote(unknown[0])}; valid keys: {', '.join(sorted(allowed))}"
        )


def keyed_object(
    value: Any,
    keys: Sequence[str],
    where: str,
    name: str,
    error: type[PrevisError] = PrevisError,
) -> dict:
    """``value`` if it is a dict (a JSON object) whose keys are all in ``keys``.

    The messages name the object as ``name`` inside ``where`` (the file) and list
    the valid keys as ``name.key``.
    """
    if not isinstance(value, dict):
        raise error(
            f"{where}: {name} must be an object with keys {', '.join(keys)}, got {describe(value)}"
        )
    unknown = sorted(set(value) - set(keys), key=str)
    if unknown:
        raise error(
            f"{where}: unknown key '{name}.{unknown[0]}'; valid keys: "
            + ", ".join(f"{name}.{key}" for key in keys)
        )
    return value
