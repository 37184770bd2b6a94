# e-ISO: `make run` starts everything locally, `make test` runs every check and test.
SHELL := /bin/bash
PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PACKAGES := libs/contracts/src libs/runtime/src services/objectives/src services/gateway/src deploy/local/src

.PHONY: run test lint bench sync

$(UV):
	$(PYTHON) -m pip install --user --quiet uv

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
