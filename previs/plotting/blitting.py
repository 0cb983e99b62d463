"""Blitting the moving overlay over a cached copy of the static layer.

Redrawing WCSAxes (frame, ticks, grid, labels) and resampling the image costs
100-200 ms per frame, while the overlay changes on every slider move. The
overlay artists are animated: a full draw renders the static layer (image,
grid, ticks, labels, legend, compass, scale bar), which the ``draw_event``
handler copies (``copy_from_bbox``) before drawing the overlay on top.
:meth:`OverlayBlitter.refresh` then restores that copy, draws only the overlay
(``draw_artist``) and calls ``canvas.blit``; it falls back to ``draw_idle`` (a
full redraw) when there is no copy yet, the canvas cannot blit, or the figure
size, resolution or axis limits changed since the copy (a resize, zoom or pan),
and after :meth:`~OverlayBlitter.mark_stale` (a new image or legend). Saving a
figure draws animated artists as usual.

Layer: plotting.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

__all__ = ["OverlayBlitter"]


class OverlayBlitter:
    """Keeps a figure's static layer and blits the overlay artists over it.

    Parameters
    ----------
    figure : Figure
        The figure; its ``draw_event`` is connected here.
    layer : callable
        Returns ``(ax, overlay_artists, legend)`` of the current image, or
        ``(None, [], None)`` before the first one. The legend is drawn above the
        overlay, as in a full draw.
    enabled : bool
        Without it every :meth:`refresh` is a ``draw_idle``.
    """

    def __init__(self, figure: Figure, layer: Callable[[], tuple], enabled: bool = True) -> None:
        self.figure = figure
        self.enabled = bool(enabled)
        self._layer = layer
        self._background = None
        self._legend_pixels = None
        self._background_key: tuple | None = None
        self._stale = True
        self.n_full_draws = 0
        self.n_blits = 0
        # The callback registry belongs to the figure: it survives a change of canvas.
        figure.canvas.mpl_connect("draw_event", self._on_draw)

    def mark_stale(self) -> None:
        """The static layer changed (new image, legend): the next refresh draws in full."""
        self._stale = True
        self._background = self._legend_pixels = None

    def _canvas_key(self, ax) -> tuple:
        canvas = self.figure.canvas
        return (
            tuple(canvas.get_width_height(physical=True)),
            float(self.figure.dpi),
            tuple(ax.get_xlim()),
            tuple(ax.get_ylim()),
        )

    def _on_draw(self, event) -> None:
        """After a full draw: keep the static layer, then draw the animated overlay on it."""
        canvas = self.figure.canvas
        ax, _, legend = self._layer()
        if (
            not self.enabled
            or ax is None
            or event.canvas is not canvas
            or canvas.is_saving()
            or not hasattr(canvas, "copy_from_bbox")
        ):
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._legend_pixels = None
        if legend is not None:
            # Keep the legend's pixels (legend over the static layer) to paste back
            # after the overlay.
            self._legend_pixels = canvas.copy_from_bbox(
                legend.get_window_extent(event.renderer).padded(2)
            )
        self._background_key = self._canvas_key(ax)
        self._stale = False
        self.n_full_draws += 1
        self._draw_overlay()

    def _draw_overlay(self) -> None:
        ax, artists, _ = self._layer()
        for artist in artists:
            ax.draw_artist(artist)  # skips hidden artists
        if self._legend_pixels is not None:
            self.figure.canvas.restore_region(self._legend_pixels)

    def can_blit(self) -> bool:
        """Whether :meth:`refresh` can blit (a valid copy of the static layer exists)."""
        canvas = self.figure.canvas
        ax = self._layer()[0]
        return (
            self.enabled
            and ax is not None
            and self._background is not None
            and not self._stale
            and hasattr(canvas, "restore_region")
            and self._background_key == self._canvas_key(ax)
        )

    def refresh(self) -> str:
        """Show the current overlay: ``"blit"`` when blitted, ``"draw"`` when a full
        redraw was requested with ``draw_idle`` instead."""
        canvas = self.figure.canvas
        if not self.can_blit():
            canvas.draw_idle()
            return "draw"
        canvas.restore_region(self._background)
        self._draw_overlay()
        canvas.blit(self.figure.bbox)
        self.n_blits += 1
        return "blit"
