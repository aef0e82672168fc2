"""A write killed at any moment leaves the store in its old state or its new one, never between
(``kill -9`` of ``impactkg load`` and ``impactkg build`` early, in the middle and late, at exact
steps and at moments of the run), and reopening a store an interrupted write touched says so.

Each case starts from a copy of the same store, so every run is compared with the same two
states: the store before the command (old) and after an uninterrupted run of it (new), as sorted
N-Quads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from impactkg import KnowledgeGraph
from impactkg.graph.backends.versions import KILL_AT_ENV

BIN = Path(sys.executable).parent / "impactkg"
G = "https://example.org/graph/mine"
#: The exact steps of a write (graph/backends/versions.py): after the next version is made, after
#: the old graph's content was copied aside (when most of the store is replaced), after the new
#: content is written, after the version is flushed (before CURRENT names it), after CURRENT names it.
STEPS_BEFORE = ("staged", "copied", "written", "flushed")
STEP_AFTER = "committed"


def triples(path: Path, n: int, tag: str) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(f'<https://example.org/{tag}/s{i}> <https://example.org/p{i % 7}> "{tag} {i}" .\n')
    return path


def state(store: Path) -> str:
    """The store's quads, sorted, as one digest (and the count), opened read-only."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what it says is checked where it matters
        kg = KnowledgeGraph.open(store, read_only=True)
    try:
        lines = kg.canonical_nquads()
    finally:
        kg.close()
    return f"{len(lines)}:{hashlib.sha256(chr(10).join(lines).encode()).hexdigest()}"


def run(args: list[str], store: Path, kill_at: str | None = None, after: float | None = None) -> tuple[int, float]:
    env = dict(os.environ)
    env.pop(KILL_AT_ENV, None)
    if kill_at:
        env[KILL_AT_ENV] = kill_at
    t = time.monotonic()
    proc = subprocess.Popen([str(BIN), *args, "--store", str(store)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if after is not None:
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=600)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(f"impactkg {' '.join(args)} failed: {err}")
    return proc.returncode, time.monotonic() - t


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A built store holding the graph ``G`` (60,000 triples: replacing it copies what stays into
    an empty version), the file that replaces it (150,000 triples), and the two states."""
    root = tmp_path_factory.mktemp("crash")
    old_file = triples(root / "old.nt", 60_000, "old")
    new_file = triples(root / "new.nt", 150_000, "new")
    pristine = root / "pristine"
    with KnowledgeGraph.open(pristine) as kg:
        kg.build()
        kg.load(old_file, graph=G)
    done = root / "done"
    shutil.copytree(pristine, done)
    _, seconds = run(["load", str(new_file), "--graph", G], done)
    return {"root": root, "pristine": pristine, "file": new_file, "old": state(pristine),
            "new": state(done), "seconds": seconds}


def fresh_copy(stores, name: str) -> Path:
    target = stores["root"] / name
    shutil.copytree(stores["pristine"], target)
    return target


def reopen_notices(store: Path) -> list[str]:
    """What opening the store for writing says (its StoreWarnings, as ``kg.notices``)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kg = KnowledgeGraph.open(store)
    try:
        return list(kg.notices)
    finally:
        kg.close()


def test_the_two_states_differ(stores):
    assert stores["old"] != stores["new"]
    assert stores["new"].startswith(str(int(stores["old"].split(":")[0]) - 60_000 + 150_000) + ":")


@pytest.mark.parametrize("step", STEPS_BEFORE)
def test_load_killed_before_it_switches_leaves_the_old_state_and_says_so(stores, step):
    store = fresh_copy(stores, f"load-{step}")
    code, _ = run(["load", str(stores["file"]), "--graph", G], store, kill_at=step)
    assert code == -signal.SIGKILL
    assert state(store) == stores["old"]  # read-only: the unfinished version is left alone ...
    ro = KnowledgeGraph.open(store, read_only=True)
    assert any("interrupted write" in n and "next write removes" in n for n in ro.notices), ro.notices
    ro.close()
    notices = reopen_notices(store)  # ... and the next writer discards it, saying so
    assert len(notices) == 1 and "interrupted write" in notices[0] and "discarded" in notices[0]
    assert "store is as it was before that write" in notices[0]
    assert state(store) == stores["old"]
    assert reopen_notices(store) == []
    assert sorted(p.name for p in (store / "versions").iterdir() if p.is_dir()) == [
        (store / "CURRENT").read_text().strip().split("/")[1]]


def test_load_killed_after_it_switches_has_the_new_state(stores):
    store = fresh_copy(stores, "load-committed")
    code, _ = run(["load", str(stores["file"]), "--graph", G], store, kill_at=STEP_AFTER)
    assert code == -signal.SIGKILL
    assert state(store) == stores["new"]
    assert reopen_notices(store) == []  # nothing unfinished: only the old version to tidy


@pytest.mark.parametrize("fraction", (0.25, 0.5, 0.75, 0.95))
def test_load_killed_at_any_moment_is_old_or_new(stores, fraction):
    store = fresh_copy(stores, f"load-at-{fraction}")
    code, _ = run(["load", str(stores["file"]), "--graph", G], store, after=fraction * stores["seconds"])
    assert state(store) in (stores["old"], stores["new"]), f"killed ({code}) at {fraction:.0%} of the run"
    reopen_notices(store)
    assert state(store) in (stores["old"], stores["new"])
    with KnowledgeGraph.open(store) as kg:  # and the store takes the load again
        kg.load(stores["file"], graph=G)
    assert state(store) == stores["new"]


# ---------------------------------------------------------------------- build
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash-build")
    done = root / "done"
    _, seconds = run(["build"], done)
    empty = root / "empty"
    KnowledgeGraph.open(empty).close()
    return {"root": root, "new": state(done), "old": state(empty), "seconds": seconds, "empty": empty}


@pytest.mark.parametrize("step", ("staged", "written", "flushed"))
def test_build_killed_before_it_switches_leaves_the_store_empty(built, step):
    store = built["root"] / f"build-{step}"
    shutil.copytree(built["empty"], store)
    code, _ = run(["build"], store, kill_at=step)
    assert code == -signal.SIGKILL
    assert state(store) == built["old"] == "0:" + hashlib.sha256(b"").hexdigest()
    assert any("discarded" in n for n in reopen_notices(store))


@pytest.mark.parametrize("fraction", (0.3, 0.6, 0.9))
def test_build_killed_at_any_moment_is_empty_or_complete(built, fraction):
    """Before, a build killed at 0.6 s left 4,553 of 9,513 quads, and indicators-for-target 11.b
    then answered 0 rows with no warning."""
    store = built["root"] / f"build-at-{fraction}"
    shutil.copytree(built["empty"], store)
    run(["build"], store, after=fraction * built["seconds"])
    assert state(store) in (built["old"], built["new"]), f"killed at {fraction:.0%} of the build"


def test_build_killed_after_it_switches_is_complete(built):
    store = built["root"] / "build-committed"
    shutil.copytree(built["empty"], store)
    code, _ = run(["build"], store, kill_at=STEP_AFTER)
    assert code == -signal.SIGKILL
    assert state(store) == built["new"]
    with KnowledgeGraph.open(store, read_only=True) as kg:
        assert len(kg.query("indicators-for-target", target="11.b")) == 17


# ---------------------------------------------------------------------- the earlier layout
def legacy_store(folder: Path, graphs: dict[str, int], listed: list[str] | None) -> Path:
    """A store as impactkg wrote it before versions: the database in DIR/oxigraph, and
    impactkg.json listing the graphs its last complete write left."""
    folder.mkdir(parents=True)
    store = ox.Store(str(folder / "oxigraph"))
    for g, n in graphs.items():
        node = ox.NamedNode(g)
        store.extend(ox.Quad(ox.NamedNode(f"{g}/s{i}"), node, ox.Literal(str(i)), node) for i in range(n))
    store.flush()
    del store
    if listed is not None:
        (folder / "impactkg.json").write_text(json.dumps({"format": "impactkg-store", "version": 1, "graphs": listed}))
    return folder


def test_a_store_of_the_earlier_layout_is_read_and_moved_to_versions_on_its_first_write(tmp_path):
    store = legacy_store(tmp_path / "old", {G: 5}, [G])
    with KnowledgeGraph.open(store) as kg:
        assert kg.notices == [] and len(kg) == 5
        kg.update("INSERT DATA { GRAPH <https://example.org/graph/other> { <https://e/a> <https://e/b> 1 } }")
    assert not (store / "oxigraph").exists()
    assert (store / "CURRENT").read_text().strip() == "versions/v000001"
    with KnowledgeGraph.open(store, read_only=True) as kg:
        assert len(kg) == 6


def test_a_store_of_the_earlier_layout_left_incomplete_says_so_and_how_to_repair(tmp_path):
    """The old replace-graphs step removed, then inserted, in separate transactions: a kill left
    a graph missing (or one never recorded); its impactkg.json says what the last complete write
    left."""
    consortium = "https://w3id.org/impactkg/graph/consortium/catalogue"
    store = legacy_store(tmp_path / "old", {"https://w3id.org/impactkg/graph/ontology": 3},
                         ["https://w3id.org/impactkg/graph/ontology", consortium])
    with pytest.warns(UserWarning, match="left incomplete"):
        kg = KnowledgeGraph.open(store, read_only=True)
    kg.close()
    proc = subprocess.run([str(BIN), "info", "--store", str(store)], capture_output=True, text=True)
    warning = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert warning == [
        f"impactkg: warning: the store at {store} may have been left incomplete by a write that was "
        "interrupted (written by an earlier impactkg, which replaced graphs in several steps): 1 graph(s) "
        f"missing ({consortium}). Repair it: 'impactkg build --store {store}' restores the ontology and "
        "the embedded dataset; then load your own files again"]
    subprocess.run([str(BIN), "build", "--store", str(store)], check=True, capture_output=True)
    proc = subprocess.run([str(BIN), "info", "--store", str(store)], capture_output=True, text=True)
    assert "warning" not in proc.stderr
