"""Query results in one exact, comparable shape, read from every format the doors and the
W3C suite use.

A term is a tuple: ``("uri", iri)``, ``("bnode", label)``, ``("literal", lexical, datatype,
lang)`` (``lang`` lower-cased, as RDF 1.1 Concepts allows, ``""`` when none; a simple literal has
datatype ``xsd:string``). Nothing is converted through rdflib terms, so a changed lexical form is
seen. Readers follow:

- SPARQL 1.1 Query Results XML Format (``.srx``), https://www.w3.org/TR/rdf-sparql-XMLres/
- SPARQL 1.1 Query Results JSON Format (``.srj``), https://www.w3.org/TR/sparql11-results-json/
- SPARQL 1.1 Query Results CSV and TSV Formats, https://www.w3.org/TR/sparql11-results-csv-tsv/
  (CSV cells keep only the text, so they are read as ``("csv", text)``)
- the DAWG result-set vocabulary in RDF (``rs:ResultSet``, with ``rs:index`` for order)
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SRX = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

Term = tuple


class ResultsError(ValueError):
    """A result document that does not follow its format (the message names what and where)."""


@dataclass
class Solutions:
    """A SELECT result: variables and rows (variable -> term; unbound variables are absent).
    ``lossy`` is ``"csv"`` or ``"tsv"`` when the rows were read from those formats."""

    variables: list[str]
    rows: list[dict[str, Term]]
    lossy: str | None = None
    ordered: bool = True


@dataclass
class Boolean:
    """An ASK result."""

    value: bool


@dataclass
class Graph:
    """A CONSTRUCT/DESCRIBE result: a set of triples of terms."""

    triples: set[tuple[Term, Term, Term]] = field(default_factory=set)


Result = Solutions | Boolean | Graph


# ------------------------------------------------------------------ pyoxigraph terms
def literal(lexical: str, datatype: str | None = None, lang: str | None = None) -> Term:
    if lang:
        return ("literal", lexical, RDF_LANG_STRING, lang.lower())
    return ("literal", lexical, datatype or XSD_STRING, "")


def from_ox_term(t: object) -> Term:
    if isinstance(t, ox.NamedNode):
        return ("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value)
    if isinstance(t, ox.Literal):
        return literal(t.value, t.datatype.value, t.language)
    if isinstance(t, ox.Triple):
        return ("triple", from_ox_term(t.subject), from_ox_term(t.predicate), from_ox_term(t.object))
    raise ResultsError(f"unknown pyoxigraph term {t!r}")


def from_ox(result: object) -> Result:
    """A pyoxigraph query result (QuerySolutions, QueryBoolean, QueryTriples)."""
    if isinstance(result, ox.QueryBoolean):
        return Boolean(bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = []
        for sol in result:
            rows.append({v: from_ox_term(t) for v, t in zip(variables, sol, strict=True) if t is not None})
        return Solutions(variables, rows)
    return Graph({(from_ox_term(t.subject), from_ox_term(t.predicate), from_ox_term(t.object))
                  for t in result})  # type: ignore[attr-defined]


def from_rdflib_term(t: object) -> Term:
    """An rdflib term as it is (its ``str`` is the lexical form rdflib kept)."""
    import rdflib

    if isinstance(t, rdflib.URIRef):
        return ("uri", str(t))
    if isinstance(t, rdflib.BNode):
        return ("bnode", str(t))
    if isinstance(t, rdflib.Literal):
        return literal(str(t), str(t.datatype) if t.datatype else None, t.language)
    raise ResultsError(f"unknown rdflib term {t!r}")


# ------------------------------------------------------------------ SPARQL XML / JSON
def parse_srx(data: bytes) -> Solutions | Boolean:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ResultsError(f"not well-formed XML: {exc}") from None
    if root.tag != SRX + "sparql":
        raise ResultsError(f"the root element is {root.tag}, not sparql")
    boolean = root.find(SRX + "boolean")
    if boolean is not None:
        text = (boolean.text or "").strip()
        if text not in ("true", "false"):
            raise ResultsError(f"boolean element holds {text!r}")
        return Boolean(text == "true")
    head = root.find(SRX + "head")
    if head is None:
        raise ResultsError("no head element")
    variables = [v.attrib["name"] for v in head.findall(SRX + "variable")]
    results = root.find(SRX + "results")
    if results is None:
        raise ResultsError("neither results nor boolean")
    rows = []
    for i, res in enumerate(results.findall(SRX + "result"), 1):
        row = {}
        for b in res.findall(SRX + "binding"):
            name = b.attrib["name"]
            if name in row:
                raise ResultsError(f"result {i} binds {name} twice")
            if len(b) != 1:
                raise ResultsError(f"result {i}: binding {name} holds {len(b)} terms")
            row[name] = _srx_term(b[0], i)
        rows.append(row)
    return Solutions(variables, rows)


def _srx_term(el: ET.Element, i: int) -> Term:
    tag = el.tag.removeprefix(SRX)
    if tag == "uri":
        return ("uri", el.text or "")
    if tag == "bnode":
        return ("bnode", el.text or "")
    if tag == "literal":
        return literal(el.text or "", el.attrib.get("datatype"), el.attrib.get(XML_LANG))
    if tag == "triple":
        parts = {c.tag.removeprefix(SRX): _srx_term(c[0], i) for c in el}
        return ("triple", parts["subject"], parts["predicate"], parts["object"])
    raise ResultsError(f"result {i}: unknown term element {tag}")


def parse_srj(data: bytes) -> Solutions | Boolean:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"not JSON: {exc}") from None
    if "boolean" in doc:
        if not isinstance(doc["boolean"], bool):
            raise ResultsError(f"boolean is {doc['boolean']!r}")
        return Boolean(doc["boolean"])
    try:
        variables = list(doc["head"]["vars"])
        bindings = doc["results"]["bindings"]
    except (KeyError, TypeError):
        raise ResultsError("neither head.vars with results.bindings nor boolean") from None
    rows = [{k: _srj_term(v, i) for k, v in b.items()} for i, b in enumerate(bindings, 1)]
    return Solutions(variables, rows)


def _srj_term(v: dict, i: int) -> Term:
    kind = v.get("type")
    if kind == "uri":
        return ("uri", v["value"])
    if kind == "bnode":
        return ("bnode", v["value"])
    if kind in ("literal", "typed-literal"):
        return literal(v["value"], v.get("datatype"), v.get("xml:lang"))
    if kind == "triple":
        t = v["value"]
        return ("triple", _srj_term(t["subject"], i), _srj_term(t["predicate"], i), _srj_term(t["object"], i))
    raise ResultsError(f"result {i}: unknown term type {kind!r}")


# ------------------------------------------------------------------ TSV (terms in Turtle syntax)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRIREF = re.compile(r'<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>')
_BNODE = re.compile(r"_:([A-Za-z0-9_\u00B7-\U000EFFFF](?:[A-Za-z0-9_.\-\u00B7-\U000EFFFF]*[A-Za-z0-9_\-\u00B7-\U000EFFFF])?)")
_LANG = re.compile(r"@([A-Za-z]+(?:-[A-Za-z0-9]+)*)")
_NUMBERS = (
    (re.compile(r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"), XSD + "double"),
    (re.compile(r"[+-]?[0-9]*\.[0-9]+"), XSD + "decimal"),
    (re.compile(r"[+-]?[0-9]+"), XSD + "integer"),
)
_STRINGS = (
    re.compile(r'"""((?:"{0,2}(?:[^"\\]|\\.))*)"""', re.S),
    re.compile(r"'''((?:'{0,2}(?:[^'\\]|\\.))*)'''", re.S),
    re.compile(r'"((?:[^"\\\n\r]|\\.)*)"'),
    re.compile(r"'((?:[^'\\\n\r]|\\.)*)'"),
)


def _unescape(s: str, echar: bool) -> str:
    s = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), s)
    if not echar:
        return s
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            nxt = s[i + 1] if i + 1 < len(s) else ""
            if nxt not in _ECHAR:
                raise ResultsError(f"bad escape \\{nxt}")
            out.append(_ECHAR[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_turtle_term(cell: str) -> Term:
    """One RDF term in Turtle syntax as TSV writes it (IRIs in ``<>``, no prefixed names)."""
    m = _IRIREF.fullmatch(cell)
    if m:
        return ("uri", _unescape(m.group(1), False))
    m = _BNODE.fullmatch(cell)
    if m:
        return ("bnode", m.group(1))
    if cell in ("true", "false"):
        return literal(cell, XSD + "boolean")
    for pattern, dt in _NUMBERS:
        if pattern.fullmatch(cell):
            return literal(cell, dt)
    for pattern in _STRINGS:
        m = pattern.match(cell)
        if m:
            lexical = _unescape(m.group(1), True)
            rest = cell[m.end():]
            if not rest:
                return literal(lexical)
            lang = _LANG.fullmatch(rest)
            if lang:
                return literal(lexical, lang=lang.group(1))
            if rest.startswith("^^"):
                dt = _IRIREF.fullmatch(rest[2:])
                if dt:
                    return literal(lexical, _unescape(dt.group(1), False))
            raise ResultsError(f"cannot read {rest!r} after a string in {cell!r}")
    raise ResultsError(f"not an RDF term in Turtle syntax: {cell!r}")


def parse_tsv(data: bytes) -> Solutions:
    text = _utf8(data, "TSV")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ResultsError("no header line")
    header = lines[0].split("\t") if lines[0] else []
    variables = []
    for h in header:
        if h[:1] not in ("?", "$") or len(h) < 2:
            raise ResultsError(f"header cell {h!r} is not ?variable")
        variables.append(h[1:])
    rows = []
    for n, line in enumerate(lines[1:], 2):
        cells = line.split("\t") if variables else ([] if line == "" else [line])
        if len(cells) != len(variables):
            raise ResultsError(f"line {n} has {len(cells)} cells for {len(variables)} variables")
        row = {}
        for var, cell in zip(variables, cells, strict=True):
            if cell != "":
                try:
                    row[var] = parse_turtle_term(cell)
                except ResultsError as exc:
                    raise ResultsError(f"line {n}, ?{var}: {exc}") from None
        rows.append(row)
    return Solutions(variables, rows, lossy="tsv")


def parse_csv(data: bytes, strict_eol: bool = False) -> Solutions:
    """CSV results (RFC 4180). ``strict_eol``: every record must end with CRLF, as the W3C
    format requires (the suite's own expected files use LF, so they are read with False)."""
    text = _utf8(data, "CSV")
    if strict_eol:
        bare = re.sub(r'"(?:[^"]|"")*"', "", text)  # line ends inside quoted fields are data
        if re.search(r"(?<!\r)\n", bare) or re.search(r"\r(?!\n)", bare):
            raise ResultsError("a record does not end with CRLF (RFC 4180, SPARQL 1.1 CSV)")
    records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if not records:
        raise ResultsError("no header line")
    variables = records[0] if records[0] != [""] else []
    rows = []
    for n, rec in enumerate(records[1:], 2):
        if len(variables) <= 1 and rec in ([], [""]):  # an empty line: no value (or an empty one)
            rows.append({})
            continue
        if len(rec) != len(variables):
            raise ResultsError(f"record {n} has {len(rec)} fields for {len(variables)} variables")
        rows.append({v: ("csv", c) for v, c in zip(variables, rec, strict=True) if c != ""})
    return Solutions(variables, rows, lossy="csv")


def _utf8(data: bytes, what: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise ResultsError(f"{what} starts with a byte order mark")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResultsError(f"{what} is not UTF-8: {exc}") from None


# ------------------------------------------------------------------ RDF files
def rdf_format(name: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_extension(name.rsplit(".", 1)[-1]) or ox.RdfFormat.from_media_type(name)
    if fmt is None:
        raise ResultsError(f"unknown RDF format {name!r}")
    return fmt


def parse_graph(data: bytes, fmt: ox.RdfFormat, base: str | None = None) -> Graph:
    try:
        triples = ox.parse(data, format=fmt, base_iri=base)
        return Graph({(from_ox_term(t.subject), from_ox_term(t.predicate), from_ox_term(t.object))
                      for t in triples})
    except SyntaxError as exc:
        raise ResultsError(f"not {fmt}: {exc}") from None


def parse_rdf_result(path: Path) -> Result:
    """An expected result in RDF: a DAWG ``rs:ResultSet`` (solutions or boolean) or a graph."""
    graph = parse_graph(path.read_bytes(), rdf_format(path.name), path.resolve().as_uri())
    by_s: dict[Term, list[tuple[str, Term]]] = {}
    for s, p, o in graph.triples:
        by_s.setdefault(s, []).append((p[1], o))
    sets = [s for s, po in by_s.items() if (RDF_TYPE, ("uri", RS + "ResultSet")) in po]
    if not sets:
        return graph
    if len(sets) > 1:
        raise ResultsError(f"{path}: {len(sets)} result sets")
    props = by_s[sets[0]]
    for p, o in props:
        if p == RS + "boolean":
            return Boolean(o[1] == "true")
    variables = [o[1] for p, o in props if p == RS + "resultVariable"]
    rows, indexes = [], []
    for p, sol in props:
        if p != RS + "solution":
            continue
        row, index = {}, None
        for sp, so in by_s.get(sol, []):
            if sp == RS + "index":
                index = int(so[1])
            elif sp == RS + "binding":
                b = dict(by_s[so])
                row[b[RS + "variable"][1]] = b[RS + "value"]
        rows.append(row)
        indexes.append(index)
    if all(i is not None for i in indexes) and rows:
        rows = [r for _, r in sorted(zip(indexes, rows, strict=True), key=lambda x: x[0])]
        return Solutions(variables, rows, ordered=True)
    return Solutions(variables, rows, ordered=False)


def parse_expected(path: Path) -> Result:
    """The expected result of a test, by its file extension."""
    data = path.read_bytes()
    ext = path.suffix.lower()
    try:
        if ext == ".srx":
            return parse_srx(data)
        if ext == ".srj":
            return parse_srj(data)
        if ext == ".tsv":
            return parse_tsv(data)
        if ext == ".csv":
            return parse_csv(data)
        return parse_rdf_result(path)
    except ResultsError as exc:
        raise ResultsError(f"{path}: {exc}") from None


#: Reader of each serialisation a door can give (``fmt`` names of ``QueryResult.serialize``).
def parse_serialized(data: bytes, fmt: str, base: str | None = None) -> Result:
    if fmt == "json":
        return parse_srj(data)
    if fmt == "xml":
        return parse_srx(data)
    if fmt == "tsv":
        return parse_tsv(data)
    if fmt == "csv":
        return parse_csv(data, strict_eol=True)
    if fmt in ("ttl", "nt"):
        _utf8(data, fmt)
        return parse_graph(data, ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES, base)
    raise ResultsError(f"unknown result format {fmt!r}")
