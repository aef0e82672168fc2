"""Writing query results in the W3C formats, and choosing one from an ``Accept`` header or a
``format=`` parameter. One set of writers serves every door (Python, CLI, HTTP), so the same
result gives the same bytes everywhere.

SELECT and ASK: SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/),
XML (https://www.w3.org/TR/rdf-sparql-XMLres/), CSV and TSV
(https://www.w3.org/TR/sparql11-results-csv-tsv/), written byte for byte as Oxigraph writes them,
with two differences where Oxigraph's output would not read back the same: a carriage return in
XML is written ``&#13;`` (an XML parser turns a raw one into a line feed), and a character XML
cannot carry at all (U+0001, ...) is refused with an error naming the row and variable, instead
of a malformed file. ASK has no CSV/TSV form in the spec: it is the single word ``true`` or
``false``, as Oxigraph writes it, on every door. CONSTRUCT and DESCRIBE: Turtle, N-Triples,
JSON-LD and RDF/XML (:func:`write_rdf`).

>>> from impactkg.graph.sparql.results import QueryResult
>>> a = QueryResult("select", ["unit"], [(ox.Literal("分", language="ja"),)])
>>> serialize(a, "tsv").decode()
'?unit\\n"分"@ja\\n'
>>> negotiate("select", "text/csv;q=0.5, application/sparql-results+xml", None)
'xml'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from impactkg.errors import QueryError
from impactkg.ontology import PREFIXES

if TYPE_CHECKING:
    from impactkg.graph.sparql.results import QueryResult

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Format:
    """A result format: its short name, media type, file extension, and whether it is for graph
    results (CONSTRUCT/DESCRIBE) rather than SELECT/ASK."""

    name: str
    media_type: str
    extension: str
    for_graphs: bool


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/sparql-results+json", "srj", False),
        Format("xml", "application/sparql-results+xml", "srx", False),
        Format("csv", "text/csv", "csv", False),
        Format("tsv", "text/tab-separated-values", "tsv", False),
        Format("ttl", "text/turtle", "ttl", True),
        Format("nt", "application/n-triples", "nt", True),
        Format("jsonld", "application/ld+json", "jsonld", True),
        Format("rdfxml", "application/rdf+xml", "rdf", True),
    )
}
#: Other media types and names clients send, and the format each one means.
ALIASES = {
    "application/json": "json",
    "text/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/tsv": "tsv",
    "text/plain": "nt",
    "text/n3": "ttl",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
    "application/x-ld+json": "jsonld",
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "n3": "ttl",
}
#: A results format asked of a CONSTRUCT or DESCRIBE query, and the RDF format it means there.
GRAPH_ALIASES = {"xml": "rdfxml", "json": "jsonld"}
RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


# ---------------------------------------------------------------------- negotiation
def _accepted(accept: str) -> list[tuple[float, int, str]]:
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            out.append((-q, i, media))
    return sorted(out)


def format_for(media: str) -> str | None:
    """The format name a media type (or a short name such as ``csv``) stands for."""
    media = media.lower().strip()
    if media in FORMATS:
        return media
    for f in FORMATS.values():
        if f.media_type == media:
            return f.name
    return ALIASES.get(media)


def negotiate(form: str, accept: str | None, requested: str | None) -> str:
    """The format to answer a ``form`` query in: ``requested`` (a ``format=`` parameter) if
    given, else the acceptable one with the highest ``q`` (media ranges with ``q=0`` are never
    chosen; ``*/*`` takes the default), else the default: JSON for SELECT/ASK, Turtle for graphs.
    Raises QueryError for a requested format that the form has not."""
    graphs = form in ("construct", "describe", "graph")
    if requested:
        name = format_for(requested)
        if graphs and name is not None and not FORMATS[name].for_graphs:
            name = GRAPH_ALIASES.get(name)  # SPARQLWrapper's format=xml / json for CONSTRUCT
        if name is None or FORMATS[name].for_graphs != graphs:
            kinds = [f.name for f in FORMATS.values() if f.for_graphs == graphs]
            raise QueryError(
                f"format {requested!r} is not available for a {form.upper()} query "
                f"(use one of: {', '.join(kinds)})"
            )
        return name
    for _, _, media in _accepted(accept or ""):
        name = format_for(media)
        if name is not None and FORMATS[name].for_graphs == graphs:
            return name
    return "ttl" if graphs else "json"


def content_type(name: str) -> str:
    """The ``Content-Type`` of format ``name``, with ``charset=utf-8`` for text formats."""
    return f"{FORMATS[name].media_type}; charset=utf-8"


# ---------------------------------------------------------------------- SELECT / ASK
Plain = ox.NamedNode | ox.BlankNode | ox.Literal


def _plain(term: Any) -> Plain:
    """A term the SPARQL 1.1 result formats can carry; a quoted triple (RDF-star) is refused."""
    if isinstance(term, ox.Triple):
        raise QueryError("quoted triples (RDF-star) are not written in SPARQL 1.1 results: ask for them "
                         "with a CONSTRUCT, or take them apart in the query")
    return term


def _json_term(term: Plain) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def to_json(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results JSON (compact, UTF-8)."""
    if result.kind == "ask":
        return b'{"head":{},"boolean":' + (b"true" if result.boolean else b"false") + b"}"
    bindings = [
        {v: _json_term(_plain(t)) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.terms
    ]
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;"}
_XML_SPECIAL = re.compile("[&<>\"'\r]")


def _xml_text(text: str, where: str) -> str:
    """Escaped XML text; white space at either end as character references (it survives any
    trimming reader, and it is how Oxigraph writes it)."""
    bad = _XML_ILLEGAL.search(text)
    if bad:
        raise QueryError(
            f"{where} holds the character U+{ord(bad.group()):04X}, which XML cannot carry: "
            "ask for JSON, CSV or TSV instead"
        )
    core = text.strip(" \t\n\r")
    if core == text:
        return _XML_SPECIAL.sub(lambda m: _XML_ESCAPES[m.group()], text)
    start = len(text) - len(text.lstrip(" \t\n\r")) if core else len(text)
    end = start + len(core)
    refs = lambda part: "".join(f"&#{ord(c)};" for c in part)  # noqa: E731
    return refs(text[:start]) + _XML_SPECIAL.sub(lambda m: _XML_ESCAPES[m.group()], core) + refs(text[end:])


def to_xml(result: QueryResult) -> bytes:
    """SPARQL Query Results XML (compact, UTF-8)."""
    out = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        out.append(f"<head></head><boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<head>")
        out += [f'<variable name="{_xml_text(v, "a variable name")}"/>' for v in result.variables]
        out.append("</head><results>")
        for number, row in enumerate(result.terms, start=1):
            out.append("<result>")
            for var, given in zip(result.variables, row, strict=True):
                if given is None:
                    continue
                term = _plain(given)
                where = f"the value of ?{var} in row {number}"
                out.append(f'<binding name="{var}">')
                if isinstance(term, ox.NamedNode):
                    out.append(f"<uri>{_xml_text(term.value, where)}</uri>")
                elif isinstance(term, ox.BlankNode):
                    out.append(f"<bnode>{_xml_text(term.value, where)}</bnode>")
                elif term.language:
                    out.append(f'<literal xml:lang="{_xml_text(term.language, where)}">{_xml_text(term.value, where)}</literal>')
                elif term.datatype.value == XSD + "string":
                    out.append(f"<literal>{_xml_text(term.value, where)}</literal>")
                else:
                    out.append(
                        f'<literal datatype="{_xml_text(term.datatype.value, where)}">{_xml_text(term.value, where)}</literal>'
                    )
                out.append("</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "".join(out).encode("utf-8")


def _csv_field(text: str) -> str:
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_term(given: Any) -> str:
    if given is None:
        return ""
    term = _plain(given)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return _csv_field(term.value)


def to_csv(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results CSV: CRLF line ends, a field quoted when it holds a quote, comma,
    CR or LF; IRIs and literals as their text (datatype and language are not carried)."""
    if result.kind == "ask":
        return b"true" if result.boolean else b"false"
    lines = [",".join(_csv_field(v) for v in result.variables)]
    lines += [",".join(map(_csv_term, row)) for row in result.terms]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


_TSV_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_TSV_SPECIAL = re.compile('[\t\n\r"\\\\]')
_TURTLE_NUMBER = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+"),
}


def _tsv_string(text: str) -> str:
    return '"' + _TSV_SPECIAL.sub(lambda m: _TSV_ESCAPES[m.group()], text) + '"'


def tsv_term(given: Any) -> str:
    """A term as the SPARQL TSV format writes it: Turtle syntax, numbers and booleans bare.

    >>> tsv_term(ox.Literal("a\\tb", language="en"))
    '"a\\\\tb"@en'
    """
    if given is None:
        return ""
    term = _plain(given)
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if term.language:
        return _tsv_string(term.value) + "@" + term.language
    dt = term.datatype.value
    if dt == XSD + "string":
        return _tsv_string(term.value)
    if dt == XSD + "boolean" and term.value in ("true", "false"):
        return term.value
    pattern = _TURTLE_NUMBER.get(dt)
    if pattern is not None and pattern.fullmatch(term.value):
        return term.value
    return f"{_tsv_string(term.value)}^^<{dt}>"


def to_tsv(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results TSV: a ``?var`` header, terms in Turtle syntax, LF line ends."""
    if result.kind == "ask":
        return b"true" if result.boolean else b"false"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(map(tsv_term, row)) for row in result.terms]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------- RDF
#: Prefixes written in Turtle and TriG: those whose terms have plain local names (record and
#: concept IRIs such as ``.../id/indicator/consortium-1`` would need escapes, which not every
#: Turtle reader takes, so they are written in full).
TURTLE_PREFIXES = {
    p: ns
    for p, ns in PREFIXES.items()
    if p not in ("ikd", "domain", "issue", "fm", "stage", "orgtype", "role", "uom")
}
# A prefixed name with a backslash escape in its local part (in a line of Turtle/TriG output).
_ESCAPED_PNAME = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|<[^>\n]*>|(?<![\w:])([A-Za-z][\w.\-]*)?:((?:[\w.\-:%]|\\.)*\\.(?:[\w.\-:%]|\\.)*)'
)


def _unescape_pnames(line: bytes, prefixes: dict[str, str]) -> bytes:
    def full(m: re.Match[str]) -> str:
        if m.group(2) is None or (m.group(1) or "") not in prefixes:
            return m.group(0)
        return "<" + prefixes[m.group(1) or ""] + re.sub(r"\\(.)", r"\1", m.group(2)) + ">"

    return _ESCAPED_PNAME.sub(full, line.decode("utf-8")).encode("utf-8")


class _TurtleOut:
    """A binary writer between pyoxigraph's Turtle/TriG serializer and the output: a prefixed
    name that needed backslash escapes is written as a full IRI, so that every Turtle reader
    (rdflib's too) reads the file. Only lines holding a backslash are looked at."""

    def __init__(self, out: IO[bytes], prefixes: dict[str, str]):
        self.out = out
        self.prefixes = prefixes
        self.pending = b""

    def write(self, given: bytes) -> int:
        data = self.pending + bytes(given)
        cut = data.rfind(b"\n") + 1
        self.pending = data[cut:]
        chunk = data[:cut]
        if b"\\" in chunk:
            chunk = b"".join(
                _unescape_pnames(line, self.prefixes) if b"\\" in line else line
                for line in chunk.splitlines(keepends=True)
            )
        self.out.write(chunk)
        return len(given)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.pending:
            tail = self.pending
            self.out.write(_unescape_pnames(tail, self.prefixes) if b"\\" in tail else tail)
            self.pending = b""


def check_xml_safe(terms: Iterable[ox.Quad | ox.Triple]) -> None:
    """Raise QueryError naming the subject of the first literal or IRI that XML cannot carry."""
    for t in terms:
        for term in (t.subject, t.predicate, t.object):
            text = term.value if isinstance(term, ox.Literal | ox.NamedNode) else ""
            bad = _XML_ILLEGAL.search(text)
            if bad:
                raise QueryError(
                    f"<{t.subject.value if not isinstance(t.subject, ox.Triple) else t.subject}> "
                    f"{t.predicate.value}: a value holds the character U+{ord(bad.group()):04X}, "
                    "which XML (RDF/XML, SPARQL XML, GraphML, GEXF) cannot carry: export as Turtle, "
                    "N-Triples or JSON-LD instead"
                )


def write_rdf(
    terms: Iterable[ox.Triple | ox.Quad],
    out: IO[bytes],
    fmt: str,
    dump=None,
) -> None:
    """Write triples (or quads, for ``nq``/``trig``/``jsonld`` with graphs) as ``fmt`` (ttl, nt,
    nq, trig, jsonld, rdfxml). ``dump(output, rdf_format, prefixes)``, when given, writes instead
    of ``ox.serialize`` (a store's own faster dump). Turtle and TriG are readable by rdflib and
    pyoxigraph alike; RDF/XML refuses a value XML cannot carry (:func:`check_xml_safe`)."""
    if fmt not in RDF_FORMATS:
        raise QueryError(f"unknown RDF format {fmt!r} (use one of: {', '.join(RDF_FORMATS)})")
    rdf_format = RDF_FORMATS[fmt]
    if fmt == "rdfxml":
        terms = list(terms)
        check_xml_safe(terms)
    if fmt in ("ttl", "trig"):
        sink = _TurtleOut(out, TURTLE_PREFIXES)
        if dump is not None:
            dump(sink, rdf_format, TURTLE_PREFIXES)
        else:
            ox.serialize(terms, sink, rdf_format, prefixes=TURTLE_PREFIXES)  # type: ignore[arg-type]  # all triples or all quads; the sink is a binary writer
        sink.close()
        return
    if dump is not None:
        dump(out, rdf_format, None)
    else:
        ox.serialize(terms, out, rdf_format)  # type: ignore[arg-type]  # all triples or all quads


def to_rdf(result: QueryResult, name: str) -> bytes:
    import io

    buf = io.BytesIO()
    write_rdf(result.graph_triples, buf, name)
    return buf.getvalue()


_WRITERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}


def serialize(result: QueryResult, name: str) -> bytes:
    """``result`` in format ``name`` (see :data:`FORMATS`); QueryError for a format the kind of
    result has not."""
    if result.kind == "graph":
        if name not in ("ttl", "nt", "jsonld", "rdfxml"):
            raise QueryError(
                f"format {name!r} is for SELECT and ASK queries; a CONSTRUCT or DESCRIBE result is "
                "written as ttl, nt, jsonld or rdfxml"
            )
        return to_rdf(result, name)
    if name not in _WRITERS:
        raise QueryError(
            f"format {name!r} is for CONSTRUCT and DESCRIBE queries; a SELECT or ASK result is "
            "written as json, xml, csv or tsv"
        )
    return _WRITERS[name](result)
