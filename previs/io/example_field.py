"""A synthetic deep field at GOODS-S, generated on first use and cached.

The image (8' x 8' at 0.1"/pixel, 4800 x 4800 float32, TAN WCS, north up and
east left, centred on RA 53.1625, Dec -27.7914) imitates a deep extragalactic
mosaic: a few dozen stars with a Moffat PSF (the brightest with six
JWST-like diffraction spikes), a few thousand galaxies with Sersic profiles
(index 0.7-4, random axis ratios and orientations, sizes that shrink with
magnitude, partly clustered), a handful of large bright ellipticals and
bulge-plus-disc spirals, and Gaussian sky noise. It is entirely synthetic:
no real object is at any of its positions.

It is too large to ship, so `example_image_path` renders it (about a second
or two) into a cache directory and reuses it. The bundled catalog
``previs/data/example_catalog.radec`` lists a few hundred of its brighter
galaxies in the NOVT ``.radec`` format; ``python -m previs.io.example_field``
rewrites both.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

from previs._files import ANY_INPUT, replace_atomically

__all__ = [
    "CENTER_DEC",
    "CENTER_RA",
    "FIELD_VERSION",
    "PIXEL_ARCSEC",
    "SHAPE",
    "ExampleSources",
    "cache_dir",
    "example_catalog_path",
    "example_header",
    "example_image_path",
    "example_sources",
    "example_wcs",
    "render_example_field",
    "write_example_catalog",
]

#: Bump when the rendering changes: a cached file with another version is rewritten.
FIELD_VERSION = 2
SEED = 20220712  # first JWST science images
CENTER_RA = 53.1625
CENTER_DEC = -27.7914
PIXEL_ARCSEC = 0.1
SHAPE = (4800, 4800)
NOISE_SIGMA = 1.0  # nJy per pixel
ZERO_POINT_AB = 31.4  # AB magnitude of 1 nJy
FILE_NAME = "previs_example_goods_s.fits"
CATALOG_PATH = Path(__file__).resolve().parents[1] / "data" / "example_catalog.radec"
#: Catalog sources: galaxies whose noiseless peak exceeds this many noise sigmas.
CATALOG_MIN_PEAK_SIGMA = 12.0
CATALOG_MAX_SOURCES = 320
CATALOG_PRIMARY_FRACTION = 0.25
CATALOG_EDGE_PIXELS = 40

_PSF_FWHM_PIX = 1.6
_PSF_BETA = 2.5


def example_wcs() -> WCS:
    """The TAN WCS of the example field (CD matrix, ICRS, north up, east left)."""
    ny, nx = SHAPE
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.cunit = ["deg", "deg"]
    wcs.wcs.crval = [CENTER_RA, CENTER_DEC]
    wcs.wcs.crpix = [(nx + 1) / 2.0, (ny + 1) / 2.0]
    scale = PIXEL_ARCSEC / 3600.0
    wcs.wcs.cd = [[-scale, 0.0], [0.0, scale]]
    wcs.wcs.radesys = "ICRS"
    wcs.wcs.set()
    wcs.pixel_shape = (nx, ny)
    return wcs


def example_header() -> fits.Header:
    """FITS header of the example image (WCS, provenance, version keyword)."""
    header = fits.Header()
    header["OBJECT"] = ("GOODS-S synthetic deep field", "not a real observation")
    header["TELESCOP"] = "previs synthetic"
    header["INSTRUME"] = ("none", "rendered by previs.io.example_field")
    header["BUNIT"] = ("nJy", "flux density per pixel")
    header["PHOTZPAB"] = (ZERO_POINT_AB, "AB magnitude of 1 nJy")
    header["PIXSCALE"] = (PIXEL_ARCSEC, "arcsec per pixel")
    header["SKYSIGMA"] = (NOISE_SIGMA, "[nJy] Gaussian sky noise per pixel")
    header["PRVSFVER"] = (FIELD_VERSION, "previs example-field version")
    header["PRVSSEED"] = (SEED, "numpy default_rng seed")
    header.extend(example_wcs().to_header(), update=True)
    # astropy writes PCi_j with CDELT 1; state the scale as a CD matrix instead.
    for key in ("CDELT1", "CDELT2", "MJDREF"):
        header.remove(key, ignore_missing=True)
    for i, j in ((1, 1), (1, 2), (2, 1), (2, 2)):
        value = header.pop(f"PC{i}_{j}", 0.0)
        header.insert("CRVAL1", (f"CD{i}_{j}", value, "[deg/pixel] linear transformation"))
    header.add_comment("SYNTHETIC IMAGE made by previs.io.example_field for demonstrations:")
    header.add_comment("stars, Sersic galaxies and Gaussian noise drawn from a fixed seed.")
    header.add_comment("No real object is at any of these positions.")
    return header


@dataclass(frozen=True)
class ExampleSources:
    """Sources of the example field (arrays of equal length; pixels 0-based x, y)."""

    x: np.ndarray
    y: np.ndarray
    flux: np.ndarray  # nJy, total
    kind: np.ndarray  # "star", "galaxy" or "giant"
    peak: np.ndarray  # noiseless peak pixel value, nJy

    def __len__(self) -> int:
        return int(self.x.size)


# --------------------------------------------------------------------------- profiles


def _sersic_b(n: np.ndarray) -> np.ndarray:
    """b_n such that r_e encloses half the light (Ciotti & Bertin asymptotic series)."""
    return 2.0 * n - 1.0 / 3.0 + 4.0 / (405.0 * n) + 46.0 / (25515.0 * n**2)


def _grid(size: int, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (n, size, size) of stamp pixels from sub-pixel source centres."""
    d = np.arange(size, dtype=np.float32) - size // 2
    fx = (x - np.round(x)).astype(np.float32)[:, None, None]
    fy = (y - np.round(y)).astype(np.float32)[:, None, None]
    return d[None, None, :] - fx, d[None, :, None] - fy


def _sersic_stamps(
    size: int,
    x: np.ndarray,
    y: np.ndarray,
    r_eff: np.ndarray,
    index: np.ndarray,
    axis_ratio: np.ndarray,
    theta: np.ndarray,
    spiral: np.ndarray | None = None,
) -> np.ndarray:
    """Unit-flux Sersic stamps (n, size, size), PSF-softened at the centre, tapered at the edge."""
    dx, dy = _grid(size, x, y)
    cos_t = np.cos(theta).astype(np.float32)[:, None, None]
    sin_t = np.sin(theta).astype(np.float32)[:, None, None]
    major = dx * cos_t + dy * sin_t
    minor = (-dx * sin_t + dy * cos_t) / axis_ratio.astype(np.float32)[:, None, None]
    r2 = major**2 + minor**2
    # Soften the radius by the PSF core so that small galaxies are not single-pixel spikes.
    r = np.sqrt(r2 + np.float32((_PSF_FWHM_PIX / 2.355) ** 2))
    re = r_eff.astype(np.float32)[:, None, None]
    n = index.astype(np.float32)[:, None, None]
    stamps = np.exp(-_sersic_b(n) * ((r / re) ** (1.0 / n) - 1.0))
    if spiral is not None:
        # Two logarithmic arms modulating the disc: amplitude spiral (0 = none).
        phi = np.arctan2(minor, major)
        arms = np.cos(2.0 * (phi - np.log(r / re + 0.05) / np.tan(np.float32(0.35))))
        stamps *= 1.0 + spiral.astype(np.float32)[:, None, None] * arms
    edge = np.float32(size // 2)
    taper = np.clip(1.0 - (dx**2 + dy**2) / edge**2, 0.0, 1.0) ** 2
    stamps *= taper
    stamps /= stamps.sum(axis=(1, 2), keepdims=True)
    return stamps


def _star_stamps(size: int, x: np.ndarray, y: np.ndarray, spikes: bool) -> np.ndarray:
    """Unit-flux Moffat PSF stamps, optionally with six diffraction spikes plus two faint ones."""
    dx, dy = _grid(size, x, y)
    alpha = _PSF_FWHM_PIX / (2.0 * math.sqrt(2.0 ** (1.0 / _PSF_BETA) - 1.0))
    r2 = dx**2 + dy**2
    stamps = (1.0 + r2 / np.float32(alpha**2)) ** np.float32(-_PSF_BETA)
    stamps /= stamps.sum(axis=(1, 2), keepdims=True)
    if spikes:
        spike = np.zeros_like(stamps)
        for angle, weight in ((90, 1.0), (30, 1.0), (150, 1.0), (0, 0.35)):
            a = math.radians(angle + 12.0)
            along = dx * np.float32(math.cos(a)) + dy * np.float32(math.sin(a))
            across = -dx * np.float32(math.sin(a)) + dy * np.float32(math.cos(a))
            spike += (
                np.float32(weight)
                * np.exp(-0.5 * (across / np.float32(0.7)) ** 2)
                / (1.0 + (np.abs(along) / np.float32(3.0)) ** 1.6)
            )
        edge = np.float32(size // 2)
        spike *= np.clip(1.0 - r2 / edge**2, 0.0, 1.0)
        spike /= spike.sum(axis=(1, 2), keepdims=True)
        stamps = 0.9 * stamps + 0.1 * spike
    return stamps


def _add_stamps(image: np.ndarray, stamps: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """Add stamps (n, s, s), already scaled, centred on rounded (x, y), clipped at the edges."""
    ny, nx = image.shape
    half = stamps.shape[1] // 2
    for stamp, cx, cy in zip(stamps, np.round(x).astype(int), np.round(y).astype(int), strict=True):
        x0, y0 = cx - half, cy - half
        xa, ya = max(x0, 0), max(y0, 0)
        xb, yb = min(x0 + stamp.shape[1], nx), min(y0 + stamp.shape[0], ny)
        if xa < xb and ya < yb:
            image[ya:yb, xa:xb] += stamp[ya - y0 : yb - y0, xa - x0 : xb - x0]


# ---------------------------------------------------------------------------- the field


def _draw_sources(rng: np.random.Generator) -> dict[str, dict[str, np.ndarray]]:
    """Random source parameters, in a fixed order of draws (changing it changes the field)."""
    ny, nx = SHAPE

    def flux(mag: np.ndarray) -> np.ndarray:
        return 10.0 ** (-0.4 * (mag - ZERO_POINT_AB))

    # Galaxies: counts rising 0.3 dex per magnitude from 20.5 to 29 AB.
    n_gal = 6500
    u = rng.random(n_gal)
    lo, hi, slope = 20.5, 29.0, 0.3
    mag = np.log10(10 ** (slope * lo) + u * (10 ** (slope * hi) - 10 ** (slope * lo))) / slope
    # 30 % of galaxies sit in a few loose groups, the rest are uniform.
    n_groups = 12
    gx, gy = rng.uniform(300, nx - 300, n_groups), rng.uniform(300, ny - 300, n_groups)
    member = rng.random(n_gal) < 0.3
    group = rng.integers(0, n_groups, n_gal)
    x = np.where(member, gx[group] + rng.normal(0, 180, n_gal), rng.uniform(0, nx, n_gal))
    y = np.where(member, gy[group] + rng.normal(0, 180, n_gal), rng.uniform(0, ny, n_gal))
    x, y = np.clip(x, 0, nx - 1), np.clip(y, 0, ny - 1)
    r_eff = 2.8 * 10 ** (-0.12 * (mag - 25.0)) * 10 ** rng.normal(0, 0.18, n_gal)
    galaxies = {
        "x": x,
        "y": y,
        "flux": flux(mag),
        "r_eff": np.clip(r_eff, 0.8, 40.0),
        "index": np.clip(10 ** rng.normal(0.1, 0.2, n_gal), 0.6, 4.5),
        "axis_ratio": np.clip(rng.beta(3.0, 1.6, n_gal), 0.15, 1.0),
        "theta": rng.uniform(0, np.pi, n_gal),
    }
    # Large bright galaxies: ellipticals (n=4) and spirals (bulge + disc with arms).
    n_giant = 7
    giant_mag = rng.uniform(17.0, 19.5, n_giant)
    spiral = np.arange(n_giant) % 2 == 0
    giants = {
        "x": rng.uniform(500, nx - 500, n_giant),
        "y": rng.uniform(500, ny - 500, n_giant),
        "flux": flux(giant_mag),
        "r_eff": rng.uniform(18.0, 45.0, n_giant),
        "axis_ratio": np.where(
            spiral, rng.uniform(0.45, 0.9, n_giant), rng.uniform(0.6, 0.95, n_giant)
        ),
        "theta": rng.uniform(0, np.pi, n_giant),
        "spiral": spiral,
        "bulge_fraction": np.where(spiral, rng.uniform(0.15, 0.35, n_giant), 1.0),
    }
    # Stars: few at this galactic latitude; the brightest carry diffraction spikes.
    n_star = 45
    star_mag = rng.uniform(18.5, 27.0, n_star)
    star_mag[:4] = rng.uniform(16.0, 17.5, 4)
    stars = {
        "x": rng.uniform(0, nx, n_star),
        "y": rng.uniform(0, ny, n_star),
        "flux": flux(star_mag),
        "bright": star_mag < 19.0,
    }
    return {"galaxies": galaxies, "giants": giants, "stars": stars}


def _render(params: dict[str, dict[str, np.ndarray]]) -> tuple[np.ndarray, ExampleSources]:
    """Noiseless image and the source list with noiseless peaks."""
    image = np.zeros(SHAPE, dtype=np.float32)
    xs, ys, fluxes, kinds, peaks = [], [], [], [], []

    def record(x, y, f, kind, peak):
        xs.append(x)
        ys.append(y)
        fluxes.append(f)
        kinds.append(np.full(x.size, kind))
        peaks.append(peak)

    g = params["galaxies"]
    # Stamp side ~ 9 r_e along the major axis, from a few fixed sizes so each group is one array op.
    need = 9.0 * g["r_eff"] * (1.0 + 0.25 * (g["index"] > 2.5))
    sizes = np.array([17, 33, 65, 129, 257])
    choice = np.minimum(np.searchsorted(sizes, need), sizes.size - 1)
    peak = np.zeros(g["x"].size)
    for k, size in enumerate(sizes):
        sel = np.flatnonzero(choice == k)
        for chunk in np.array_split(sel, max(1, sel.size * size * size // 2_000_000 + 1)):
            if chunk.size == 0:
                continue
            stamps = _sersic_stamps(
                int(size),
                g["x"][chunk],
                g["y"][chunk],
                g["r_eff"][chunk],
                g["index"][chunk],
                g["axis_ratio"][chunk],
                g["theta"][chunk],
            )
            stamps *= g["flux"][chunk].astype(np.float32)[:, None, None]
            peak[chunk] = stamps.max(axis=(1, 2))
            _add_stamps(image, stamps, g["x"][chunk], g["y"][chunk])
    record(g["x"], g["y"], g["flux"], "galaxy", peak)

    gi = params["giants"]
    size = 801
    peak = np.zeros(gi["x"].size)
    for i in range(gi["x"].size):
        sl = slice(i, i + 1)
        bulge = _sersic_stamps(
            size,
            gi["x"][sl],
            gi["y"][sl],
            gi["r_eff"][sl] * np.where(gi["spiral"][sl], 0.25, 1.0),
            np.array([4.0]),
            gi["axis_ratio"][sl] ** np.where(gi["spiral"][sl], 0.3, 1.0),
            gi["theta"][sl],
        )
        stamp = bulge * np.float32(gi["bulge_fraction"][i])
        if gi["spiral"][i]:
            disc = _sersic_stamps(
                size,
                gi["x"][sl],
                gi["y"][sl],
                gi["r_eff"][sl],
                np.array([1.0]),
                gi["axis_ratio"][sl],
                gi["theta"][sl],
                spiral=np.array([0.6]),
            )
            stamp += disc * np.float32(1.0 - gi["bulge_fraction"][i])
        stamp *= np.float32(gi["flux"][i])
        peak[i] = stamp.max()
        _add_stamps(image, stamp, gi["x"][sl], gi["y"][sl])
    record(gi["x"], gi["y"], gi["flux"], "giant", peak)

    st = params["stars"]
    peak = np.zeros(st["x"].size)
    for bright, size in ((False, 65), (True, 501)):
        sel = np.flatnonzero(st["bright"] == bright)
        stamps = _star_stamps(size, st["x"][sel], st["y"][sel], spikes=bright)
        stamps *= st["flux"][sel].astype(np.float32)[:, None, None]
        peak[sel] = stamps.max(axis=(1, 2))
        _add_stamps(image, stamps, st["x"][sel], st["y"][sel])
    record(st["x"], st["y"], st["flux"], "star", peak)

    sources = ExampleSources(
        x=np.concatenate(xs),
        y=np.concatenate(ys),
        flux=np.concatenate(fluxes),
        kind=np.concatenate(kinds),
        peak=np.concatenate(peaks),
    )
    return image, sources


def render_example_field() -> tuple[np.ndarray, fits.Header, ExampleSources]:
    """Render the example field: (float32 image, header, sources). Deterministic."""
    rng = np.random.default_rng(SEED)
    params = _draw_sources(rng)
    image, sources = _render(params)
    image += rng.standard_normal(SHAPE, dtype=np.float32) * np.float32(NOISE_SIGMA)
    return image, example_header(), sources


def example_sources() -> ExampleSources:
    """The source list of the example field, without rendering the noise."""
    rng = np.random.default_rng(SEED)
    _, sources = _render(_draw_sources(rng))
    return sources


# ------------------------------------------------------------------------------ caching


def cache_dir() -> Path:
    """Cache directory: ``$PREVIS_CACHE_DIR`` if set, else astropy's cache folder for previs.

    That is ``$XDG_CACHE_HOME/previs`` or ``~/.cache/previs``
    (:func:`astropy.config.get_cache_dir_path`), falling back to
    ``~/.cache/previs`` when astropy cannot create it.
    """
    env = os.environ.get("PREVIS_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from astropy.config import get_cache_dir_path

    try:
        return Path(get_cache_dir_path(rootname="previs"))
    except OSError:
        return Path.home() / ".cache" / "previs"


def _cached_version(path: Path) -> int | None:
    try:
        return int(fits.getval(path, "PRVSFVER"))
    except Exception:  # missing, truncated or foreign file
        return None


def _write_image(path: Path, image: np.ndarray, header: fits.Header) -> None:
    replace_atomically(
        path,
        lambda temp: fits.PrimaryHDU(image, header).writeto(temp, overwrite=True),
        make_folder=True,
        may_replace=ANY_INPUT,
    )


def example_image_path(regenerate: bool = False) -> Path:
    """Path of the example FITS image, rendering it into the cache first if needed.

    The file is (re)written when it is missing, unreadable, or carries another
    ``PRVSFVER`` than `FIELD_VERSION` (or when `regenerate` is true). Writing
    goes to a temporary file renamed into place, so concurrent kernels never
    see a partial file.
    """
    path = cache_dir() / FILE_NAME
    if regenerate or _cached_version(path) != FIELD_VERSION:
        image, header, _ = render_example_field()
        _write_image(path, image, header)
    return path


def example_catalog_path() -> Path:
    """Path of the bundled catalog of the example field (NOVT ``.radec`` format)."""
    return CATALOG_PATH


def _catalog_selection(sources: ExampleSources) -> np.ndarray:
    """Indices of the catalog sources: bright, compact-enough galaxies away from the edges."""
    ny, nx = SHAPE
    m = CATALOG_EDGE_PIXELS
    ok = (
        (sources.kind != "star")
        & (sources.peak >= CATALOG_MIN_PEAK_SIGMA * NOISE_SIGMA)
        & (sources.x >= m)
        & (sources.x <= nx - 1 - m)
        & (sources.y >= m)
        & (sources.y <= ny - 1 - m)
    )
    index = np.flatnonzero(ok)
    index = index[np.argsort(-sources.flux[index], kind="stable")][:CATALOG_MAX_SOURCES]
    return np.sort(index)


def write_example_catalog(sources: ExampleSources, path: Path = CATALOG_PATH) -> Path:
    """Write the ``.radec`` catalog of the example field's brighter galaxies."""
    index = _catalog_selection(sources)
    ra, dec = example_wcs().wcs_pix2world(sources.x[index], sources.y[index], 0)
    rng = np.random.default_rng(SEED + 1)
    primary = rng.random(index.size) < CATALOG_PRIMARY_FRACTION
    lines = [
        "# previs example catalog: galaxies of the SYNTHETIC GOODS-S example field",
        f"# (previs.io.example_field, field version {FIELD_VERSION}, seed {SEED}); "
        "not real objects.",
        f"# {index.size} galaxies whose noiseless peak exceeds {CATALOG_MIN_PEAK_SIGMA:g} sky "
        "sigma, the brightest first chosen.",
        "# NOVT .radec format: RA Dec (degrees, ICRS) flag (P = primary target, F = filler).",
    ]
    lines += [
        f"{r:.7f} {d:.7f} {'P' if p else 'F'}" for r, d, p in zip(ra, dec, primary, strict=True)
    ]
    text = "\n".join(lines) + "\n"
    replace_atomically(
        path,
        lambda temp: temp.write_text(text, encoding="utf-8"),
        make_folder=True,
        may_replace=ANY_INPUT,
    )
    return path


def main() -> None:
    """Rewrite the cached example image and the bundled catalog, printing where they went."""
    import time

    start = time.perf_counter()
    image, header, sources = render_example_field()
    rendered = time.perf_counter() - start
    path = cache_dir() / FILE_NAME
    _write_image(path, image, header)
    catalog = write_example_catalog(sources)
    print(f"rendered in {rendered:.2f} s, wrote {path} ({time.perf_counter() - start:.2f} s)")
    print(f"wrote {catalog}")


if __name__ == "__main__":
    main()
