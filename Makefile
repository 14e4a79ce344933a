# pgwallets: `make test` and `make demo` set up everything they need on a fresh Debian machine.
.PHONY: deps venv test demo db-start db-stop db-status deploy clean

VENV := .venv
PGWALLETS := $(VENV)/bin/pgwallets
PYTHON ?= python3

deps:
	scripts/install-deps

$(VENV)/.installed: python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e 'python[test]'
	touch $@

venv: $(VENV)/.installed

test: deps venv
	scripts/run-tests

demo: deps venv
	$(PGWALLETS) db start
	$(PGWALLETS) demo

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
