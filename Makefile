# e-ISO: `make run` starts everything locally, `make test` runs every check and test.
SHELL := /bin/bash
PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
# The interpreter itself, not a shim: uv would otherwise rebuild .venv on every call.
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
# uv from PATH, else installed once into .qms/tools (a plain venv: no user site, no PEP 668).
UV := $(shell command -v uv 2>/dev/null || echo .qms/tools/bin/uv)
# Every package of the workspace, found by its folder: a new service needs no edit here.
PACKAGES := $(wildcard libs/*/src services/*/src deploy/*/src)
export MYPYPATH := $(subst $(eval) ,:,$(PACKAGES))

.PHONY: run test lint bench sync

.qms/tools/bin/uv:
	$(PYTHON) -m venv .qms/tools
	.qms/tools/bin/pip install --quiet uv

sync: $(UV)
	$(UV) sync --all-packages --frozen

run: sync
	QMS_DEV_AUTH=1 $(UV) run --frozen python -m qms_local

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy $(PACKAGES)

test: lint
	$(UV) run --frozen pytest

bench: sync
	$(UV) run --frozen python -m bench
