# pgwallets: `make test` and `make demo` set up everything they need on a fresh Debian machine.
.PHONY: deps venv test demo db-start db-stop db-status deploy clean bench bench-instructions

VENV := .venv
PGWALLETS := $(VENV)/bin/pgwallets
PYTHON ?= python3

deps:
	scripts/install-deps

$(VENV)/.installed: python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e 'python[test,bench]'
	touch $@

venv: $(VENV)/.installed

test: deps venv
	scripts/run-tests

demo: deps venv
	$(PGWALLETS) db start
	$(PGWALLETS) demo

# pgbench scenarios against a raw UPDATE and a minimal ledger write, in a throwaway database
# (bench/README.md); BENCH_ARGS passes options, e.g. make bench BENCH_ARGS='--only credit,debit'.
bench: deps venv
	$(PGWALLETS) db start
	$(PGWALLETS) bench $(BENCH_ARGS)

# CPU instructions per operation under valgrind, in a throwaway single-user cluster (bench/README.md).
bench-instructions: deps venv
	$(PGWALLETS) bench-instructions

deploy: deps venv
	$(PGWALLETS) db start
	$(PGWALLETS) deploy

db-start: deps venv
	$(PGWALLETS) db start

db-stop: venv
	$(PGWALLETS) db stop

db-status: venv
	$(PGWALLETS) db status

clean: db-stop
	rm -rf .pgwallets $(VENV)
