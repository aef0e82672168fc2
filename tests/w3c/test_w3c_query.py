"""W3C SPARQL 1.1 query evaluation and syntax tests (the folders manifest-sparql11-query.ttl
lists), on plain pyoxigraph (the reference) and through impactkg's Python API, in every
serialisation of the result. Known failures: known-failures.tsv (see w3c_expect)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from . import w3c_expect
from .w3c_compare import mismatch
from .w3c_doors import Api, DoorError, Features, Reference, read_query
from .w3c_manifest import (
    QueryTest,
    SyntaxTest,
    not_applicable_suite,
    query_suite,
    require_suite,
    update_syntax_suite,
)
from .w3c_query_text import order_keys, tokens
from .w3c_results import Boolean, Graph, Result, parse_expected

require_suite()

EVAL, SYNTAX = query_suite()
UPDATE_SYNTAX = update_syntax_suite()
WORKER = Path(__file__).resolve().parent / "w3c_syntax_worker.py"


@cache
def expected(test: QueryTest) -> Result:
    assert test.result is not None, f"{test.id} has no mf:result"
    return parse_expected(test.result)


def api_formats(test: QueryTest) -> list[str]:
    """The serialisations a result of this kind has (SPARQL 1.1 Query Results; ASK has no
    CSV/TSV form, graphs are RDF)."""
    kind = expected(test)
    if isinstance(kind, Boolean):
        return ["rows", "json", "xml"]
    if isinstance(kind, Graph):
        return ["rows", "ttl", "nt"]
    return ["rows", "json", "xml", "csv", "tsv"]


def evaluate(test: QueryTest, run) -> str | None:  # noqa: ANN001 - a door's run()
    if test.not_applicable:
        pytest.skip(test.not_applicable)
    try:
        actual = run()
    except DoorError as exc:
        return str(exc)
    return mismatch(actual, expected(test), order_keys(read_query(test)))


@pytest.mark.parametrize("test", EVAL, ids=lambda t: t.id)
def test_reference(test: QueryTest, reference: Reference) -> None:
    """Plain pyoxigraph passes every evaluation test but those of known-failures.tsv."""
    why = evaluate(test, lambda: reference.run(test))
    w3c_expect.judge("query-eval", test.id, "pyoxigraph", why)


@pytest.mark.parametrize(
    ("test", "fmt"), [(t, f) for t in EVAL for f in api_formats(t)], ids=lambda x: getattr(x, "id", x)
)
def test_api(test: QueryTest, fmt: str, api: Api, feats: Features) -> None:
    """``kg.query(text, default_graph_uri=, named_graph_uri=, base_iri=)``, read back through
    its rows and through ``serialize(fmt)``: the same answers as the W3C expects."""
    reason = api.unsupported(test, fmt)
    if reason:
        pytest.skip(reason)
    why = evaluate(test, lambda: api.run(test, fmt))
    w3c_expect.judge("query-eval", test.id, f"api-{fmt}", why)


@pytest.mark.parametrize("test", not_applicable_suite(), ids=lambda t: t.id)
def test_not_applicable(test: QueryTest) -> None:
    """Entailment-regime and federated (SERVICE) tests are recorded as not applicable, each
    with its reason: impactkg evaluates simple entailment, and nothing reaches the network."""
    assert test.not_applicable, f"{test.id} is neither an entailment nor a federated query test"
    w3c_expect.record("not-applicable", "-", test.id, "n/a", test.not_applicable)
    pytest.skip(test.not_applicable)


# ------------------------------------------------------------------ syntax
def _networked(text: str) -> bool:
    return any(k == "word" and v.upper() in ("SERVICE", "LOAD") for k, v, _ in tokens(text))


@cache
def _isolation() -> list[str] | None:
    """``unshare -rn`` (a process without a network) when this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return None


@pytest.fixture(scope="session")
def parsed(feats: Features) -> dict[tuple[str, str], tuple[bool | None, str] | str]:
    """Every syntax test through pyoxigraph and impactkg's API, in one worker process without
    a network. A text with SERVICE or LOAD gets a skip reason when no isolation is possible."""
    jobs, keys, out = [], [], {}
    isolation = _isolation()
    for t in SYNTAX + UPDATE_SYNTAX:
        text = t.file.read_text(encoding="utf-8")
        doors = ["pyoxigraph"] if t.update else ["pyoxigraph", "api"]
        for door in doors:
            if isolation is None and _networked(text):
                out[(t.id, door)] = "no network isolation here (unshare -rn) for a text with SERVICE or LOAD"
                continue
            jobs.append({"door": door, "update": t.update, "text": text, "base": t.file.resolve().as_uri(),
                         "dataset_api": feats.api_dataset})
            keys.append((t.id, door))
    proc = subprocess.run([*(isolation or []), sys.executable, str(WORKER)], input=json.dumps(jobs),
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"the syntax worker failed: {proc.stderr[-2000:]}")
    for key, (ok, message) in zip(keys, json.loads(proc.stdout), strict=True):
        out[key] = (ok, message)
    return out


def _syntax_verdict(test: SyntaxTest, outcome: tuple[bool | None, str] | str) -> str | None:
    if isinstance(outcome, str):
        pytest.skip(outcome)
    ok, message = outcome
    if ok is None:
        return message
    if test.positive and not ok:
        return f"refused a valid text: {message}"
    if not test.positive and ok:
        return f"accepted an invalid text{': ' + message if message else ''}"
    return None


@pytest.mark.parametrize("test", SYNTAX, ids=lambda t: t.id)
@pytest.mark.parametrize("door", ["pyoxigraph", "api"])
def test_syntax(test: SyntaxTest, door: str, parsed, feats: Features) -> None:
    """Positive syntax tests parse, negative ones are refused, on pyoxigraph and impactkg."""
    why = _syntax_verdict(test, parsed[(test.id, door)])
    w3c_expect.judge("query-syntax", test.id, "pyoxigraph" if door == "pyoxigraph" else "api-parse", why)


@pytest.mark.parametrize("test", UPDATE_SYNTAX, ids=lambda t: t.id)
def test_update_syntax(test: SyntaxTest, parsed, feats: Features) -> None:
    """The update syntax tests on pyoxigraph (impactkg's only update door is the endpoint,
    which checks LOAD and SERVICE before it parses: see README.md)."""
    why = _syntax_verdict(test, parsed[(test.id, "pyoxigraph")])
    w3c_expect.judge("update-syntax", test.id, "pyoxigraph", why)
