# The one entry point: CI (.ci/run) calls `make test`, so the two never drift.
#   make run     execute all notebooks in order (full defaults) into $(OUTPUT_DIR)/
#   make test    lint, unit tests, nbval on 00/01/04, fast papermill runs of 02/03/05 + nbval-lax on them
#   make lint    ruff on the package, tests, benchmarks and notebooks
#   make html    render the executed notebooks of `make run` to $(OUTPUT_DIR)/html/ (index.html first)
#   make lab     open the lesson in JupyterLab
#   make notebooks   re-execute the committed notebooks in place (full run, ~13 min on 2 cores)
#   make bench   classic vs nbhelpers: generation, training throughput, memory (-> outputs/bench.json)
# Overrides: make run EPOCHS=1 MAX_WINDOWS=5000 GENERATE_CHARS=100 SEED=1 UNITS=64
#            PARAMS="-p learning_rate 0.005"   CORPUS=path/to/text.txt   OUTPUT_DIR=outputs

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUTPUT_DIR ?= outputs
FAST_DIR ?= build/fast

# Offline: use the shared copy of the corpus when it is there; CORPUS=... overrides.
CORPUS ?= $(firstword $(wildcard ../shared/data/nietzsche.txt))
ifneq ($(strip $(CORPUS)),)
export NBHELPERS_CORPUS := $(abspath $(CORPUS))
endif
export PYTHONDONTWRITEBYTECODE := 1

RUN_PARAMS := $(if $(EPOCHS),-p epochs $(EPOCHS)) $(if $(MAX_WINDOWS),-p max_windows $(MAX_WINDOWS)) \
	$(if $(GENERATE_CHARS),-p generate_chars $(GENERATE_CHARS)) $(if $(SEED),-p seed $(SEED)) \
	$(if $(UNITS),-p units $(UNITS)) $(PARAMS)

.PHONY: help venv run test lint unit nbval-static fast-notebooks html lab notebooks bench clean

help:
	@sed -n '2,11p' Makefile

venv: $(STAMP)

# Pinned direct dependencies in pyproject.toml; every other package pinned by requirements.lock.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "pip==26.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

run: $(STAMP)
	$(PY) -m nbhelpers run --output-dir $(OUTPUT_DIR) $(RUN_PARAMS)

test: lint unit nbval-static fast-notebooks

# Lint everything (notebooks too: ruff reads .ipynb); the package and tests must also be ruff-formatted.
LINT_PATHS := nbhelpers tests benchmarks notebooks
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check nbhelpers tests benchmarks

# Unit tests of nbhelpers, plus the fast papermill runs of 02, 03 and 05 with asserts on the
# executed notebooks (tests/test_notebooks_fast.py writes them to $(FAST_DIR)/notebooks/).
unit: $(STAMP)
	NBHELPERS_FAST_DIR=$(FAST_DIR) $(PY) -m pytest tests

# The deterministic notebooks, strictly: every output must match the committed one.
nbval-static: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider --nbval --nbval-current-env \
		notebooks/00_index.ipynb notebooks/01_data_prep.ipynb notebooks/04_parameter_counts.ipynb

# The executed fast-mode training notebooks, re-run: only cells marked NBVAL_CHECK_OUTPUT are compared.
fast-notebooks: unit
	$(PY) -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env $(FAST_DIR)/notebooks/*.ipynb

html: $(STAMP)
	$(PY) -m nbhelpers html --output-dir $(OUTPUT_DIR)

# JupyterLab refuses to run as root (containers, Colab-like machines) unless told to; LAB_ARGS adds to that,
# e.g. make lab LAB_ARGS="--port 8899 --no-browser".
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(ROOT_ARGS) $(LAB_ARGS)

notebooks: $(STAMP)
	$(PY) -m nbhelpers run --in-place $(RUN_PARAMS)

bench: $(STAMP)
	$(PY) benchmarks/bench.py --output $(OUTPUT_DIR)/bench.json $(BENCH_ARGS)

clean:
	rm -rf build $(OUTPUT_DIR) .pytest_cache
