# Two commands on a fresh machine: `make run` (serve/index the demo vault) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
DEMO   := fixtures/demo-vault

.PHONY: run test install install-dev browser plugin lint typecheck bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first and pinned, so pip takes the local CPU build instead of a multi-GB CUDA one.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[server,search,mcp]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[server,search,mcp,dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(VENV)/bin/vaultql serve $(DEMO)

# Debian's Chromium for the page and plugin end-to-end tests (root, as on these machines and CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }

# The Obsidian plugin: reproducible install from the lock file, then the esbuild bundle.
plugin:
	cd plugin-js && npm ci --no-audit --no-fund --loglevel=error && npm run build

# The plugin's release: main.js, manifest.json and styles.css in plugin-js/dist/vaultql-<version>/
# and plugin-js/dist/vaultql-<version>.zip; fails unless manifest.json, versions.json and
# package.json agree on the version.
.PHONY: plugin-release
plugin-release: plugin
	cd plugin-js && node scripts/release.mjs

lint: install-dev
	$(VENV)/bin/ruff check query server tests bench tools
	$(VENV)/bin/lint-imports

typecheck: install-dev
	$(VENV)/bin/mypy

test: install-dev browser plugin
	$(VENV)/bin/ruff check query server tests bench tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	VAULTQL_REQUIRE_BROWSER=1 $(PY) -m pytest

bench: install
	$(PY) bench/bench_catalog.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
