"""The APT part of a saved session: which APT program file and which of its observations.

A plan driven by an APT program holds the program's NIRCam exposures and MSA
pointings itself (:class:`~previs.planning.plan.Plan`'s JSON), so a session reads
without the program. :class:`AptSelection` adds where they came from, so that the
dashboard can read the program again and show the observations picked::

    "apt": {"file": "program.pointing", "nircam_observation": 1, "nirspec_observation": 2}

The key is optional (written only when a program is loaded; older sessions have
none). ``file`` is resolved against the session's folder like ``image``.

Layer: io.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import previs._validate as check
from previs.errors import ConfigError, quote

__all__ = ["AptSelection"]

_KEYS = ("file", "nircam_observation", "nirspec_observation")


def _observation(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where} must be an APT observation number (1, 2, ...) or null, "
                          f"got {quote(value)}")  # fmt: skip
    return int(value)


@dataclass(frozen=True)
class AptSelection:
    """The APT program of a session and the observations picked in it.

    Parameters
    ----------
    file : str
        Path of the APT pointing report (``.pointing``) or proposal XML (``.xml``).
    nircam : int or None
        The NIRCam imaging observation driving the exposures (None: none picked).
    nirspec : int or None
        The NIRSpec MOS observation giving the MSA pointings (None: none picked).
    """

    file: str
    nircam: int | None = None
    nirspec: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.file, str) or not self.file.strip():
            raise ConfigError(f"apt.file must be a file path, got {quote(self.file)}")
        object.__setattr__(self, "nircam", _observation(self.nircam, "apt.nircam_observation"))
        object.__setattr__(self, "nirspec", _observation(self.nirspec, "apt.nirspec_observation"))

    def to_dict(self) -> dict[str, Any]:
        """The session's ``apt`` object."""
        return {
            "file": self.file,
            "nircam_observation": self.nircam,
            "nirspec_observation": self.nirspec,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> AptSelection:
        """Read the session's ``apt`` object (``where``: the file, for messages)."""
        check.keyed_object(data, _KEYS, where, "apt", ConfigError)
        if "file" not in data:
            raise ConfigError(f"{where}: apt.file is missing (the APT program's path)")
        try:
            return cls(
                data["file"], data.get("nircam_observation"), data.get("nirspec_observation")
            )
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None
