"""Writing query answers in the formats of the SPARQL 1.1 Protocol, and choosing one from an
``Accept`` header or a ``format=`` parameter.

SELECT and ASK: SPARQL JSON, XML, CSV and TSV (and XLSX for spreadsheets); CONSTRUCT and
DESCRIBE: Turtle, N-Triples, JSON-LD (and RDF/XML).

>>> import pyoxigraph as ox
>>> from impactkg.graph.backends.remote import Answer
>>> a = Answer("select", ["unit"], [(ox.Literal("分", language="ja"),)])
>>> serialize(a, "csv").decode()
'unit\\r\\n分\\r\\n'
>>> negotiate("select", "text/csv;q=0.5, application/sparql-results+xml", None)
'xml'
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from impactkg.errors import QueryError
from impactkg.graph.backends.remote import Answer
from impactkg.ontology import PREFIXES


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    for_graphs: bool


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/sparql-results+json", "srj", False),
        Format("xml", "application/sparql-results+xml", "srx", False),
        Format("csv", "text/csv", "csv", False),
        Format("tsv", "text/tab-separated-values", "tsv", False),
        Format("xlsx", XLSX_TYPE, "xlsx", False),
        Format("ttl", "text/turtle", "ttl", True),
        Format("nt", "application/n-triples", "nt", True),
        Format("jsonld", "application/ld+json", "jsonld", True),
        Format("rdfxml", "application/rdf+xml", "rdf", True),
    )
}
#: Other media types clients send, and the format each one means.
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
#: A results format asked for a CONSTRUCT or DESCRIBE query, and the RDF format it means there.
GRAPH_ALIASES = {"xml": "rdfxml", "json": "jsonld"}
_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _accepted(accept: str) -> list[tuple[float, int, str]]:
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
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
    given, else the best acceptable one, else the default (JSON for SELECT/ASK, Turtle for
    graphs)."""
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


# ---------------------------------------------------------------------- SELECT / ASK
def _json_term(term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def to_json(answer: Answer) -> bytes:
    if answer.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(answer.boolean)}).encode()
    bindings = [
        {v: _json_term(t) for v, t in zip(answer.variables, row, strict=True) if t is not None}
        for row in answer.rows
    ]
    doc = {"head": {"vars": answer.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    dt = term.datatype.value
    if dt == "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal datatype={quoteattr(dt)}>{escape(term.value)}</literal>"


def to_xml(answer: Answer) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if answer.kind == "ask":
        out.append(f"<head/><boolean>{str(bool(answer.boolean)).lower()}</boolean>")
    else:
        out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in answer.variables) + "</head>")
        out.append("<results>")
        for row in answer.rows:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(answer.variables, row, strict=True)
                if t is not None
            )
            out.append(f"<result>{cells}</result>")
        out.append("</results>")
    out.append("</sparql>\n")
    return "\n".join(out).encode("utf-8")


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_csv(answer: Answer) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if answer.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow([str(bool(answer.boolean)).lower()])
    else:
        writer.writerow(answer.variables)
        for row in answer.rows:
            writer.writerow([_csv_value(t) for t in row])
    return buf.getvalue().encode("utf-8")


def to_tsv(answer: Answer) -> bytes:
    if answer.kind == "ask":
        return f"?boolean\n{str(bool(answer.boolean)).lower()}\n".encode()
    lines = ["\t".join(f"?{v}" for v in answer.variables)]
    for row in answer.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cell(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1] if term.datatype else ""
        try:
            if dt in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "gYear"):
                return int(term.value)
            if dt in ("decimal", "double", "float"):
                return float(term.value)
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_xlsx(answer: Answer) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "results"
    if answer.kind == "ask":
        ws.append(["boolean"])
        ws.append([bool(answer.boolean)])
    else:
        ws.append(answer.variables)
        for row in answer.rows:
            ws.append([_cell(t) for t in row])
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------- graphs
def to_rdf(triples: list[ox.Triple], name: str) -> bytes:
    buf = io.BytesIO()
    fmt = _OX_FORMATS[name]
    if name in ("ttl", "rdfxml"):
        used = {p: ns for p, ns in PREFIXES.items()}
        ox.serialize(triples, buf, fmt, prefixes=used)
    else:
        ox.serialize(triples, buf, fmt)
    return buf.getvalue()


_WRITERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv, "xlsx": to_xlsx}


def serialize(answer: Answer, name: str) -> bytes:
    """``answer`` in format ``name`` (see :data:`FORMATS`)."""
    if answer.kind == "graph":
        if name not in _OX_FORMATS:
            raise QueryError(f"format {name!r} is for SELECT and ASK queries")
        return to_rdf(answer.triples, name)
    if name not in _WRITERS:
        raise QueryError(f"format {name!r} is for CONSTRUCT and DESCRIBE queries")
    return _WRITERS[name](answer)


def content_type(name: str) -> str:
    media = FORMATS[name].media_type
    return media if name == "xlsx" else f"{media}; charset=utf-8"
