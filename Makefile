# previs: the two commands a newcomer needs are `make app` and `make test`.
# Both create a virtual environment in .venv and install previs into it first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.previs-installed
PORT ?= 8866
# Property tests draw fixed examples under make test (see tests/conftest.py).
HYPOTHESIS_PROFILE ?= ci
# `make app NO_BROWSER=1` (or NO_BROWSER=1 in the environment) serves without opening a
# browser: for a remote machine, a container or a test.
NO_BROWSER ?=

.PHONY: setup app test lint docs dist browser benchmarks siaf shutters clean

$(STAMP): pyproject.toml binder/constraints.txt
	$(PYTHON) -m venv $(VENV)
	@echo "previs: installing into $(VENV) (about a minute; pip lists what it collects)"
	$(BIN)/python -m pip install --upgrade --progress-bar on pip
	$(BIN)/python -m pip install --progress-bar on -c binder/constraints.txt -e ".[app,test,docs]"
	touch $(STAMP)

setup: $(STAMP)

## Set everything up and open the dashboard on the bundled example (Voila).
app: setup
	$(BIN)/previs app --port $(PORT) $(if $(NO_BROWSER),--no-browser)

## Set everything up and run the whole test suite (lint, unit, notebooks, browser,
## the wheel in a bare venv) and build the documentation.
test: setup browser
	$(BIN)/ruff check previs tests benchmarks docs/conf.py
	$(BIN)/ruff format --check previs tests benchmarks docs/conf.py
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) PREVIS_REQUIRE_BROWSER=1 \
		$(BIN)/python -m pytest tests notebooks \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
	$(MAKE) docs

## The HTML documentation in docs/_build/html: warnings are errors, references nitpicky,
## the API pages generated from the package and the notebooks executed (offline).
docs: setup
	$(BIN)/sphinx-build -E -W --keep-going -n -b html docs docs/_build/html

## The sdist and the wheel in dist/.
dist: setup
	$(BIN)/python -m build --outdir dist .

lint: setup
	$(BIN)/ruff check previs tests benchmarks docs/conf.py

## Headless Chromium for the browser test: Debian's package when root, else Playwright's.
browser: setup
	@if [ -n "$$PREVIS_CHROMIUM" ] && [ -x "$$PREVIS_CHROMIUM" ]; then :; \
	elif command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else $(BIN)/python -m playwright install chromium; fi

benchmarks: setup
	$(BIN)/python benchmarks/bench_core.py

## Rewrite previs/data/siaf_snapshot.json from the installed pysiaf.
siaf: setup
	$(BIN)/python -m previs.geometry.siaf_build

## Rewrite previs/data/msa_shutters.json (from the installed pysiaf's NIRSpec model tables)
## and previs/data/msa_operability.json (from the jwst-vmpt 1.8.0 wheel, fetched with pip).
shutters: setup
	$(BIN)/python -m previs.geometry.shutters_build

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache tests/artifacts \
		docs/_build docs/api docs/notebooks
