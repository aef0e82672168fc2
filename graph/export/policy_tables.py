"""Reading the policy tables back from the graph for the catalogue workbook
(:mod:`impactkg.graph.export.workbook`): the green list, meetings, programmes and the growth
strategy (kinds of :mod:`impactkg.loaders.policy`), one row per record in the loaders' columns.
"""

from __future__ import annotations

from collections.abc import Callable

from impactkg.graph.export.workbook_index import (
    _ids,
    _Index,
    _label,
    _prov,
    _record_ref,
    _Row,
    _strip,
    _tail,
)
from impactkg.loaders.policy import CIRCLED
from impactkg.ontology import DCTERMS, IKG, RDFS, SCHEMES, SKOS


def _green_list(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "GreenListCategory", ns):
        items = ix.texts(s, IKG + "greenListItem")
        cells = {
            "category": ix.text(s, SKOS + "notation") or _tail(s),
            "items": " ".join(f"{CIRCLED[i]} {t}" for i, t in enumerate(items[:len(CIRCLED)])),
            "effects": " ".join(f"・ {t}" for t in ix.texts(s, IKG + "expectedEffect")),
            "publisher": _ids(ix, s, DCTERMS + "publisher"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["category"])
        rows.append(row)
    return rows


def _meetings(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    first: dict[str, str] = {}
    talks = sorted(ix.of_class(IKG + "Presentation", ns),
                   key=lambda t: (ix.iri(t, IKG + "presentedAt"), int(ix.text(t, IKG + "order") or 0), t))
    for t in talks:
        m = ix.iri(t, IKG + "presentedAt")
        cells = {
            "meeting": _strip(_tail(m), ns),
            "number": _label(ix, m),
            "organization": _ids(ix, m, IKG + "meetingOf"),
            "order": ix.text(t, IKG + "order"),
            "topic": _label(ix, t),
            "presenters": _ids(ix, t, IKG + "presenter"),
            "presenter_text": ix.text(t, IKG + "presenterText"),
        }
        if m not in first:  # the meeting's own values go on its first row
            first[m] = t
            cells.update({
                "date": ix.text(m, DCTERMS + "date"),
                "date_text": ix.text(m, IKG + "dateText"),
                "theme": ix.text(m, IKG + "theme"),
                "purpose": ix.text(m, DCTERMS + "description"),
            })
        row = _prov(ix, t, cells)
        row.sort = (row.line or 0, cells["meeting"], int(cells["order"] or 0))
        rows.append(row)
    return rows


def _programmes(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Programme", ns):
        cells = {
            "id": _strip(_tail(s), ns),
            "name": _label(ix, s, RDFS + "label"),
            "notation": ix.text(s, SKOS + "notation"),
            "description": ix.text(s, DCTERMS + "description"),
            "operator": _ids(ix, s, IKG + "operatedBy"),
            "organizations": _ids(ix, s, IKG + "relatedOrganization"),
            "related": " ".join(_record_ref(ix, r, ns) for r in ix.iris(s, DCTERMS + "relation")),
            "pillar": _ids(ix, s, IKG + "pillar"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _strategy(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    order = ("strategic-field", "cross-cutting-theme", "startup-pillar")
    by_scheme = {SCHEMES[k][0]: k for k in order}
    for s in ix.of_class(SKOS + "Concept", ns):
        scheme = by_scheme.get(ix.iri(s, SKOS + "inScheme"))
        if scheme is None:
            continue
        body = ix.iri(s, IKG + "body")
        experts = ix.text(s, IKG + "expertCount")
        cells = {
            "scheme": scheme,
            "id": _tail(s),
            "label_ja": ix.text(s, SKOS + "prefLabel", "ja"),
            "notation": ix.text(s, SKOS + "notation"),
            "definition_ja": ix.text(s, SKOS + "definition", "ja"),
            "body": _label(ix, body) if body else "",
            "body_status": ix.text(s, IKG + "bodyStatus"),
            "start": ix.text(s, IKG + "startText"),
            "lead": " ".join(f"○{t}" for t in ix.texts(s, IKG + "leadMinister")),
            "ministries_text": ix.text(s, IKG + "ministriesText"),
            "ministries": _ids(ix, s, IKG + "relatedMinistry"),
            "organizations": _ids(ix, s, IKG + "relatedOrganization"),
            "experts": experts,
        }
        row = _prov(ix, s, cells)
        row.sort = (order.index(scheme), row.line or 0, cells["id"])
        rows.append(row)
    return rows


#: Kind name -> reader, added to :data:`impactkg.graph.export.workbook_rows.READERS`.
READERS: dict[str, Callable[[_Index, str], list[_Row]]] = {
    "green_list": _green_list,
    "meetings": _meetings,
    "programmes": _programmes,
    "strategy": _strategy,
}
