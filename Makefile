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

# Debian's Chromium drives the portal's browser tests (Playwright is pointed at it).
CHROMIUM ?= /usr/bin/chromium
WEB := deploy/web

.PHONY: run test lint bench sync browser

.qms/tools/bin/uv:
	$(PYTHON) -m venv .qms/tools
	.qms/tools/bin/pip install --quiet uv

sync: $(UV) $(WEB)/node_modules/.package-lock.json
	$(UV) sync --all-packages --frozen

# htmx (served by the gateway) and axe-core (for the accessibility tests), from the npm registry.
$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install npm)"; exit 1; }
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error

browser:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }; }; } || \
	  { echo "Chromium is missing at $(CHROMIUM): install Debian's package 'chromium' (as root: apt-get install chromium), or set CHROMIUM=/path/to/chromium"; exit 1; }

run: sync
	QMS_DEV_AUTH=1 $(UV) run --frozen python -m qms_local

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy $(PACKAGES)

test: lint browser
	QMS_CHROMIUM=$(CHROMIUM) $(UV) run --frozen pytest

bench: sync
	$(UV) run --frozen python -m bench
