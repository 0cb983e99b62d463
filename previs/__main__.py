"""``python -m previs``: the same as the ``previs`` command."""

import sys

from previs.cli import main

sys.exit(main())
