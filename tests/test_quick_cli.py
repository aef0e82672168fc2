"""A quick command line: the commands that only read or print import none of the heavy libraries
(they are imported by the commands that need them), and the shortcuts that make them quick change
nothing a user sees: the same help, the same errors for a wrong choice, the same version, a query
that runs beside a process that writes the store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from impactkg import KnowledgeGraph

SCRIPT = str(Path(sys.executable).with_name("impactkg"))
HEAVY = {"rdflib", "networkx", "numpy", "matplotlib", "owlready2", "pyshacl", "pandas", "openpyxl"}


def _imports(*args: str, env: dict | None = None) -> tuple[set[str], subprocess.CompletedProcess]:
    """The top-level packages a command imports, and its run."""
    run = subprocess.run([sys.executable, "-X", "importtime", SCRIPT, *args], capture_output=True,
                         text=True, env=env, check=False)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in run.stderr.splitlines()
             if line.startswith("import time:")}
    return names, run


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["queries"], ["query", "--help"]])
def test_quick_commands_import_no_heavy_library(args):
    names, run = _imports(*args)
    assert run.returncode == 0, run.stderr[-500:]
    assert not names & HEAVY, sorted(names & HEAVY)


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_version_and_help_import_neither_dataclasses_nor_pathlib(args):
    """``dataclasses`` (with ``inspect``, ``ast`` and ``dis``) and ``pathlib`` (with
    ``urllib.parse``) cost more CPU than the rest of ``--version``: the error classes and the
    command modules do without them until a command needs them."""
    names, run = _imports(*args)
    assert run.returncode == 0, run.stderr[-500:]
    assert not names & {"dataclasses", "inspect", "pathlib", "typing", "wcwidth"}, sorted(names)


def test_the_terminal_table_does_without_wcwidth(store):
    names, run = _imports("query", "targets-without-indicator", "--store", str(store))
    assert run.returncode == 0, run.stderr[-500:]
    assert "wcwidth" not in names and "貧困をなくそう" in run.stdout


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("quick-store")
    with KnowledgeGraph.open(folder) as kg:
        kg.build()
    return folder


def test_a_named_query_imports_no_heavy_library(store):
    names, run = _imports("query", "targets-without-indicator", "--store", str(store), "--format", "csv")
    assert run.returncode == 0, run.stderr[-500:]
    assert not names & HEAVY, sorted(names & HEAVY)
    lines = run.stdout.splitlines()
    assert lines[0] == "targetCode,goalCode,goalLabel,goal" and len(lines) == 164


def test_a_query_with_a_checked_parameter_imports_no_heavy_library(store):
    """An SDG target is read and looked up in the graph without the loaders' libraries."""
    names, run = _imports("query", "indicators-for-target", "-p", "target=11.b", "--store", str(store), "--format", "csv")
    assert run.returncode == 0, run.stderr[-500:]
    assert not names & HEAVY, sorted(names & HEAVY)
    lines = run.stdout.splitlines()
    assert lines[0] == "id,indicator,unit,domain,impact,activity,result,line,source,target" and len(lines) == 18
    assert all(line.endswith(",http://metadata.un.org/sdg/11.b") for line in lines[1:])


def test_a_query_runs_beside_a_process_that_writes_the_store(store):
    with KnowledgeGraph.open(store) as writer:  # holds the store's write lock
        assert len(writer) > 0
        run = subprocess.run([SCRIPT, "query", "units-in-use", "--store", str(store), "--format", "tsv"],
                             capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "?unit\t?notation\t?qudt\t?indicators" and len(run.stdout.splitlines()) == 10


def test_the_help_lists_every_command_and_a_command_its_arguments():
    top = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("build", "load", "validate", "info", "template", "query", "queries", "update", "export",
                    "report", "map", "docs", "reason", "import", "crosswalk", "serve"):
        assert re.search(rf"^    {command}\b", top, re.MULTILINE), command
    assert "$IMPACTKG_STORE" in top
    export = subprocess.run([SCRIPT, "export", "--help"], capture_output=True, text=True, check=True).stdout
    assert "ttl, nt, nq, trig, jsonld, xml, graphml" in " ".join(export.split())
    assert "--figure FIGURE" in export


@pytest.mark.parametrize("args,needle", [
    (["template", "nope", "-o", "x.csv"], "invalid choice: 'nope' (choose from 'concepts', 'sdg'"),
    (["map", "nope", "-o", "x.html"], "invalid choice: 'nope' (choose from 'logic', 'system'"),
    (["export", "-o", "x.svg", "--figure", "nope"], "invalid choice: 'nope' (choose from 'chain', 'system'"),
    (["nope"], "invalid choice: 'nope' (choose from 'build', 'load'"),
])
def test_choices_read_when_needed_still_refuse_a_wrong_value(args, needle):
    run = subprocess.run([SCRIPT, *args], capture_output=True, text=True, check=False)
    assert run.returncode == 2 and needle in run.stderr


def test_the_version_is_the_installed_distributions():
    import impactkg
    from impactkg.cli import STORE_ENV
    from impactkg.graph.store import STORE_ENV as STORE

    out = subprocess.run([SCRIPT, "--version"], capture_output=True, text=True, check=True).stdout
    assert out == f"impactkg {version('impactkg')}\n" == f"impactkg {impactkg.__version__}\n"
    assert STORE_ENV == STORE


def test_without_a_graph_the_query_command_builds_it_first(tmp_path):
    env = dict(os.environ, IMPACTKG_STORE=str(tmp_path / "new"))
    run = subprocess.run([SCRIPT, "query", "units-in-use", "--format", "csv"], capture_output=True, text=True,
                         env=env, check=False)
    assert run.returncode == 0 and "building the embedded dataset first" in run.stderr
    assert len(run.stdout.splitlines()) == 10
