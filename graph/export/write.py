"""Every export behind one function: what ``impactkg export`` does, callable from Python
(``kg.export(...)`` with a selection or a non-RDF format comes here too).

The rules (which format takes which selection) live here, not in the command line:

- RDF (ttl, nt, nq, trig, jsonld, xml): the whole graph or a selection (``query``, ``domain``,
  ``focus``); ttl, nt, xml and jsonld hold the union of the named graphs, each triple once; nq
  and trig keep the named graphs, and so does jsonld with ``graphs=True``.
- Graph files (graphml, gexf, cyjs): the whole graph or a selection.
- Tables for spreadsheets (csv, tsv, xlsx): a query's result (``query``); xlsx without a query is
  the whole catalogue of ``namespace`` as a workbook that ``impactkg load`` reads back.
- Figures (svg, png): ``figure`` (chain, system, heatmap, goals), optionally on a selection.

>>> from impactkg import KnowledgeGraph
>>> import tempfile, pathlib
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> out = pathlib.Path(tempfile.mkdtemp()) / "ontology-free.nt"
>>> export(kg, out, query="indicators-for-target", params={"target": "11.b"}).startswith("wrote")
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from impactkg.errors import ExportError, StoreError

RDF_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml")
GRAPH_FORMATS = ("graphml", "gexf", "cyjs")
TABLE_FORMATS = ("csv", "tsv", "xlsx")
FIGURE_FORMATS = ("svg", "png")
FORMATS = RDF_FORMATS + GRAPH_FORMATS + TABLE_FORMATS + FIGURE_FORMATS
FIGURES = ("chain", "system", "heatmap", "goals")
#: Other names of the formats, as file suffixes or in use elsewhere.
ALIASES = {"turtle": "ttl", "rdf": "xml", "owl": "xml", "json": "jsonld", "rdfxml": "xml", "nquads": "nq"}


def format_of(output: str | Path, fmt: str | None) -> str:
    """The export format: ``fmt``, else the output file's suffix. ExportError when unknown."""
    name = fmt or Path(output).suffix.lstrip(".").lower()
    name = ALIASES.get(name, name)
    if name not in FORMATS:
        raise ExportError(f"unknown export format {name or '(none)'!r} (use --format {'|'.join(FORMATS)})")
    return name


def export(
    kg: Any,
    output: str | Path,
    fmt: str | None = None,
    *,
    query: str | None = None,
    params: dict[str, Any] | None = None,
    domain: str | None = None,
    focus: str | None = None,
    depth: int = 1,
    status: str | None = None,
    figure: str | None = None,
    namespace: str | None = None,
    graphs: bool = False,
    width: str | None = None,
    height: str | None = None,
    dpi: float = 150,
    progress: bool = False,
) -> str:
    """Write the graph, or a selection of it, to ``output`` as ``fmt`` (default: from the file's
    suffix); returns one line saying what was written. Raises ExportError for a combination
    the format cannot take (a table without a query, a figure without ``figure``, ...), with
    what to do instead."""
    from impactkg.graph import export as ex

    fmt = format_of(output, fmt)
    params = dict(params or {})
    out = Path(output)
    if figure and fmt not in FIGURE_FORMATS:
        raise ExportError(f"--figure draws SVG or PNG, not {fmt} (use -o FILE.svg or FILE.png)")
    if figure and figure not in FIGURES:
        raise ExportError(f"unknown figure {figure!r} (use one of: {', '.join(FIGURES)})")
    if fmt in FIGURE_FORMATS and not figure:
        raise ExportError(f"--format {fmt} draws a figure: add --figure {'|'.join(FIGURES)}")
    if fmt in ("csv", "tsv") and not query:
        raise ExportError(f"--format {fmt} writes a query's result: add --query NAME")
    if fmt in TABLE_FORMATS and (domain or focus):
        raise ExportError("a table comes from --query NAME; --domain and --focus select for RDF, "
                          "graph files and the system figure")
    if namespace and fmt != "xlsx":
        raise ExportError("--namespace chooses the records of the xlsx catalogue workbook")
    if status and fmt in TABLE_FORMATS:
        raise ExportError("--status selects records for RDF, graph files and figures; "
                          "a query's table takes -p status=STATUS")
    if graphs and fmt not in ("jsonld", "nq", "trig"):
        raise ExportError(f"{fmt} has no named graphs: use nq, trig or jsonld to keep them")
    selecting = bool(query or domain or focus or status)

    if fmt in FIGURE_FORMATS:
        from impactkg.graph.export.figures import write_figure

        quads = None
        if query or focus or status:
            quads = ex.select(kg, query=query, params=params, focus=focus, depth=depth, status=status,
                              progress=progress).quads
        assert figure is not None
        write_figure(kg, figure, out, fmt, width=width, height=height, dpi=dpi, domain=domain, quads=quads)
        return f"wrote the {figure} figure as {fmt} to {out}"
    if fmt in TABLE_FORMATS and query:
        from impactkg.graph.export.tables import write_result
        from impactkg.queries import resolve

        sparql, _ = resolve(query, params)
        n = write_result(kg.query(query, params), out, fmt, title=query, sparql=sparql, params=params)
        return f"wrote {n} rows of {query} as {fmt} to {out}"
    if fmt == "xlsx":
        from impactkg.graph.export.workbook import write_workbook

        return write_workbook(kg, out, namespace=namespace, progress=progress).text()
    if fmt in RDF_FORMATS and not selecting:
        try:
            return kg.export(out, fmt, graphs=graphs)
        except StoreError as exc:
            raise ExportError(str(exc)) from None
    sel = ex.select(kg, query=query, params=params, domain=domain, focus=focus, depth=depth, status=status,
                    progress=progress)
    if fmt in RDF_FORMATS:
        n = ex.write_quads(sel.quads or [], out, fmt, graphs=graphs)
        return f"wrote {n} quads ({sel.what}) as {fmt} to {out}"
    if fmt in ("graphml", "gexf"):
        from impactkg.graph.sparql.formats import check_xml_safe

        check_xml_safe(sel.quads if sel.quads is not None else kg.quads())
    nodes, edges = ex.write_graph(kg, sel, out, fmt, progress=progress)
    return f"wrote {nodes} nodes and {edges} edges ({sel.what}) as {fmt} to {out}"
