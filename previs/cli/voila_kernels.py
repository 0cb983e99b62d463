"""The kernel manager ``previs app`` gives Voila: cull kernels whose page has gone.

Voila starts one kernel per page. When a page closes, Voila 0.5 asks for the
kernel's shutdown but the kernel process stays (measured: still running 130 s
later), so ``previs app`` culls idle kernels that no page is connected to.
Culling alone would also take a kernel that has just been handed to a page
whose browser has not connected yet (a preheated kernel has been idle since it
was heated): :class:`ClassroomKernelManager` culls a kernel only once a page
has connected to it and left, or, for a page that never connected, after
:attr:`ClassroomKernelManager.never_connected_grace` seconds.

This module is imported by the Voila server process only (``previs app``
passes it as ``VoilaConfiguration.multi_kernel_manager_class``).
"""

from __future__ import annotations

import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float

__all__ = ["ClassroomKernelManager"]


class ClassroomKernelManager(AsyncMappingKernelManager):
    """An async mapping kernel manager that culls only kernels whose pages have left."""

    never_connected_grace = Float(
        600.0,
        config=True,
        help="Seconds a kernel no page ever connected to is kept before it may be culled.",
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._connected_once: set[str] = set()
        self._first_seen: dict[str, float] = {}

    def notify_connect(self, kernel_id: str) -> None:
        """A page connected to the kernel: from now on it may be culled once idle and alone."""
        self._connected_once.add(kernel_id)
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str):
        """Cull as the base class does, but spare kernels handed out and not yet connected."""
        if kernel_id not in self._connected_once:
            first = self._first_seen.setdefault(kernel_id, time.monotonic())
            if time.monotonic() - first < self.never_connected_grace:
                return None
        return await super().cull_kernel_if_idle(kernel_id)

    def remove_kernel(self, kernel_id: str):
        """Forget what was kept about a kernel that has gone."""
        self._connected_once.discard(kernel_id)
        self._first_seen.pop(kernel_id, None)
        return super().remove_kernel(kernel_id)
