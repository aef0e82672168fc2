# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-versions lint typecheck notebook bench clean chromium java virtuoso ontology w3c screenshots mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The package is installed in setuptools' strict editable mode: a tree of links under build/ that
# maps the design card's folders (core/ graph/ loaders/ ...) to `impactkg.*`, so that static tools
# (mypy, pyright) follow the imports as Python does. A new or removed module changes the list of
# files below and the install is refreshed.
EDITABLE := --config-settings editable_mode=strict
FILES_ID := $(shell (git ls-files -co --exclude-standard core graph loaders queries ontology data 2>/dev/null || ls -R core graph loaders queries ontology data) | sort | cksum | cut -d' ' -f1)

$(VENV)/.files-$(FILES_ID): | $(BIN)/python
	rm -f $(VENV)/.files-*
	touch $@

# Installed once per change of pyproject.toml or of the list of files; `make test` adds the test extras.
# pip shows its progress (what it collects and installs); setuptools' notice that the install is
# a strict editable one (the mode chosen above) is silenced, nothing else.
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --progress-bar on $(EDITABLE)
$(VENV)/.installed: pyproject.toml $(VENV)/.files-$(FILES_ID) | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.files-$(FILES_ID) | $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'
	touch $(VENV)/.installed $@

# Build the graph from the embedded dataset, show a few answers, then serve it: SPARQL at
# http://127.0.0.1:8000/sparql and the pages (queries, resources, maps) at http://127.0.0.1:8000/
# until Ctrl-C. PORT=8080 make run picks another port.
PORT ?= 8000
run: $(VENV)/.installed
	$(BIN)/impactkg build
	$(BIN)/impactkg info
	$(BIN)/impactkg query indicators-for-target --param target=11.b
	$(BIN)/impactkg query case-map
	$(BIN)/impactkg serve --port $(PORT)

# The map tests drive Debian's chromium headless (playwright's own browsers are never downloaded);
# it is installed when missing (CI runs as root).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# `impactkg reason` runs HermiT (bundled with owlready2) on Java: a headless JRE is installed
# when no `java` is on the PATH (without one, reasoning falls back to OWL 2 RL rules).
java:
	@command -v java >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless)

# The remote back-end tests start a private Virtuoso on loopback (Oxigraph server comes with the
# `oxigraph` package of the test extras); Virtuoso is installed when missing (CI runs as root).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource-7-bin)

test: $(VENV)/.installed-test chromium java virtuoso
	$(BIN)/ruff check .
	$(BIN)/python -m mypy -p impactkg
	$(BIN)/python -m pytest

# The suite on each CPython >= 3.11 on the machine (python3.X on the PATH, pyenv's versions),
# each in its own venv .venv-3.X; PYTEST_ARGS="tests/test_queries.py" runs a subset.
test-versions: chromium java virtuoso
	bash .ci/test-versions $(PYTEST_ARGS)

# JupyterLab on the tutorials, from the project's .venv.
notebook: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[notebook]'
	$(BIN)/jupyter lab notebooks/

# Benchmarks at 10^4-10^6 triples against pyoxigraph and rdflib, maps in headless chromium
# against pyvis (not part of `make test`, which runs a --quick smoke of it): writes
# bench/results.md in about 11 minutes; see bench/README.md.
bench: $(VENV)/.installed-test chromium
	$(BIN)/python -m bench.run

# The W3C SPARQL 1.1 conformance harness alone (`make test` runs it too): tests/w3c/README.md.
w3c: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/w3c

# The RDF/XML copy of the ontology, written from ontology/impactkg.ttl: run after editing the
# Turtle and commit both (the tests check they agree).
ontology: $(VENV)/.installed
	$(BIN)/python -m impactkg.ontology.rdfxml

# The README's screenshots (docs/screenshots/), taken by the browser tests in headless chromium.
screenshots: $(VENV)/.installed-test chromium
	IMPACTKG_SCREENSHOTS=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_query_editor.py tests/test_ui_browser.py tests/test_maps_readable.py

# Mutation testing of the core modules (not part of `make test`; tests/test_mutation_config.py
# checks its configuration): cosmic-ray mutates each module of mutation/config.toml in two copies
# of the sources (one per core) and runs the fast tests that cover it; writes mutation/report.md
# (surviving mutants by file and line) in under 30 minutes. See mutation/README.md.
$(VENV)/.installed-mutation: pyproject.toml $(VENV)/.installed-test
	$(PIP_INSTALL) -e '.[test,mutation]'
	touch $@

mutation: $(VENV)/.installed-mutation
	$(BIN)/python -m mutation.run

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# mypy on the installed package (through the strict editable tree), configured in pyproject.toml.
typecheck: $(VENV)/.installed-test
	$(BIN)/python -m mypy -p impactkg

clean:
	rm -rf $(VENV) .venv-3.* build dist *.egg-info .pytest_cache
