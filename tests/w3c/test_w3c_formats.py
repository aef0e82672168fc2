"""W3C SPARQL 1.1 result-format tests (csv-tsv-res, json-res: manifest-sparql11-results.ttl) on
plain pyoxigraph and through impactkg's three doors, each in the test's own format: the Python
API (``serialize``), the command line (``impactkg query -f``) and the read-only endpoint
(``Accept``). The expected files are compared by the W3C rules of their format (w3c_compare):
CSV has LF line ends in the suite, where the format asks for CRLF, so it cannot be byte-for-byte;
impactkg's own CSV must use CRLF."""

from __future__ import annotations

import pytest

from . import w3c_expect
from .w3c_compare import mismatch
from .w3c_doors import Api, Cli, DoorError, Endpoint, Features, Reference, read_query
from .w3c_manifest import QueryTest, require_suite, results_suite
from .w3c_query_text import order_keys
from .w3c_results import parse_expected

require_suite()

TESTS = results_suite()
FORMAT = {".csv": "csv", ".tsv": "tsv", ".srj": "json", ".srx": "xml"}


def fmt(test: QueryTest) -> str:
    assert test.result is not None
    return FORMAT[test.result.suffix]


def evaluate(test: QueryTest, run) -> str | None:  # noqa: ANN001 - a door's run()
    try:
        actual = run()
    except DoorError as exc:
        return str(exc)
    assert test.result is not None
    return mismatch(actual, parse_expected(test.result), order_keys(read_query(test)))


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_reference(test: QueryTest, reference: Reference) -> None:
    why = evaluate(test, lambda: reference.run(test))
    w3c_expect.judge("results", test.id, "pyoxigraph", why)


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_api(test: QueryTest, api: Api, feats: Features) -> None:
    reason = api.unsupported(test, fmt(test))
    if reason:
        pytest.skip(reason)
    why = evaluate(test, lambda: api.run(test, fmt(test)))
    w3c_expect.judge("results", test.id, "api", why)


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_cli(test: QueryTest, cli: Cli, feats: Features) -> None:
    why = evaluate(test, lambda: cli.run(test, fmt(test)))
    w3c_expect.judge("results", test.id, "cli", why)


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_endpoint(test: QueryTest, endpoint: Endpoint, feats: Features) -> None:
    why = evaluate(test, lambda: endpoint.run(test, fmt(test)))
    w3c_expect.judge("results", test.id, "endpoint", why)
