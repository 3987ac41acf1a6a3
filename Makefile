# One command each: `make run` serves GraphiQL with demo data, `make test` runs the suite.
# `make storm` runs the fault storm (QUICK=1 for the short one, NEGATIVE=1 for the negative
# control with idempotency off); see docs/reliability.md. `make topology` runs the storm's
# workload through HAProxy against three hosts in network namespaces, PgBouncer, a replica and
# Redis (QUICK=1 for the CI-sized run; TOPOLOGY_ARGS for more, e.g. "--pooler transaction").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: install install-dev wheel run test check schema storm topology clean bench bench-peers bench-profile bench-inprocess mutate

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# `install`: the gateway and its runtime dependencies only (what `make run` needs);
# `install-dev`: plus the test and lint tools (what `make test` and `make check` need).
$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# A wheel under dist/ that carries migrations, the default policy and the schema
# (docs/operations.md: installing on a host).
# build/ goes first: setuptools never empties it, so a file removed since (a migration, a
# client policy) would otherwise still ship.
wheel: install
	rm -rf build
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

run: install
	$(BIN)/lpa-gateway dev

test: install-dev
	$(BIN)/pytest

check: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mypy bench
	$(BIN)/lpa-gateway documents check

yes = $(filter 1 yes true,$(1))

storm: install-dev
	$(BIN)/python -m tests.reliability.storm $(if $(call yes,$(QUICK)),--quick) $(if $(call yes,$(NEGATIVE)),--negative)

topology: install-dev
	$(BIN)/python -m tests.reliability.topology $(if $(call yes,$(QUICK)),--quick) $(TOPOLOGY_ARGS)

schema: install
	$(BIN)/lpa-gateway export-schema

# The gateway against a bare Starlette + asyncpg floor, on loopback (docs/performance.md).
# QUICK=1 for a run of about 4 minutes; PEERS=1 adds PostGraphile and Mercurius as rows;
# BENCH_ARGS for more, e.g. BENCH_ARGS="--only lpaStatus".
bench: install-dev $(if $(call yes,$(PEERS)),bench-peers)
	@sh bench/install-wrk.sh
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(if $(call yes,$(PEERS)),--peers) $(BENCH_ARGS)

# For `make bench PEERS=1`: PostGraphile 4 and Mercurius, at the versions pinned by
# bench/peers/<name>/package-lock.json, installed under var/peers/<name> by `npm ci` when
# missing or changed. Without PEERS=1 nothing of npm runs.
bench-peers:
	@sh bench/peers/install.sh

# The same, with py-spy attached to the gateway's first worker while each run is measured.
bench-profile: install-dev
	@sh bench/install-wrk.sh
	$(BIN)/python -m pip install --quiet 'py-spy>=0.4'
	$(BIN)/python -m bench --profile $(if $(QUICK),--quick) $(BENCH_ARGS)

# CPU per `lpaStatus` request, in-process (no sockets), the gateway against its floor: steadier
# than `make bench` on a shared machine (docs/performance.md, "The rest of the path").
# BENCH_ARGS for more: "--callgrind" (instructions), "--sample FILE" (py-spy, installed here).
bench-inprocess: install-dev
	$(if $(findstring --sample,$(BENCH_ARGS)),$(BIN)/python -m pip install --quiet 'py-spy>=0.4')
	$(BIN)/python -m bench.inprocess $(BENCH_ARGS)

# Mutation testing (mutmut) of the modules that guard the gateway; writes var/mutation/last.json
# and fails under 95% killed per module. Slow (an hour or more), so it runs outside CI.
mutate: install-dev
	$(BIN)/python -m tests.mutation.run $(if $(JOBS),--max-children $(JOBS)) $(if $(call yes,$(FRESH)),--fresh)

clean:
	rm -rf $(VENV) var dist build mutants .mypy_cache .ruff_cache .pytest_cache
