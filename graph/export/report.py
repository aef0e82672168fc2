"""One self-contained report document, HTML or Markdown: the figures embedded as data URIs, the
tables of named queries with the SPARQL text behind each, the data's provenance and the date.

The HTML needs nothing from the network (no script, no web font, no remote image): open it from
``file://`` and print it to PDF from the browser.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> md = build_report(kg, queries=["indicators-per-goal"], fmt="md", figures=["goals"])
>>> md.splitlines()[0]
'# impactkg レポート | Report'
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impactkg.errors import ReportError
from impactkg.graph.files import write_atomically

REPORT_FORMATS = ("html", "md")
DEFAULT_QUERIES = ("indicators-per-goal", "case-map-cells", "logic-chain")
MAX_ROWS = 1000

PROVENANCE_SPARQL = """SELECT ?source ?title ?cites (COUNT(DISTINCT ?record) AS ?records) WHERE {
  { ?record dcterms:source ?source BIND("dcterms:source" AS ?cites) }
  UNION { ?record prov:wasDerivedFrom ?source BIND("prov:wasDerivedFrom" AS ?cites) }
  ?source a ikg:SourceDocument .
  OPTIONAL { ?source rdfs:label ?title  # the title as written (an English translation aside)
    FILTER(lang(?title) != "en" || NOT EXISTS { ?source rdfs:label ?other FILTER(lang(?other) != "en") }) }
}
GROUP BY ?source ?title ?cites
ORDER BY DESC(?records) ?source ?cites"""

#: What the provenance section says about the tables under it.
PROVENANCE_TEXT = (
    "Every record of the graph cites the line of its source (ikg:sourceLine) and carries an "
    "assertion status (ikg:assertionStatus): what the source states or states in doubtful OCR "
    "cites it as dcterms:source and is attributed to its author; the team's readings, inferences "
    "and translations are prov:wasDerivedFrom the source and attributed to the team. The records "
    "by class and status, the sources, and the named graphs the data was loaded into:"
)

GRAPHS_SPARQL = """SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph"""



@dataclass
class Table:
    """A table of the report: a query's result with its title, description and SPARQL text."""

    name: str
    title: str
    description: str
    sparql: str
    params: dict[str, str]
    variables: list[str]
    rows: list[list[str]]
    total: int


@dataclass
class Figure:
    """A figure of the report: its title, image bytes, and the query behind it (if any)."""

    name: str
    title: str
    svg: bytes | None
    png: bytes | None
    sparql: str
    note: str = ""


def _short(term: Any) -> str:
    from impactkg.graph.sparql.terms import display

    return display(term)


def _table(kg, name: str, params: dict[str, str]) -> Table:
    from impactkg.queries import get, library, parse

    if name in library():
        q = get(name)
    elif name.endswith(".rq") and Path(name).exists():
        q = parse(Path(name).read_text(encoding="utf-8"), Path(name).stem, Path(name))
    else:
        q = get(name)  # raises with close names
    mine = {k: v for k, v in params.items() if q.param(k) is not None}
    result = kg.query(name, **mine)
    if result.kind != "select":
        raise ReportError(f"{name}: a report table needs a SELECT query")
    rows = [[_short(v) for v in values] for values in result.rows[:MAX_ROWS]]
    title = " | ".join(t for t in (q.title_ja, q.title_en) if t) or name
    return Table(name, title, q.description, q.text.strip(), mine, result.variables, rows,
                 len(result.rows))


def _literal_table(kg, name: str, title: str, sparql: str) -> Table:
    result = kg.sparql(sparql)
    rows = [[_short(v) for v in values] for values in result.rows]
    return Table(name, title, "", sparql, {}, result.variables, rows, len(result.rows))


def _figure(kg, name: str, fmt: str) -> Figure:
    from impactkg.graph.export import figures

    query = figures.QUERIES.get(name)
    sparql = ""
    if query:
        from impactkg.queries import get

        sparql = get(query).text.strip()
    try:
        fig = figures.make_figure(kg, name)
    except figures.FigureError as exc:
        return Figure(name, figures.TITLES[name], None, None, sparql, note=str(exc))
    if name == "system" and not sparql:
        sparql = ("# causal links: ikg:CausalLink resources (ikg:fromFactor, ikg:toFactor, "
                  "ikg:polarity);\n# loops found by impactkg.graph.analysis.system (R: even number of - links, "
                  "B: odd)")
    svg = figures.render(fig, "svg") if fmt == "html" else None
    png = figures.render(fig, "png", dpi=110) if fmt == "md" else None
    return Figure(name, figures.TITLES[name], svg, png, sparql)


def collect(
    kg,
    queries: Sequence[str] | None = None,
    params: dict[str, str] | None = None,
    figures: Sequence[str] | None = None,
    fmt: str = "html",
) -> tuple[list[Figure], list[Table], list[Table]]:
    """The figures, the query tables and the provenance tables of a report."""
    from impactkg.graph.export.figures import FIGURES

    names = list(FIGURES if figures is None else figures)
    for name in names:
        if name not in FIGURES:
            raise ReportError(f"unknown figure {name!r} (use: {', '.join(FIGURES)})")
    tables = [_table(kg, q, params or {}) for q in (queries or DEFAULT_QUERIES)]
    unused = sorted(set(params or {}) - {k for t in tables for k in t.params})
    if unused:
        raise ReportError(f"--param {unused[0]}: none of the report's queries has that parameter")
    figs = [_figure(kg, name, fmt) for name in names]
    provenance = [
        _table(kg, "assertion-status", {}),
        _literal_table(kg, "sources", "出典 | Sources of the records", PROVENANCE_SPARQL),
        _literal_table(kg, "graphs", "名前付きグラフ | Named graphs", GRAPHS_SPARQL),
    ]
    return figs, tables, provenance


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# ---------------------------------------------------------------------- HTML
_CSS = """
body { font-family: "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", Meiryo, sans-serif;
       margin: 2rem auto; max-width: 60rem; color: #222; line-height: 1.5; padding: 0 1rem; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #444; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #bbb; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
table { border-collapse: collapse; font-size: 0.8rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.4rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.5rem; font-size: 0.72rem;
      white-space: pre-wrap; word-break: break-all; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; }
.meta { color: #555; font-size: 0.85rem; } .note { color: #8a5a00; }
@media print { body { max-width: none; margin: 0; } h2 { page-break-before: always; }
               h2:first-of-type { page-break-before: avoid; } figure, table { page-break-inside: avoid; } }
"""


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _html_table(t: Table) -> str:
    e = html.escape
    out = [f"<h3>{e(t.title)}</h3>"]
    if t.description:
        out.append(f"<p>{e(t.description)}</p>")
    if t.params:
        shown = ", ".join(f"{k}={v}" for k, v in t.params.items())
        out.append(f'<p class="meta">parameters: {e(shown)}</p>')
    more = f" (the first {len(t.rows)} shown)" if t.total > len(t.rows) else ""
    out.append(f'<p class="meta">{t.total} rows{more}</p>')
    out.append("<table><thead><tr>" + "".join(f"<th>{e(v)}</th>" for v in t.variables)
               + "</tr></thead><tbody>")
    for row in t.rows:
        cells = "".join(
            f'<td class="num">{e(c)}</td>' if c and _is_number(c) else f"<td>{e(c)}</td>" for c in row
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    out.append(f"<p class=\"meta\">SPARQL ({e(t.name)}):</p><pre>{e(t.sparql)}</pre>")
    return "\n".join(out)


def _html(figs: list[Figure], tables: list[Table], provenance: list[Table], meta: dict[str, str]) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(meta['title'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(meta['title'])}</h1>",
        f'<p class="meta">作成日時 | Date: {e(meta["date"])}<br>impactkg {e(meta["version"])}'
        f'<br>グラフ | Graph: {e(meta["store"])} ({e(meta["quads"])} quads)</p>',
        "<h2>図 | Figures</h2>",
    ]
    for f in figs:
        if f.svg is None:
            out.append(f'<h3>{e(f.title)}</h3><p class="note">{e(f.note)}</p>')
            continue
        out.append(f"<h3>{e(f.title)}</h3><figure><img alt=\"{e(f.title)}\" "
                   f"src=\"{_data_uri(f.svg, 'image/svg+xml')}\"><figcaption>{e(f.title)}"
                   "</figcaption></figure>")
        if f.sparql:
            out.append(f"<p class=\"meta\">SPARQL ({e(f.name)}):</p><pre>{e(f.sparql)}</pre>")
    out.append("<h2>表 | Tables</h2>")
    out += [_html_table(t) for t in tables]
    out.append("<h2>出典とデータの来歴 | Provenance</h2>")
    out.append(f"<p>{e(PROVENANCE_TEXT)}</p>")
    out += [_html_table(t) for t in provenance]
    out.append(f'<p class="meta">Generated by impactkg {e(meta["version"])} on {e(meta["date"])}.</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------- Markdown
def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def _md_table(t: Table) -> str:
    out = [f"### {t.title}", ""]
    if t.description:
        out += [t.description, ""]
    if t.params:
        out += ["parameters: " + ", ".join(f"`{k}={v}`" for k, v in t.params.items()), ""]
    more = f" (the first {len(t.rows)} shown)" if t.total > len(t.rows) else ""
    out += [f"{t.total} rows{more}", ""]
    out.append("| " + " | ".join(_md_cell(v) for v in t.variables) + " |")
    out.append("|" + "|".join(" --- " for _ in t.variables) + "|")
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in t.rows]
    out += ["", f"SPARQL ({t.name}):", "", "```sparql", t.sparql, "```", ""]
    return "\n".join(out)


def _markdown(figs: list[Figure], tables: list[Table], provenance: list[Table],
              meta: dict[str, str]) -> str:
    out = [
        f"# {meta['title']}",
        "",
        f"- 作成日時 | Date: {meta['date']}",
        f"- impactkg {meta['version']}",
        f"- グラフ | Graph: {meta['store']} ({meta['quads']} quads)",
        "",
        "## 図 | Figures",
        "",
    ]
    for f in figs:
        out += [f"### {f.title}", ""]
        if f.png is None:
            out += [f"*{f.note}*", ""]
            continue
        out += [f"![{f.title}]({_data_uri(f.png, 'image/png')})", ""]
        if f.sparql:
            out += [f"SPARQL ({f.name}):", "", "```sparql", f.sparql, "```", ""]
    out += ["## 表 | Tables", ""]
    out += [_md_table(t) for t in tables]
    out += ["## 出典とデータの来歴 | Provenance", "", PROVENANCE_TEXT, ""]
    out += [_md_table(t) for t in provenance]
    out += [f"Generated by impactkg {meta['version']} on {meta['date']}.", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------- entry points
def build_report(
    kg,
    queries: Sequence[str] | None = None,
    params: dict[str, str] | None = None,
    fmt: str = "html",
    figures: Sequence[str] | None = None,
    date: dt.datetime | None = None,
    title: str = "impactkg レポート | Report",
) -> str:
    """The report as HTML or Markdown text: figures (all four unless ``figures`` names some),
    a table per query (``queries``; default :data:`DEFAULT_QUERIES`) with its SPARQL text,
    provenance, and the date."""
    from impactkg import __version__

    if fmt not in REPORT_FORMATS:
        raise ReportError(f"unknown report format {fmt!r} (write report.html or report.md)")
    figs, tables, provenance = collect(kg, queries, params, figures, fmt)
    when = (date or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    meta = {
        "title": title,
        "date": when,
        "version": __version__,
        "store": str(kg.path) if kg.path is not None else f"{kg.backend} (not on disk)",
        "quads": str(len(kg)),
    }
    return _html(figs, tables, provenance, meta) if fmt == "html" else _markdown(
        figs, tables, provenance, meta)


def write_report(kg, path: str | Path, fmt: str | None = None, **options: Any) -> Path:
    """Write the report to ``path`` (``.html`` or ``.md``).

    >>> import tempfile, pathlib
    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> p = write_report(kg, pathlib.Path(tempfile.mkdtemp()) / "r.html", figures=["goals"])
    >>> "data:image/svg+xml;base64," in p.read_text(encoding="utf-8")
    True
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    fmt = fmt or {"htm": "html", "markdown": "md"}.get(suffix, suffix)
    text = build_report(kg, fmt=fmt, **options)
    write_atomically(path, text.encode("utf-8"), ReportError)
    return path


__all__ = ["DEFAULT_QUERIES", "REPORT_FORMATS", "ReportError", "build_report", "collect",
           "write_report"]
