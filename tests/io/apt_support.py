"""Shared helpers of the APT tests: fixture paths and an independent report tokenizer."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "apt"


def report_rows(path: Path) -> list[dict]:
    """Every exposure row of a pointing report, read by splitting on whitespace.

    Independent of previs's reader: the 10 numbers before the two words Level and
    Type are RA..IdlY; what lies between the target number and RA is the name.
    """
    rows, observation = [], None
    for line in path.read_text().splitlines():
        if line.startswith("* "):
            observation = int(line.rsplit("(Obs ", 1)[1].rstrip(")")) if "(Obs " in line else None
            continue
        if line.startswith("** Visit") and observation is None:
            observation = int(line.split()[2].split(":")[0])
        tokens = line.split()
        if len(tokens) < 20 or not all(t.isdigit() for t in tokens[:4]):
            continue
        level = next(k for k in range(7, len(tokens)) if tokens[k][0].isalpha() and k >= 16)
        numbers = [float(t) for t in tokens[level - 10 : level]]
        rows.append(
            {
                "observation": observation,
                "tile": int(tokens[1]),
                "dither": int(tokens[3]),
                "aperture": tokens[4],
                "name": " ".join(tokens[6 : level - 10]),
                "ra": numbers[0],
                "dec": numbers[1],
                "idl": (numbers[8], numbers[9]),
                "v2v3": (numbers[6], numbers[7]),
                "level": tokens[level],
                "type": tokens[level + 1],
            }
        )
    return rows


def science_positions(path: Path, observation: int, prefix: str) -> list[dict]:
    """Distinct SCIENCE positions (tile, dither, aperture, offset, target) of an instrument."""
    seen = {}
    for row in report_rows(path):
        if row["observation"] != observation or row["type"] != "SCIENCE":
            continue
        if not row["aperture"].startswith(prefix):
            continue
        key = (row["tile"], row["dither"], row["aperture"], row["idl"], row["ra"], row["dec"])
        seen.setdefault(key, row)
    return list(seen.values())


def mos_plan(nircam_apa: float = 300.0, **fields):
    """The pre-imaging program as a plan: NIRCam observation 1's exposures at its target
    (NIRCam APA ``nircam_apa``), the MSA at every pointing of NIRSpec observation 2 at APA
    45; ``fields`` are further :class:`~previs.planning.plan.Plan` fields."""
    from previs.geometry.attitude import Pointing
    from previs.io.apt import read_apt
    from previs.planning.plan import Plan

    program = read_apt(DATA / "preimaging_mos.pointing")
    msa = program.nirspec_pointings(2, 45.0)
    ra, dec, _ = program.nircam_target(1)
    return Plan(
        msa[0],
        Pointing(ra, dec, nircam_apa),
        program.nircam_exposures(1),
        extra_nirspec=tuple(msa[1:]),
        **fields,
    )
