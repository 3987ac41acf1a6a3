# One command each: `make run` serves GraphiQL with demo data, `make test` runs the suite.
# `make storm` runs the fault storm (QUICK=1 for the short one, NEGATIVE=1 for the negative
# control with idempotency off); see docs/reliability.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test check schema storm clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/lpa-gateway dev

test: install
	$(BIN)/pytest

check: install
	$(BIN)/ruff check .
	$(BIN)/mypy

yes = $(filter 1 yes true,$(1))

storm: install
	$(BIN)/python -m tests.reliability.storm $(if $(call yes,$(QUICK)),--quick) $(if $(call yes,$(NEGATIVE)),--negative)

schema: install
	$(BIN)/lpa-gateway export-schema

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
