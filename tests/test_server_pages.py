"""What the pages of ``impactkg serve`` rely on, over HTTP: raw UTF-8 in a request line (as curl
sends it unencoded) read as UTF-8, an edited named query run with its parameters, downloads named
after the query and its parameters and byte-identical to ``impactkg export``, the schema as JSON,
the ontology reference, and the page files (the Japanese web font with its licence)."""

from __future__ import annotations

import csv
import io
import json
import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest
from servers import impactkg_server

from impactkg import KnowledgeGraph
from impactkg.graph.export.tables import spreadsheet_text
from impactkg.graph.export.webfont import font_file
from impactkg.queries import get


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    with KnowledgeGraph.open(folder / "store") as kg:
        kg.build()
    with impactkg_server(folder, "--store", str(folder / "store")) as srv:
        srv.kg = KnowledgeGraph.open(folder / "store", read_only=True)
        yield srv
        srv.kg.close()


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def raw_get(base: str, target: bytes) -> tuple[int, bytes]:
    """A GET whose request line is sent as the bytes given (no percent-encoding)."""
    host, port = urllib.parse.urlsplit(base).netloc.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def test_raw_utf8_in_the_query_string_is_read_as_utf8(site):
    status, body = raw_get(site.base, "/queries/label-search?q=インフラ&format=csv".encode())
    expected = site.kg.query("label-search", q="インフラ").serialize("csv")
    assert status == 200 and body == expected
    assert len(csv_rows(body)) == 1 + 6  # the header and the six resources labelled with インフラ
    status, body = raw_get(site.base, "/search?q=インフラ".encode())
    assert status == 200 and "6 件".encode() in body
    status, body = raw_get(site.base, b"/queries/label-search?q=\xff\xfe")
    assert (status, body) == (400, b"the request line is not UTF-8\n")


def test_an_edited_named_query_runs_with_the_named_querys_parameters(site):
    text = "# my note\n" + get("indicators-for-target").text
    bare = "\n".join(line for line in text.splitlines() if not line.startswith("#"))  # no header at all
    expected = site.kg.query("indicators-for-target", target="11.b").serialize("csv")
    for edited in (text, bare):
        qs = urllib.parse.urlencode({"target": "11.b", "query": edited, "format": "csv"})
        status, _, body = request(f"{site.base}/queries/indicators-for-target?{qs}")
        assert (status, body) == (200, expected)
        form = urllib.parse.urlencode({"query": edited, "format": "csv"}).encode()
        status, _, body = request(f"{site.base}/queries/indicators-for-target?target=11.b", form,
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        assert (status, body) == (200, expected)
    assert len(csv_rows(expected)) == 18
    qs = urllib.parse.urlencode({"query": bare, "format": "csv"})
    status, _, body = request(f"{site.base}/queries/indicators-for-target?{qs}")
    assert (status, body) == (400, b"indicators-for-target: missing required parameter 'target' "
                                   b"(SDG target code, e.g. 11.b or 3.4)\n")
    qs = urllib.parse.urlencode({"query": bare, "target": "11.b", "colour": "red"})
    status, _, body = request(f"{site.base}/queries/indicators-for-target?{qs}")
    assert (status, body) == (400, b"indicators-for-target: unknown parameter 'colour' (parameters: status, target)\n")
    qs = urllib.parse.urlencode({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    status, _, body = request(f"{site.base}/queries/case-map?{qs}")
    assert status == 400


def test_downloads_are_named_after_the_query_and_match_export(site, tmp_path):
    from impactkg.graph.export.write import export

    url = f"{site.base}/queries/indicators-for-target?target=11.b&format=csv&download=1"
    status, headers, body = request(url)
    assert status == 200
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"indicators-for-target_target-11.b.csv\"; "
        "filename*=UTF-8''indicators-for-target_target-11.b.csv"
    )
    export(site.kg, tmp_path / "x.csv", "csv", query="indicators-for-target", params={"target": "11.b"})
    assert body == (tmp_path / "x.csv").read_bytes() == spreadsheet_text(
        site.kg.query("indicators-for-target", target="11.b"), "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    # the machine form stays the SPARQL CSV, without a byte-order mark
    status, headers, body = request(f"{site.base}/queries/indicators-for-target?target=11.b",
                                    headers={"Accept": "text/csv"})
    assert body == site.kg.query("indicators-for-target", target="11.b").serialize("csv")
    assert not body.startswith(b"\xef\xbb\xbf")


def test_schema_json_and_the_ontology_reference(site):
    status, headers, body = request(f"{site.base}/schema.json")
    doc = json.loads(body)
    indicator = next(c for c in doc["classes"] if c["curie"] == "ikg:Indicator")
    assert (indicator["count"], indicator["label"]) == (36, {"ja": "インパクト指標", "en": "Indicator"})
    unit = next(p for p in doc["properties"] if p["curie"] == "ikg:unitText")
    assert unit["on"] == ["ikg:Indicator", "ikg:SourceFragment"] and unit["count"] == 35 + 25
    status, headers, body = request(f"{site.base}/docs/")
    assert status == 200 and b'id="diagram"' in body and b"@font-face{font-family:'impactkg-ja'" in body
    assert "font-src data:" in headers["Content-Security-Policy"]
    status, headers, body = request(f"{site.base}/docs/shapes.ttl")
    assert status == 200 and headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert request(f"{site.base}/docs/../app.py")[0] == 404


def test_the_japanese_web_font_and_its_licence_are_served(site):
    status, headers, body = request(f"{site.base}/static/fonts/IPAexGothic.ttf")
    assert status == 200 and headers["Content-Type"] == "font/ttf"
    assert headers["Cache-Control"] == "max-age=86400" and headers.get_all("Cache-Control") == ["max-age=86400"]
    assert body == font_file().read_bytes()
    status, headers, body = request(f"{site.base}/static/fonts/IPA_Font_License_Agreement_v1.0.txt")
    assert status == 200 and b"IPA Font License Agreement v1.0" in body
    status, _, body = request(f"{site.base}/static/yasgui/LICENSE.txt")
    assert status == 200 and b"The MIT License" in body
    assert request(f"{site.base}/static/nothing.js")[0] == 404
