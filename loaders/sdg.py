"""The SDG reference: 17 goals and 169 targets with the UN's IRIs (kind ``sdg``). Reading the
codes themselves is :mod:`impactkg.ontology.sdg`.
"""

from __future__ import annotations

import pyoxigraph as ox

from impactkg.loaders.base import PREF, A, Column, Context, Kind, N, Row, plain
from impactkg.ontology import SDG, SDGO, SKOS, nfkc, sdg_iri
from impactkg.ontology.sdg import is_goal, is_target, parse_goal, parse_target


def target_node(row: Row, ctx: Context, column: str, cell: str) -> ox.NamedNode | None:
    """Resolve a target cell to the UN's IRI, reporting a malformed or unknown code."""
    code = parse_target(cell)
    if code is None:
        ctx.error(row, column, f"not an SDG target code: {cell!r} (expected e.g. 3.4 or 11.b)")
        return None
    if not is_target(code):
        ctx.error(row, column, f"unknown SDG target {code!r}")
        return None
    return N(sdg_iri(code))


def goal_node(row: Row, ctx: Context, column: str, cell: str) -> ox.NamedNode | None:
    code = parse_goal(cell)
    if code is None or not is_goal(code):
        ctx.error(row, column, f"unknown SDG goal {cell!r} (expected 1 to 17)")
        return None
    return N(sdg_iri(code))


def convert(row: Row, ctx: Context) -> None:
    code = nfkc(row.get("code"))
    goal = nfkc(row.get("goal"))
    node = N(sdg_iri(code))
    ctx.add(node, A, N(SKOS + "Concept"))
    ctx.add(node, N(SKOS + "inScheme"), N(SDG.rstrip("/")))
    ctx.add(node, N(SKOS + "notation"), plain(code))
    ctx.label(node, row.get("label_ja"), "ja", pred=PREF)
    ctx.label(node, row.get("label_en"), "en", pred=PREF)
    if goal:
        if parse_target(code) != code:
            ctx.error(row, "code", f"not an SDG target code: {code!r}")
            return
        if code.split(".")[0] != goal:
            ctx.error(row, "goal", f"target {code} does not belong to goal {goal}")
            return
        ctx.add(node, A, N(SDGO + "Target"))
        ctx.add(node, N(SDGO + "isTargetOf"), N(sdg_iri(goal)))
        ctx.add(N(sdg_iri(goal)), N(SDGO + "hasTarget"), node)
    else:
        if parse_goal(code) != code or not 1 <= int(code) <= 17:
            ctx.error(row, "code", f"not an SDG goal number: {code!r}")
            return
        ctx.add(node, A, N(SDGO + "Goal"))
        ctx.add(node, N(SKOS + "topConceptOf"), N(SDG.rstrip("/")))
    ctx.provenance(node, row)


KIND = Kind(
    name="sdg",
    title="SDG goals and targets",
    key="code",
    columns=[
        Column("code", "Goal number (3) or target code (3.4, 11.b)", required=True, example="3.4"),
        Column("goal", "For a target: its goal number; empty for a goal", example="3"),
        Column("label_ja", "Japanese short name"),
        Column("label_en", "English short name"),
        Column("line", "Line in the source document"),
        Column("note", "Editorial note"),
    ],
    convert=convert,
)
