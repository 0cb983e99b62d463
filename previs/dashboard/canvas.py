"""The dashboard's ipympl canvases: toolbar above the axes, and frames that encode fast.

ipympl sends each new frame as a PNG of the pixels that changed (a "diff"
frame) or of the whole figure. matplotlib encodes it with Pillow at zlib level
6, which for the sky figure (a noisy image under translucent footprints: a
third of a 750 px figure changes when the mosaic grows) takes 65 ms, more than
the rest of an update together. :func:`png_bytes` writes the same pixels with
no row filter at zlib level 1: 16 ms and a smaller file for the same frame at
930 px (Pillow at level 1: 35 ms). A large frame is deflated as two halves
on two threads (zlib lets go of the GIL), joined into one zlib stream as
pigz does (the first half ends on a sync flush, the checksum is the whole
stream's): 15 -> 10 ms for a 930 px mosaic change on two cores. ``FastFrames``
(:func:`canvas_class`) is an ipympl ``Canvas`` that encodes its frames so.

Layer: dashboard (ipympl is imported when a canvas is made).
"""

from __future__ import annotations

import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "PNG_COMPRESS_LEVEL",
    "canvas_class",
    "deflate",
    "make_canvas",
    "make_sky_canvas",
    "png_bytes",
]

#: zlib level of the frames sent to the browser (1: fastest with real compression).
PNG_COMPRESS_LEVEL = 1
#: Frames of at least this many bytes (before compression) are deflated in two halves
#: at once; smaller ones in one go (a thread hand-off costs more than it saves).
SPLIT_BYTES = 1 << 20


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="previs-png")


def _raw_deflate(data: memoryview, level: int, last: bool) -> bytes:
    stream = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return stream.compress(data) + stream.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def deflate(data: bytes, level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """``zlib.compress(data, level)``'s format (a zlib stream), made by two threads when
    ``data`` is large: each half a raw deflate stream, the first ending on a byte
    boundary (sync flush) so that the two concatenate, under one header and the
    Adler-32 of all of ``data``."""
    if len(data) < SPLIT_BYTES:
        return zlib.compress(data, level)
    view = memoryview(data)
    half = len(data) // 2
    first = _pool().submit(_raw_deflate, view[:half], level, False)
    second = _raw_deflate(view[half:], level, True)
    header = bytes((0x78, 0x01))  # deflate, 32 KiB window, check bits for FLEVEL 0
    return header + first.result() + second + struct.pack(">I", zlib.adler32(data))


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_bytes(rgba: np.ndarray, level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """An 8-bit RGBA image (H x W x 4 uint8) as PNG: no row filter, zlib at ``level``."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width, channels = rgba.shape
    if channels != 4:
        raise ValueError(f"png_bytes needs RGBA pixels, got {channels} channels")
    rows = np.zeros((height, width * 4 + 1), np.uint8)  # each row: filter byte 0, pixels
    rows[:, 1:] = rgba.reshape(height, width * 4)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", deflate(rows.tobytes(), level))
        + _chunk(b"IEND", b"")
    )


@cache
def canvas_class():
    """The ipympl ``Canvas`` subclass whose frames are PNGs at :data:`PNG_COMPRESS_LEVEL`."""
    from ipympl.backend_nbagg import Canvas

    class FastFrames(Canvas):
        """An ipympl canvas sending the same frames as ipympl's, encoded faster."""

        def get_diff_image(self):
            """The next frame as PNG bytes (None when nothing changed since the last).

            A "diff" frame holds the changed pixels and zeros elsewhere (the
            browser paints it over the previous frame); a "full" frame is sent
            after a resize, on request, or when the figure has transparent pixels.
            """
            if not self._png_is_old:
                return None
            rgba = np.asarray(self.get_renderer().buffer_rgba())
            words = rgba.view(np.uint32)[..., 0]
            previous = self._last_buff
            full = (
                self._force_full
                or previous.shape != words.shape
                or not bool(np.all(rgba[..., 3] == 255))
            )
            if full:
                self.set_image_mode("full")
                frame = words
            else:
                self.set_image_mode("diff")
                frame = np.where(words != previous, words, 0)
            self._last_buff = words.copy()
            self._force_full = False
            self._png_is_old = False
            pixels = np.ascontiguousarray(frame).view(np.uint8).reshape((*frame.shape, 4))
            return png_bytes(pixels)

    return FastFrames


def make_canvas(figure: Figure, css_class: str | None = None, footer: bool = False):
    """Attach an ipympl canvas (a widget) and toolbar to ``figure`` without pyplot.

    No header or resize handle; the toolbar sits above the figure, clear of the
    axes and their labels. ``footer`` shows ipympl's footer (the coordinates under
    the cursor). ``css_class`` is added to the widget. Raises ImportError without ipympl.
    """
    from ipympl.backend_nbagg import FigureManager

    canvas = canvas_class()(figure)
    FigureManager(canvas, 0)
    canvas.header_visible = False
    canvas.footer_visible = footer
    canvas.resizable = False
    canvas.toolbar_visible = "visible"
    canvas.toolbar_position = "top"
    if css_class:
        canvas.add_class(css_class)
    return canvas


def make_sky_canvas(figure: Figure):
    """The sky figure's canvas: :func:`make_canvas` with the ``previs-sky`` CSS class and
    the footer, where the RA/Dec under the cursor shows."""
    return make_canvas(figure, "previs-sky", footer=True)
