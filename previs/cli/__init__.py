"""The ``previs`` command line.

Sub-commands print JSON (``--json``) or a short human summary. Input errors
print one line on stderr and exit with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence

from previs.cli._common import EXIT_USAGE
from previs.errors import UsageError

# Modules that add sub-commands: each defines ``register(subparsers)`` and sets
# ``func`` (taking the parsed arguments, returning an exit status) on its parsers.
COMMAND_MODULES = (
    "previs.cli.geometry",
    "previs.cli.schedule",
    "previs.cli.handoff",
    "previs.cli.shutters",
    "previs.cli.apt",
)
OPTIONAL_COMMAND_MODULES = ("previs.cli.app", "previs.cli.export")


#: Arguments that are values, not options, although they start with "-": negative
#: numbers and negative sexagesimal angles (``-27:47:29``, ``-27d47m29s``).
_NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d)[\d.:dhms\u00b0'\"\u2032\u2033]*$")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # argparse reads "-27:47:29" as an option unless it matches this pattern.
        self._negative_number_matcher = _NEGATIVE_VALUE

    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available sub-command."""
    from previs import __version__

    parser = _Parser(
        prog="previs",
        description="Plan JWST NIRCam pre-imaging for NIRSpec MOS: footprints, MSA coverage, app.",
    )
    parser.add_argument("--version", action="version", version=f"previs {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES + OPTIONAL_COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if name in OPTIONAL_COMMAND_MODULES and error.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``previs`` console script; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args.func(args) or 0)
    except (UsageError, ValueError) as error:
        message = " ".join(str(error).split())
        print(f"previs: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into head: not an error of the user's input
        sys.stderr.close()
        return 0
    except OSError as error:
        print(f"previs: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
