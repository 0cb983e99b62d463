"""The documentation's configuration files, the citation file and the README's promises.

The documentation build itself runs in ``make test`` (``make docs``: warnings are errors).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

import previs

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "binder" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            pins[requirement.name.lower().replace("_", "-")] = str(requirement.specifier)
    return pins


def test_every_docs_and_test_tool_is_pinned():
    import tomllib  # Python 3.11+, like the test environment

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = extras["optional-dependencies"]
    pins = _pins()
    for line in extras["docs"] + extras["test"]:
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        exact = str(requirement.specifier).startswith("==")  # pinned in pyproject itself
        assert exact or pins.get(name, "").startswith("=="), f"{name} is not pinned"


def test_read_the_docs_builds_like_make_docs():
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text())
    assert config["version"] == 2
    assert config["sphinx"]["configuration"] == "docs/conf.py"
    assert config["sphinx"]["fail_on_warning"] is True  # as make docs' -W
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    assert config["build"]["tools"]["python"] == runtime  # the Python CI tests
    (install,) = config["python"]["install"]
    requirements = (ROOT / install["requirements"]).read_text().splitlines()
    assert "-c ../binder/constraints.txt" in requirements
    assert ".[app,docs]" in requirements
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"sphinx-build .*-W .*-n .*docs docs/_build/html", makefile)
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(MAKE) docs" in test_target


def test_citation_file_names_this_version_and_its_sources():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "date-released", "license"):
        assert citation.get(key), key
    # The citation names the latest release in the changelog; the package is that
    # release or a development version after it.
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released, date = re.search(r"^## \[(\d[^\]]*)\] - (\d{4}-\d\d-\d\d)", changelog, re.M).groups()
    assert (str(citation["version"]), str(citation["date-released"])) == (released, date)
    assert Version(previs.__version__) >= Version(released)
    titles = " ".join(reference["title"] for reference in citation["references"])
    for source in ("Pre-Imaging Using NIRCam", "Catalogs and Images", "SIAF", "pysiaf", "gtvt"):
        assert source in titles, source
    snapshot = (ROOT / "previs" / "data" / "siaf_snapshot.json").read_text()
    prd = re.search(r'"prd_version": "([^"]+)"', snapshot).group(1)
    assert prd in titles  # the PRD the bundled snapshot was written from


def test_readme_keeps_the_two_commands_first_and_points_to_the_docs():
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith(
        "# previs\n\n```bash\n"
        "make app    # set up (.venv) and open the dashboard on the bundled example field\n"
        "make test   # set up (.venv) and run the whole test suite\n```\n"
    )
    assert "## Architecture" in readme  # the layout of the subpackages stays in the README
    assert "make docs" in readme and "docs/" in readme
