# The one entry point: CI (.ci/run) calls `make test`, so the two never drift.
#   make run     execute all notebooks in order (full defaults) into $(OUTPUT_DIR)/ (default: outputs/)
#   make test    lint, unit tests, nbval on 00/01/04, fast papermill runs of 02/03/05/06 + nbval-lax on them,
#                and their site checked in headless Chromium (make site-check)
#   make lint    ruff on the package, tests, benchmarks and notebooks
#   make html    render the executed notebooks of `make run` to $(OUTPUT_DIR)/html/ (index.html first)
#   make check-html  open $(OUTPUT_DIR)/html in headless Chromium, offline: math, images, links (SCREENSHOTS=dir)
#   make lab     open the lesson in JupyterLab (adds --allow-root as root); LAB_ARGS="--port 8899 --no-browser" adds to it
#   make notebooks   re-execute the committed notebooks in place (a full run: its time is in the README)
#   make bench   classic vs nbhelpers: generation, training throughput, memory, time to quality, memory scaling
#                (-> outputs/bench.json; its time is in the README); BENCH_ARGS="--skip-training ..." skips sections
# A quick run, each in a folder of its own (never over the full run in outputs/):
#            make run EPOCHS=1 MAX_WINDOWS=5000 GENERATE_CHARS=100 OUTPUT_DIR=outputs/quick
#            make html OUTPUT_DIR=outputs/quick
# Overrides: SEED=1 UNITS=64 PARAMS="-p learning_rate 0.005" CORPUS=path/to/text.txt OUTPUT_DIR=outputs/mine
#            (paths may hold spaces: OUTPUT_DIR="/tmp/my run")

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUTPUT_DIR ?= outputs
FAST_DIR ?= build/fast

# Paths reach the shell quoted, so OUTPUT_DIR="/tmp/my run" is one argument: $(call quote,PATH) is 'PATH'.
quote = '$(subst ','\'',$(1))'
# $(abspath) splits a path with spaces into words: such a path is made absolute by hand.
empty :=
space := $(empty) $(empty)
absolute = $(if $(findstring $(space),$(1)),$(if $(filter /%,$(1)),$(1),$(CURDIR)/$(1)),$(abspath $(1)))

# Offline: use the shared copy of the corpus when it is there; CORPUS=... overrides.
CORPUS ?= $(firstword $(wildcard ../shared/data/nietzsche.txt))
ifneq ($(strip $(CORPUS)),)
export NBHELPERS_CORPUS := $(call absolute,$(CORPUS))
endif
export PYTHONDONTWRITEBYTECODE := 1

RUN_PARAMS := $(if $(EPOCHS),-p epochs $(EPOCHS)) $(if $(MAX_WINDOWS),-p max_windows $(MAX_WINDOWS)) \
	$(if $(GENERATE_CHARS),-p generate_chars $(GENERATE_CHARS)) $(if $(SEED),-p seed $(SEED)) \
	$(if $(UNITS),-p units $(UNITS)) $(PARAMS)

.PHONY: help venv run test lint unit nbval-static fast-notebooks site-check html check-html lab notebooks bench clean

help:
	@sed -n '2,/^$$/{/^#/p}' Makefile

venv: $(STAMP)

# Pinned direct dependencies in pyproject.toml; every other package pinned by requirements.lock.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "pip==26.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

run: $(STAMP)
	$(PY) -m nbhelpers run --output-dir $(call quote,$(OUTPUT_DIR)) $(RUN_PARAMS)

test: lint unit nbval-static fast-notebooks site-check

# Lint everything (notebooks too: ruff reads .ipynb); the package and tests must also be ruff-formatted.
LINT_PATHS := nbhelpers tests benchmarks notebooks
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check nbhelpers tests benchmarks

# Unit tests of nbhelpers, plus the fast papermill runs of 02, 03, 05 and 06 with asserts on the
# executed notebooks (tests/test_notebooks_fast.py writes them to $(FAST_DIR)/notebooks/).
unit: $(STAMP)
	NBHELPERS_FAST_DIR=$(call quote,$(FAST_DIR)) $(PY) -m pytest tests

# The deterministic notebooks, strictly: every output must match the committed one.
nbval-static: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider --nbval --nbval-current-env \
		notebooks/00_index.ipynb notebooks/01_data_prep.ipynb notebooks/04_parameter_counts.ipynb

# The executed fast-mode training notebooks, re-run: only cells marked NBVAL_CHECK_OUTPUT are compared.
fast-notebooks: unit
	$(PY) -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env $(call quote,$(FAST_DIR))/notebooks/*.ipynb

# The fast run's site (its 02, 03, 05, 06 and the committed 00, 01, 04) rendered to build/site and opened in headless
# Chromium from disk, offline: math typeset, images loaded, links resolve, nothing asked of another host.
site-check: unit
	NBHELPERS_FAST_DIR=$(call quote,$(FAST_DIR)) $(PY) -m pytest -p no:cacheprovider tests/site_check.py

html: $(STAMP)
	$(PY) -m nbhelpers html --output-dir $(call quote,$(OUTPUT_DIR))

check-html: $(STAMP)
	$(PY) tests/site_check.py $(call quote,$(OUTPUT_DIR)/html) $(if $(SCREENSHOTS),--screenshots $(call quote,$(SCREENSHOTS)))

# JupyterLab refuses to run as root (containers, Colab-like machines) unless told to; LAB_ARGS adds to that,
# e.g. make lab LAB_ARGS="--port 8899 --no-browser".
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(ROOT_ARGS) $(LAB_ARGS)

notebooks: $(STAMP)
	$(PY) -m nbhelpers run --in-place $(RUN_PARAMS)

bench: $(STAMP)
	$(PY) benchmarks/bench.py --output $(call quote,$(OUTPUT_DIR)/bench.json) $(BENCH_ARGS)

clean:
	rm -rf build $(call quote,$(OUTPUT_DIR)) .pytest_cache
