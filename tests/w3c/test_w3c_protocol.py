"""W3C SPARQL 1.1 Protocol tests (protocol/manifest.ttl) against ``oxigraph serve`` (the
reference), ``impactkg serve`` read-only and ``impactkg serve --allow-update --token T``.

impactkg passes every test oxigraph serve passes: the read-only server may instead refuse an
update (403), a refusal by design, counted apart (see README.md)."""

from __future__ import annotations

import pytest

from . import w3c_expect
from .w3c_doors import Features
from .w3c_manifest import ProtocolTest, protocol_suite, require_suite
from .w3c_protocol import run

require_suite()

TESTS = protocol_suite()
SERVERS = ("oxigraph-serve", "impactkg-ro", "impactkg-rw")


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
@pytest.mark.parametrize("server", SERVERS)
def test_protocol(test: ProtocolTest, server: str, request: pytest.FixtureRequest, feats: Features) -> None:
    target = request.getfixturevalue(server.replace("-", "_"))
    outcome = run(test, target)
    if outcome.status == "refused":
        w3c_expect.refused("protocol", test.id, server, outcome.detail)
    why = None if outcome.status == "pass" else outcome.detail
    w3c_expect.judge("protocol", test.id, server, why)
