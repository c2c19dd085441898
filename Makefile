VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test lint format seed bench

$(PY):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'

install: $(PY)

test: $(PY)
	sh .ci/install-test-services
	$(PY) -m pytest --durations=15

lint: $(PY)
	$(VENV)/bin/ruff check tracker projections tests
	$(VENV)/bin/ruff format --check tracker projections tests
	$(VENV)/bin/mypy tracker projections

format: $(PY)
	$(VENV)/bin/ruff format tracker projections tests
	$(VENV)/bin/ruff check --fix tracker projections tests

seed: $(PY)
	rm -f seed.db
	$(VENV)/bin/tracker --store sqlite:///seed.db import fixtures/actors.ndjson fixtures/0*.ndjson
	$(VENV)/bin/tracker --store sqlite:///seed.db state --as-of 2025-12-28 --known-at 2025-12-28

bench: $(PY)
	$(PY) -m bench --size 100000 --runs 3
