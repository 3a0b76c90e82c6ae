# LAPOR: the two commands of the README (`make run`, `make test`) and the checks CI runs.
# Works on a fresh clone with nothing but python3: the virtualenv is made on first use and
# refreshed only when pyproject.toml changes (.venv/.installed is the stamp).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_REPORTS ?= 300

.DEFAULT_GOAL := help
.PHONY: help run test lint format migrations-check bench clean-venv

help:
	@echo "make run               set up, migrate, load reference and demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test              the whole test suite (DATABASE_URL/REDIS_URL from the environment)"
	@echo "make lint              ruff check and ruff format --check"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make bench             benchmarks in production mode (N=, DURATION=, ROUNDS=, BENCH_ARGS=)"
	@echo "                       (with LAPOR beside a bare DRF create, django-helpdesk, raw INSERTs)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py seed_demo --reports $(DEMO_REPORTS)
	$(PY) manage.py runserver $(HOST):$(PORT)

# In parallel (pytest-xdist): one process per core (TEST_WORKERS=auto; =0 runs in this
# process), tests starting their own servers kept on one worker (tests/conftest.py).
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

# The documented benchmarks in production mode, one summary table (bench/results/summary.txt):
# the load test (filing via API and form beside /healthz), then the read benchmarks when their
# database of N reports exists. See bench/run.py for what each part needs and how long it takes.
N ?= 1000000
DURATION ?= 20
ROUNDS ?= 1
bench: $(VENV)/.installed
	$(PY) bench/run.py --n $(N) --duration $(DURATION) --rounds $(ROUNDS) $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
