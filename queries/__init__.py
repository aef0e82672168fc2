"""The library of named SPARQL queries: one ``.rq`` file each, with a header that documents it.

Header lines (before the query)::

    # title: 日本語タイトル | English title
    # description: what the query answers
    # param: target sdg-target required - an SDG target code such as 11.b
    # param: lang lang default=ja - label language

Parameters are bound as typed RDF terms (SPARQL substitution), never pasted into the text.

>>> q = get("indicators-for-target")
>>> q.params[0].name, q.params[0].type
('target', 'sdg-target')
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from impactkg.errors import QueryError
from impactkg.ontology import (
    ASSERTION_STATUSES,
    SCHEMES,
    XSD,
    concept_iri,
    nfkc,
    record_iri,
    sdg_iri,
    search_key,
)

PARAM_TYPES = (
    "string",
    "text",
    "lang",
    "integer",
    "iri",
    "sdg-target",
    "sdg-goal",
    "indicator",
    "organization",
    "concept:<scheme>",
    "enum:<a>|<b>|...",
)
#: The keys a ``.rq`` header may use (another key that looks like one is a typo and an error).
HEADER_KEYS = ("title", "description", "param")
QUERY_FORMS = re.compile(
    r"^\s*(PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE|#)", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: str | None = None
    description: str = ""


@dataclass
class NamedQuery:
    """A named query: its SPARQL text and what its header says."""

    name: str
    text: str
    title_ja: str = ""
    title_en: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    path: Path | None = None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


PARAM_RE = re.compile(r"^(\w+)\s+(\S+)\s*((?:required|default=\S*)?)\s*(?:-\s*(.*))?$")


def parse(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """Parse a ``.rq`` file's header into a :class:`NamedQuery`."""
    q = NamedQuery(name=name, text=text, path=path)
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        key, _, value = line.lstrip("# ").partition(":")
        key, value = key.strip().lower(), value.strip()
        if key not in HEADER_KEYS and re.fullmatch(r"[a-z_]+", key) and _ and difflib.get_close_matches(
            key, HEADER_KEYS, n=1, cutoff=0.6
        ):
            close = difflib.get_close_matches(key, HEADER_KEYS, n=1, cutoff=0.6)[0]
            raise QueryError(f"{name}.rq: unknown header key {key!r} in {line.strip()!r} (did you mean {close!r}?)")
        if key == "title":
            ja, _, en = value.partition("|")
            q.title_ja, q.title_en = ja.strip(), en.strip()
        elif key == "description":
            q.description = (q.description + " " + value).strip()
        elif key == "param":
            m = PARAM_RE.match(value)
            if not m:
                raise QueryError(f"{name}.rq: malformed param line {value!r}")
            pname, ptype, flag, desc = m.groups()
            if not (ptype in PARAM_TYPES or ptype.startswith(("concept:", "enum:"))):
                raise QueryError(
                    f"{name}.rq: parameter {pname} has unknown type {ptype!r} (types: {', '.join(PARAM_TYPES)})"
                )
            if ptype.startswith("concept:") and ptype.split(":", 1)[1] not in SCHEMES:
                raise QueryError(f"{name}.rq: parameter {pname}: no concept scheme {ptype.split(':', 1)[1]!r} "
                                 f"(schemes: {', '.join(SCHEMES)})")
            default = flag[len("default=") :] if flag.startswith("default=") else None
            q.params.append(Param(pname, ptype, flag == "required", default, desc or ""))
    return q


def query_dir() -> Path:
    """The folder of the shipped ``.rq`` files (the package's own folder)."""
    return Path(__file__).parent


@cache
def _one(path: Path) -> NamedQuery:
    return parse(path.read_text(encoding="utf-8"), path.stem, path)


@cache
def library() -> dict[str, NamedQuery]:
    """Every named query shipped with impactkg, by name."""
    out = {}
    for path in sorted(query_dir().glob("*.rq")):
        out[path.stem] = _one(path)
    return out


def get(name: str) -> NamedQuery:
    """The named query ``name``; an unknown name is an error that suggests close names."""
    if library.cache_info().currsize == 0 and re.fullmatch(r"[\w-]+", name):
        path = query_dir() / f"{name}.rq"  # one file read, not the whole library's
        if path.is_file():
            return _one(path)
    lib = library()
    if name in lib:
        return lib[name]
    close = difflib.get_close_matches(name, lib, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else " ('impactkg queries' lists them)"
    raise QueryError(f"no named query {name!r}{hint}")


def _literal(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    return ox.Literal(value)


def _from_term(
    param: Param, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, where: str
) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | str:
    """An RDF term given as a parameter value: kept as it is where the type takes a term (a
    ``string`` any term, ``iri`` and ``concept:`` an IRI), else the text the type reads from it
    (an SDG IRI gives its code, an indicator IRI its id)."""
    t = param.type
    if t == "string":
        return term
    if isinstance(term, ox.Triple):
        raise QueryError(f"{where}: expected {t}, got the quoted triple {term}")
    if t == "iri" or t.startswith("concept:"):
        if isinstance(term, ox.NamedNode):
            return term
        raise QueryError(f"{where}: expected an IRI, got the literal {term}")
    if isinstance(term, ox.NamedNode):
        if t in ("sdg-target", "sdg-goal") and term.value.startswith(sdg_iri("")):
            return term.value[len(sdg_iri("")):]
        if t == "indicator" and term.value.startswith(record_iri("indicator", "")):
            return term
        raise QueryError(f"{where}: expected {t}, got the IRI <{term.value}>")
    return term.value


def bind(param: Param, value: Any, query: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    """Turn a parameter value into the typed RDF term it stands for, or raise QueryError.

    ``value`` is text (as typed on the command line or in a URL) or an RDF term (rdflib or
    pyoxigraph); see :data:`PARAM_TYPES`. An ``enum:a|b`` value must be one of its choices.
    """
    from impactkg.graph.sparql.terms import to_ox

    where = f"{query}: parameter {param.name}"
    try:
        term = to_ox(value)
    except TypeError:
        term = None
    if term is not None:
        checked = _from_term(param, term, where)
        if not isinstance(checked, str):
            return checked
        value = checked
    raw = str(value)
    v = nfkc(raw)
    t = param.type
    if t.startswith("enum:"):
        choices = t.split(":", 1)[1].split("|")
        match = next((c for c in choices if c == v), None) or next(
            (c for c in choices if c.casefold() == v.casefold()), None)
        if match is None:
            raise QueryError(f"{where}: {raw!r} is not one of {', '.join(choices)}")
        return _literal(match)
    if t == "string":
        return _literal(raw)
    if t in ("text", "organization"):  # an organisation: its id or its name, as a search key
        return _literal(search_key(raw))
    if t == "lang":
        if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", v.lower()):
            raise QueryError(f"{where}: not a language tag: {raw!r}")
        return _literal(v.lower())
    if t == "integer":
        if not re.fullmatch(r"-?\d+", v):
            raise QueryError(f"{where}: expected a whole number, got {raw!r}")
        return _literal(v, "integer")
    if t == "iri":
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+|urn:[^\s<>\"{}|\\^`]+", v.strip("<>")):
            raise QueryError(f"{where}: not an IRI: {raw!r}")
        return ox.NamedNode(v.strip("<>"))
    if t in ("sdg-target", "sdg-goal"):
        from impactkg.ontology.sdg import is_goal, is_target, parse_goal, parse_target

        if t == "sdg-target":
            code = parse_target(v)
            if code is None or not is_target(code) or code != v.lower():
                raise QueryError(f"{where}: unknown SDG target {raw!r} (e.g. 3.4, 11.b)")
        else:
            code = parse_goal(v)
            if code is None or not is_goal(code) or code != v.lstrip("0"):
                raise QueryError(f"{where}: unknown SDG goal {raw!r} (1 to 17)")
        return ox.NamedNode(sdg_iri(code))
    if t == "indicator":
        ns, _, key = v.rpartition(":")
        return ox.NamedNode(record_iri("indicator", f"{ns or 'consortium'}-{key}"))
    if t.startswith("concept:"):
        if not re.fullmatch(r"[\w\-.]+", v):
            raise QueryError(f"{where}: expected a concept id such as 'loan', got {raw!r}")
        scheme = t.split(":", 1)[1]
        if scheme == "assertion-status" and v.lower() not in ASSERTION_STATUSES:
            raise QueryError(f"{where}: unknown assertion status {raw!r} (use: {', '.join(ASSERTION_STATUSES)})")
        return ox.NamedNode(concept_iri(scheme, v.lower() if scheme == "assertion-status" else v))
    raise QueryError(f"{query}.rq: parameter {param.name} has unknown type {t!r}")


@dataclass
class Prepared:
    """A query ready to run: its text, typed bindings, and what names it (a named query's name and
    ja | en title; a ``.rq`` file's IRI, the base of its relative IRIs)."""

    text: str
    bindings: dict[str, Any]
    name: str = ""
    title: str = ""
    base_iri: str | None = None
    #: Parameters whose value must name something the graph holds: (param, value as given, term).
    references: list[tuple[Param, str, Any]] = field(default_factory=list)


def resolve(name_or_text: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SPARQL text and the typed bindings for a named query, a .rq file, or SPARQL text."""
    prepared = prepare(name_or_text, params)
    return prepared.text, prepared.bindings


def prepare(name_or_text: str, params: dict[str, Any], *, params_from: str | None = None) -> Prepared:
    """A named query (by name), a ``.rq`` file (by path) or SPARQL text, with its parameters bound
    as typed RDF terms. Raises QueryError for an unknown name or parameter, a missing required
    parameter or a value its type refuses.

    ``params_from`` names the named query that SPARQL text is an edited copy of: its parameters
    (types, defaults, required) and title apply to the text, unless the text's own header declares
    parameters. An edited query is run with its parameters, never silently without them.

    >>> edited = "# a note" + chr(10) + get("indicators-for-target").text
    >>> p = prepare(edited, {"target": "11.b"}, params_from="indicators-for-target")
    >>> p.name, p.bindings["target"].value
    ('indicators-for-target', 'http://metadata.un.org/sdg/11.b')
    """
    if params_from is not None:
        template = get(params_from)
        q = parse(name_or_text, template.name)
        if not q.params:
            q.params = list(template.params)
        if not (q.title_ja or q.title_en):
            q.title_ja, q.title_en = template.title_ja, template.title_en
        return _bound(q, params, q.name, strict=True)
    if name_or_text.endswith(".rq") and "\n" not in name_or_text:
        path = Path(name_or_text)
        if not path.exists():
            raise QueryError(f"no such query file: {path}")
        q = parse(path.read_text(encoding="utf-8"), path.stem, path)
    elif QUERY_FORMS.search(name_or_text) and (" " in name_or_text.strip() or "\n" in name_or_text):
        q = parse(name_or_text, "query")
    else:
        q = get(name_or_text)
    strict = q.path is not None and q.name in library()
    return _bound(q, params, q.name if q.path is not None else "", strict=strict)


def _bound(q: NamedQuery, params: dict[str, Any], name: str, *, strict: bool) -> Prepared:
    """Bind ``params`` as ``q`` declares them; ``strict``: a parameter it does not declare is an
    error even when it declares none."""
    bindings: dict[str, Any] = {}
    declared = {p.name for p in q.params}
    for key, value in params.items():
        if value is None:
            continue
        p = q.param(key)
        if p is None:
            if q.params or strict:
                known = ", ".join(sorted(declared)) or "none"
                raise QueryError(f"{q.name}: unknown parameter {key!r} (parameters: {known})")
            p = Param(key, "iri" if str(value).startswith("<") else "string")
        bindings[key] = bind(p, value, q.name)
    for p in q.params:
        if p.name in bindings:
            continue
        if p.default is not None and p.default != "":
            bindings[p.name] = bind(p, p.default, q.name)
        elif p.required:
            raise QueryError(
                f"{q.name}: missing required parameter {p.name!r} ({p.description or p.type})"
            )
    # Values looked up in the graph; assertion statuses are the ontology's own fixed list,
    # checked above whatever the graph holds.
    references = [
        (p, str(params.get(p.name, p.default)), bindings[p.name])
        for p in q.params
        if p.name in bindings and (p.type in ("iri", "indicator", "organization") or p.type.startswith("concept:"))
        and p.type != "concept:assertion-status"
    ]
    title = " | ".join(x for x in (q.title_ja, q.title_en) if x)
    return Prepared(q.text, bindings, name, title, _file_base(q.path) if q.path is not None else None, references)


def _file_base(path: Path) -> str | None:
    """The base IRI of a query read from ``path``: none for a query shipped with impactkg, else the
    file's own ``file:`` IRI. A shipped query's path is the library's own (``query_dir() / name``)
    and is known without reading the file system: resolving a path (two ``realpath`` calls) took
    a third of a small named query's time. Any other path is resolved at each call, so that a
    relative one follows the working directory."""
    if path.parent == query_dir():
        return None
    resolved = path.resolve()
    return None if resolved == (query_dir() / path.name).resolve() else resolved.as_uri()


def check_references(prepared: Prepared, run: Any) -> None:
    """Raise QueryError for a parameter that names something the graph does not hold (a concept
    id of its scheme, an indicator, an IRI), with the known values and the closest one: an
    unknown value would otherwise answer no rows, with no word. ``run(sparql)`` gives rows of
    strings."""
    for param, raw, term in prepared.references:
        where = f"{prepared.name or 'query'}: parameter {param.name}"
        if param.type.startswith("concept:"):
            scheme = SCHEMES[param.type.split(":", 1)[1]][0]
            known = [row[0] for row in run(f"SELECT DISTINCT ?c WHERE {{ ?c skos:inScheme <{scheme}> }}")]
            if term.value in known:
                continue
            ids = sorted({unquote(k.rsplit("/", 1)[-1]) for k in known})  # as typed: 教育, not %E6%95%99...
            close = difflib.get_close_matches(raw, ids, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise QueryError(f"{where}: unknown {param.type.split(':', 1)[1]} {raw!r}{hint}; known: "
                             f"{', '.join(ids[:20])}{', ...' if len(ids) > 20 else ''}")
        if param.type == "organization":
            # its id (the end of its IRI, as the queries compare it) or its name (search key)
            key = str(term)  # the literal in SPARQL syntax, escaped
            own = record_iri("org", term.value)
            if run(f"SELECT ?o WHERE {{ {{ ?o ikg:searchKey {key} }} UNION {{ <{own}> ?p ?x BIND(<{own}> AS ?o) }} "
                   "?o a ?t FILTER(?t IN (ikg:Organization, org:Organization, foaf:Organization)) } LIMIT 1"):
                continue
            ids = sorted({row[0].rsplit("/", 1)[-1] for row in run(
                "SELECT DISTINCT ?o WHERE { ?o a ?t FILTER(?t IN (ikg:Organization, org:Organization, "
                f'foaf:Organization) && STRSTARTS(STR(?o), "{record_iri("org", "")}")) }} LIMIT 5000')})
            close = difflib.get_close_matches(term.value, ids, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise QueryError(f"{where}: no organisation {raw!r} in the graph{hint}: give its id "
                             "(the end of its IRI, e.g. example-co) or its name as written")
        found = run(f"SELECT ?x WHERE {{ {{ <{term.value}> ?p ?o }} UNION {{ ?s ?q <{term.value}> }} }} LIMIT 1")
        if not found:
            what = "indicator" if param.type == "indicator" else "resource"
            raise QueryError(f"{where}: no {what} {raw!r} in the graph (<{term.value}>)")
