"""Reading a company's or fund's IMM tables back from the graph for the catalogue workbook
(:mod:`impactkg.graph.export.workbook`): the KPI pool and the value hypotheses (kinds of
:mod:`impactkg.loaders.imm`), one row per record in the loaders' columns. The values sheet is read
by :mod:`impactkg.graph.export.workbook_rows` (its ``_values``), which uses :func:`_agent`.
"""

from __future__ import annotations

from collections.abc import Callable

from impactkg.data import AGENTS
from impactkg.graph.export.workbook_index import _Index, _label, _prov, _record_ref, _Row, _tail
from impactkg.ontology import AGENT, IKG, PROV

_LOAD_AGENTS = {AGENT + key for key in AGENTS}


def _agent(ix: _Index, s: str) -> str:
    """Who decided or recorded ``s`` (its ``decided_by`` or ``recorded_by`` cell): its
    ``prov:wasAttributedTo`` other than the agents the loader credits with a source's records
    (:data:`impactkg.data.AGENTS`, added again when the rows are loaded)."""
    who = [w for w in ix.iris(s, PROV + "wasAttributedTo") if w not in _LOAD_AGENTS]
    return _label(ix, who[0]) if who else ""


def _kpi_pool(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "KPIAssignment", ns):
        direction = ix.iri(s, IKG + "desiredDirection")
        cells = {
            "organization": _tail(ix.iri(s, IKG + "forOrganization")),
            "indicator": _record_ref(ix, ix.iri(s, IKG + "assignedIndicator"), ns),
            "role": _tail(ix.iri(s, IKG + "kpiRole")),
            "stage": _tail(ix.iri(s, IKG + "selectionStage")),
            "direction": _tail(direction) if direction else "",
            "range_lower": ix.text(s, IKG + "rangeLower"),
            "range_upper": ix.text(s, IKG + "rangeUpper"),
            "rationale": ix.text(s, IKG + "rationale"),
            "decided_by": _agent(ix, s),
            "decided_on": ix.text(s, IKG + "decidedOn"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["indicator"], cells["stage"])
        rows.append(row)
    return rows


def _value_hypotheses(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "ValueHypothesis", ns):
        lag = ix.text(s, IKG + "lagMonths")
        cells = {
            "organization": _tail(ix.iri(s, IKG + "forOrganization")),
            "from": _record_ref(ix, ix.iri(s, IKG + "fromIndicator"), ns),
            "to": _record_ref(ix, ix.iri(s, IKG + "toIndicator"), ns),
            "polarity": ix.text(s, IKG + "hypothesisPolarity"),
            "lag": f"P{lag}M" if lag else "",
            "evidence": _tail(ix.iri(s, IKG + "evidenceLevel")),
            "evidence_note": ix.text(s, IKG + "evidenceNote"),
            "hypothesis_status": _tail(ix.iri(s, IKG + "hypothesisStatus")),
            "label": _label(ix, s),
            "decided_by": _agent(ix, s),
            "decided_on": ix.text(s, IKG + "decidedOn"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["from"], cells["to"])
        rows.append(row)
    return rows


#: Kind name -> reader, added to :data:`impactkg.graph.export.workbook_rows.READERS`.
READERS: dict[str, Callable[[_Index, str], list[_Row]]] = {
    "kpi_pool": _kpi_pool,
    "value_hypotheses": _value_hypotheses,
}
