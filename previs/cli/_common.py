"""What every ``previs`` sub-command shares: argument types, pointings, output.

Argument types raise :class:`argparse.ArgumentTypeError`, which the parser
turns into one line naming the option; RA and Dec accept degrees or
sexagesimal (:mod:`previs.geometry.coordinates`). Output files go through the
atomic writer, so a failed command never leaves half a file.

Layer: cli.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from previs._files import write_bytes_atomic, write_text_atomic
from previs.errors import PrevisError, UsageError, quote
from previs.geometry.attitude import Pointing
from previs.geometry.coordinates import read_angle

__all__ = [
    "EXIT_OK",
    "EXIT_RULE_NOT_MET",
    "EXIT_USAGE",
    "PointingAction",
    "UsageError",
    "add_msaoper_option",
    "dec_value",
    "number",
    "operability_of",
    "print_json",
    "ra_value",
    "write_bytes",
    "write_text",
]

EXIT_OK = 0
#: A check ran and its answer is "no" (e.g. the 42-day rule is broken).
EXIT_RULE_NOT_MET = 1
#: Bad input: a one-line message on stderr.
EXIT_USAGE = 2


def number(text: str) -> float:
    """A finite number (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a finite number")
    return value


def _angle(text: str, kind: str) -> float:
    try:
        return read_angle(text, kind)
    except PrevisError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def ra_value(text: str) -> float:
    """An RA in degrees from degrees or sexagesimal hours (argparse type)."""
    return _angle(text, "RA")


def dec_value(text: str) -> float:
    """A Dec in degrees from degrees or sexagesimal degrees (argparse type)."""
    return _angle(text, "Dec")


class PointingAction(argparse.Action):
    """``--OPTION RA DEC APA``: RA and Dec as :func:`ra_value` / :func:`dec_value`, APA in degrees.

    Stores a :class:`~previs.geometry.attitude.Pointing`; any problem is reported
    as an error of the option, e.g. ``--nirspec: Dec must lie between -90 and +90``.
    """

    def __init__(self, option_strings, dest, **kwargs):
        kwargs.setdefault("nargs", 3)
        kwargs.setdefault("metavar", ("RA", "DEC", "APA"))
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        ra_text, dec_text, apa_text = values
        try:
            ra = read_angle(ra_text, "RA", f"{option_string} RA")
            dec = read_angle(dec_text, "Dec", f"{option_string} DEC")
            try:
                apa = number(apa_text)
            except argparse.ArgumentTypeError as error:
                raise PrevisError(f"{option_string} APA: {error}") from None
            pointing = Pointing(ra, dec, apa)
        except PrevisError as error:
            message = str(error)
            parser.error(
                message if message.startswith(option_string) else f"{option_string}: {message}"
            )
        setattr(namespace, self.dest, pointing)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")


def write_text(path: str, text: str) -> None:
    """Write an output file of a command atomically."""
    write_text_atomic(path, text)


def write_bytes(path: str, data: bytes) -> None:
    """Write a binary output file of a command atomically."""
    write_bytes_atomic(path, data)


def add_msaoper_option(parser: argparse.ArgumentParser, config: bool = True) -> None:
    """Add ``--msaoper FILE``: a CRDS operability map instead of the bundled snapshot
    (``config``: the command reads a configuration, whose ``msaoper`` is the default)."""
    parser.add_argument(
        "--msaoper",
        metavar="FILE",
        help="CRDS jwst_nirspec_msaoper_*.json to use instead of the bundled operability map"
        + (" (default: the configuration's msaoper, if any)" if config else ""),
    )


def operability_of(args: argparse.Namespace, config=None):
    """The operability map of a command: ``--msaoper``, else the configuration's, else the
    bundled snapshot (a malformed file raises a PrevisError naming it)."""
    from previs.geometry.operability import resolve_operability

    path = getattr(args, "msaoper", None)
    if path is None and config is not None:
        path = config.msaoper
    return resolve_operability(path)
