"""What a dashboard panel may ask of the dashboard: a small, public interface.

Panels (image, catalog, exports, schedule) are given a :class:`PanelHost`, not
the dashboard's internals. They read the plan and its result, ask for the
current plan to be evaluated and drawn again (:meth:`PanelHost.redraw`), for
the pointings to move onto a new image (:meth:`PanelHost.recentre`), and put
their notes on one :class:`StatusBoard`. :class:`UpdateGuard` is the one
mechanism for "don't react to my own widget updates".

Layer: dashboard. No geometry, no widgets built here.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from previs.dashboard.text import markup_to_text
from previs.style import UI_COLOURS

if TYPE_CHECKING:
    from previs.catalog import Catalog, SourceCounts
    from previs.catalog.summary import Summary
    from previs.dashboard.controls import PlanControls
    from previs.io.session import Config, ViewSettings
    from previs.planning.plan import Plan, Result
    from previs.plotting.sky import SkyView

__all__ = ["PanelHost", "StatusBoard", "UpdateGuard", "error_markup"]


def error_markup(text: str) -> str:
    """Plain text as the red warning line panels show (escaped here)."""
    return f"<span style='color:{UI_COLOURS['error']}'>&#9888; {html.escape(text)}</span>"


class UpdateGuard:
    """A re-entrant hold: while held, widget observers know the change is the program's own.

    Examples
    --------
    >>> guard = UpdateGuard()
    >>> with guard.hold():
    ...     guard.active
    True
    >>> guard.active
    False
    """

    def __init__(self) -> None:
        self._depth = 0

    @property
    def active(self) -> bool:
        """Whether a hold is in effect."""
        return self._depth > 0

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold for the duration of a ``with`` block (nested holds are fine)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1


class StatusBoard:
    """The status line above the figure, one message per channel.

    Channels, shown in this order: ``"input"`` (why the plan typed cannot be
    used: the last valid one is shown), ``"image"``, ``"catalog"``, ``"msa"`` (the
    operability map), ``"coverage"`` (coverage from an image), ``"apt"`` (the APT
    program), ``"other"``.
    Messages are markup; :meth:`set_error` escapes plain text.

    Parameters
    ----------
    widget : ipywidgets.HTML
        Where the messages are shown.
    """

    CHANNELS = ("input", "image", "catalog", "msa", "coverage", "apt", "other")

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self._messages = dict.fromkeys(self.CHANNELS, "")

    def set(self, channel: str, markup: str) -> None:
        """Replace one channel's message (``""`` clears it) and show the result."""
        if channel not in self._messages:
            raise KeyError(f"status channel must be one of {', '.join(self.CHANNELS)}")
        if self._messages[channel] != markup:
            self._messages[channel] = markup
            self.widget.value = "<br>".join(m for m in self._messages.values() if m)

    def set_error(self, channel: str, text: str) -> None:
        """Show plain ``text`` as a warning on ``channel``."""
        self.set(channel, error_markup(text))

    def get(self, channel: str) -> str:
        """The markup of one channel."""
        return self._messages[channel]

    @property
    def text(self) -> str:
        """Everything shown, as plain text (one line per message)."""
        return markup_to_text(self.widget.value.replace("<br>", "\n"))


class PanelHost(Protocol):
    """What panels use of the dashboard (the :class:`~previs.dashboard.app.Dashboard` is one)."""

    view: SkyView
    canvas: Any
    figure: Any
    status: StatusBoard
    guard: UpdateGuard
    controls: PlanControls
    #: The image and catalog panels (typed loosely: panels import this module).
    image_panel: Any
    catalog_panel: Any

    @property
    def plan(self) -> Plan: ...

    @property
    def result(self) -> Result | None: ...

    @property
    def summary(self) -> Summary | None: ...

    @property
    def catalog(self) -> Catalog | None: ...

    @property
    def counts(self) -> SourceCounts | None: ...

    def redraw(self) -> None:
        """Evaluate the current plan again (new image or catalog) and draw it."""

    def refresh(self) -> None:
        """Read the plan from the controls again and draw it."""

    def set_plan(self, plan: Plan, nircam_mode: str | None = None) -> None:
        """Show ``plan``: every widget follows."""

    def recentre(self) -> None:
        """Move the NIRSpec (and a same-place NIRCam) centre to the image centre."""

    def clear_catalog(self, refresh: bool = True) -> None:
        """Drop the catalog."""

    def show_example_catalog(self, refresh: bool = True) -> None:
        """Show the bundled example catalog."""

    def apply_config(self, config: Config, where: str = "config") -> None:
        """Set the whole session from a saved configuration."""

    def view_settings(self) -> ViewSettings:
        """How the session is shown (toggles, display settings, Schedule dates)."""
