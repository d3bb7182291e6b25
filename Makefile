# The two commands of the README: `make run` (every notebook's quick profile, the report, the scorecard)
# and `make test`. Both create .venv and install the project when needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= quick
# `make run` schedules the profile's runs on a local pool: JOBS at once (EXECUTOR=serial: one by one)
EXECUTOR ?= local
JOBS ?= 2
# `make test` runs the suite on TEST_WORKERS pytest-xdist workers (tests/conftest.py groups the modules)
TEST_WORKERS ?= 2

.PHONY: run test lab report lint bench gpu-check rehearse plan data clean-venv

$(VENV)/.installed: requirements.txt requirements-nodeps.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "reprlab needs Python >= 3.11 (the pinned numpy, pandas and scipy do); $(PYTHON) is $$($(PYTHON) -V 2>&1)." >&2; \
	  echo "Run with a newer one, e.g. make PYTHON=python3.11 ..." >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -r requirements.txt -e .
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

data:
	@bash scripts/bootstrap-data.sh

run: $(VENV)/.installed data
	$(PY) -m reprlab run-all --profile $(PROFILE) --executor $(EXECUTOR) $(if $(filter local,$(EXECUTOR)),--jobs $(JOBS))
	$(PY) -m reprlab report
	$(PY) -m reprlab claims

# JupyterLab over the repository: notebooks open as notebooks, Run All runs them at PROFILE (quick; smoke, paper)
lab: $(VENV)/.installed data
	$(PY) -m reprlab lab --profile $(PROFILE)

report: $(VENV)/.installed
	$(PY) -m reprlab report

test: $(VENV)/.installed data
	$(PY) -m ruff check lib tests notebooks bench
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

lint: $(VENV)/.installed
	$(PY) -m ruff check lib tests notebooks bench

bench: $(VENV)/.installed data
	$(PY) bench/run_all.py

# The paper profile on the CPU, every run capped (runs/ untouched: it lives in rehearsal/), then its GPU-hour plan
rehearse: $(VENV)/.installed
	$(PY) -m reprlab run-all --profile paper --rehearse --executor local --jobs $(JOBS)
	$(PY) -m reprlab run-all --profile paper --dry-run --plan

plan: $(VENV)/.installed
	$(PY) -m reprlab run-all --profile paper --dry-run --plan

# On a machine with a GPU: every CUDA path once, the benchmarks, one rehearsed notebook per paper (JSON summary)
gpu-check: $(VENV)/.installed data
	$(PY) scripts/gpu_check.py

clean-venv:
	rm -rf $(VENV)
