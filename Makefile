# One command each: `make run` serves GraphiQL with demo data, `make test` runs the suite.
# `make storm` runs the fault storm (QUICK=1 for the short one, NEGATIVE=1 for the negative
# control with idempotency off); see docs/reliability.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test check schema storm clean bench bench-profile mutate

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
	$(BIN)/mypy bench

yes = $(filter 1 yes true,$(1))

storm: install
	$(BIN)/python -m tests.reliability.storm $(if $(call yes,$(QUICK)),--quick) $(if $(call yes,$(NEGATIVE)),--negative)

schema: install
	$(BIN)/lpa-gateway export-schema

# The gateway against a bare Starlette + asyncpg floor, on loopback (docs/performance.md).
# QUICK=1 for a run under 3 minutes; BENCH_ARGS for more, e.g. BENCH_ARGS="--only lpaStatus".
bench: install
	@sh bench/install-wrk.sh
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(BENCH_ARGS)

# The same, with py-spy attached to the gateway's first worker while each run is measured.
bench-profile: install
	@sh bench/install-wrk.sh
	$(BIN)/python -m pip install --quiet 'py-spy>=0.4'
	$(BIN)/python -m bench --profile $(if $(QUICK),--quick) $(BENCH_ARGS)

# Mutation testing (mutmut) of the modules that guard the gateway; writes var/mutation/last.json
# and fails under 95% killed per module. Slow (an hour or more), so it runs outside CI.
mutate: install
	$(BIN)/python -m tests.mutation.run $(if $(JOBS),--max-children $(JOBS)) $(if $(call yes,$(FRESH)),--fresh)

clean:
	rm -rf $(VENV) var mutants .mypy_cache .ruff_cache .pytest_cache
