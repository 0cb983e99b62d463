"""``previs app``: serve the dashboard notebook as a web app with Voila.

The notebook is ``notebooks/dashboard.ipynb`` of the source tree; an installed
copy of previs without it writes an equivalent three-cell notebook to previs's
cache folder (:func:`previs.io.example_field.cache_dir`). ``--image`` reaches the
notebook's kernel through the ``PREVIS_IMAGE`` environment variable (Voila's
kernels inherit the server's environment). Voila must be importable by this
interpreter, which runs it.

A classroom is load: every page starts its own kernel (200-350 MB). Voila's
shutdown on page close does not end the kernel process (Voila 0.5 logs the
shutdown, the process stays), so kernels with no page left are culled once
idle for :data:`CULL_IDLE_SECONDS` (checked every :data:`CULL_INTERVAL_SECONDS`);
a kernel with a page connected is never culled. ``--pool`` keeps kernels that
have already run the dashboard ready (Voila's preheated kernels), so the first
pages of a class appear at once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path

from previs._files import ANY_INPUT, write_text_atomic
from previs.errors import PrevisError, UsageError

DEFAULT_PORT = 8866
IMAGE_ENV = "PREVIS_IMAGE"
#: Read by the dashboard (previs.dashboard.page.upload_limit_bytes) to state the limit.
UPLOAD_LIMIT_ENV = "PREVIS_UPLOAD_LIMIT"
# Widget messages travel over the kernel websocket, whose default limit (10 MiB)
# silently drops an uploaded FITS file above that size and cuts the kernel off.
MAX_UPLOAD_BYTES = 1024**3
#: Idle kernels with no page connected are shut down after this long (seconds)...
CULL_IDLE_SECONDS = 90
#: ...checked this often: every kernel is gone within two minutes of its page closing.
CULL_INTERVAL_SECONDS = 15
#: How long Voila waits for a cell's output while it renders the page, seconds.
IOPUB_TIMEOUT_SECONDS = 60
#: Preheated kernels kept ready by default (each holds a rendered dashboard).
DEFAULT_POOL = 1

_NOTEBOOK_CELLS = (
    ("markdown", "# previs: NIRCam pre-imaging for NIRSpec MOS"),
    ("code", "%matplotlib widget\nimport os\n\nfrom previs.dashboard.app import Dashboard"),
    ("code", 'dashboard = Dashboard(image=os.environ.get("PREVIS_IMAGE") or None)\ndashboard'),
)


#: The dashboard notebook of the source tree (absent from an installed wheel).
SOURCE_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "dashboard.ipynb"


def notebook_path() -> Path:
    """The dashboard notebook: the source tree's, or a generated copy in previs's cache
    folder (:func:`previs.io.example_field.cache_dir`, where the example field is cached too)."""
    if SOURCE_NOTEBOOK.is_file():
        return SOURCE_NOTEBOOK
    import json

    from previs.io.example_field import cache_dir

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="previs-"))
    cells = [
        {"cell_type": kind, "metadata": {}, "source": text}
        | ({"execution_count": None, "outputs": []} if kind == "code" else {})
        for kind, text in _NOTEBOOK_CELLS
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    return write_text_atomic(
        folder / "dashboard.ipynb", json.dumps(notebook, indent=1), may_replace=ANY_INPUT
    )


def voila_command(
    notebook: Path,
    port: int,
    open_browser: bool,
    pool: int = 0,
    cull_idle_s: float = CULL_IDLE_SECONDS,
    cull_interval_s: float = CULL_INTERVAL_SECONDS,
) -> list[str]:
    """The Voila command line that serves ``notebook`` on 127.0.0.1:``port``.

    Idle kernels whose pages are gone are culled; ``pool`` > 0 keeps that many
    preheated kernels (Voila's ``preheat_kernel``) ready for new pages.
    """
    command = [
        sys.executable,
        "-c",
        # Voila's own entry point, with the upload limit set as a number (traitlets'
        # command-line form for dict items would pass it as a string).
        "from voila.app import Voila; Voila.launch_instance(tornado_settings="
        f"{{'websocket_max_message_size': {MAX_UPLOAD_BYTES}}})",
        str(notebook),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--theme=light",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_s)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval_s)}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        "--VoilaConfiguration.multi_kernel_manager_class="
        "previs.cli.voila_kernels.ClassroomKernelManager",
        # Under a class's load a kernel may take longer than nbclient's default 4 s to
        # send a cell's output: the page would then miss the dashboard.
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_SECONDS}",
    ]
    if pool > 0:
        command += ["--preheat_kernel=True", f"--pool_size={int(pool)}"]
    if not open_browser:
        command.append("--no-browser")
    return command


def run_app(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted; returns Voila's exit status."""
    # The command runs Voila in this interpreter: a voila executable of another
    # environment on the PATH would not help.
    if find_spec("voila") is None:
        raise ValueError(
            "previs app needs Voila and the widget packages in this Python environment "
            f"({sys.executable}): pip install 'previs[app]'"
        )
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be from 1 to 65535, got {args.port}")
    if not 0 <= args.pool <= 16:
        raise UsageError(f"--pool must be from 0 to 16 preheated kernels, got {args.pool}")
    env = dict(os.environ)
    env[UPLOAD_LIMIT_ENV] = str(MAX_UPLOAD_BYTES)  # the dashboard tells users the limit
    if args.image is not None:
        from previs.io.images import check_image

        image = Path(args.image).expanduser().resolve()
        try:
            check_image(image, name=args.image)  # before serving: the header only, no pixels
        except PrevisError as error:
            raise UsageError(f"--image: {error}") from None
        env[IMAGE_ENV] = str(image)
    notebook = notebook_path()
    print(
        f"previs app: serving {notebook.name} at http://127.0.0.1:{args.port}/ (Ctrl+C stops)",
        file=sys.stderr,
    )
    try:
        return subprocess.call(
            voila_command(notebook, args.port, not args.no_browser, args.pool),
            env=env,
            cwd=notebook.parent,
        )
    except KeyboardInterrupt:
        return 0


def register(subparsers) -> None:
    """Add the ``app`` sub-command."""
    parser = subparsers.add_parser(
        "app",
        help="open the interactive dashboard in the browser (Voila)",
        description="Serve the previs dashboard with Voila on 127.0.0.1.",
    )
    parser.add_argument(
        "--image", metavar="FITS", help="FITS image to show (default: the bundled example field)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    parser.add_argument(
        "--pool",
        type=int,
        default=DEFAULT_POOL,
        help=f"kernels kept ready with the dashboard already built (default {DEFAULT_POOL}; "
        "0: none; a class of N may want N/4)",
    )
    parser.set_defaults(func=run_app)
