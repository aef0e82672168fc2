"""Exports of the whole graph or of a selection: RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD
with the context shipped in ``ontology/context.jsonld``, RDF/XML) and graph files for Gephi, yEd
and Cytoscape (GraphML, GEXF, Cytoscape.js JSON).

The modules: :mod:`.selection` (what a named query, a domain or a focus picks out of the graph),
:mod:`.rdf` (RDF formats), :mod:`.graphfiles` (the networkx graph and its files); tables,
figures, the report, CIDS and the ontology docs have their own modules. The names below are
re-exported here.

A *selection* is what a named query, a domain or a focus (a resource and its N-step neighbourhood)
picks out of the graph: the quads that describe the selected resources, plus the labels and types
of what they point to, so that every exported node has a name.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> sel = select(kg, domain="healthcare-health")
>>> g = to_networkx(sel.quads)
>>> g.nodes["https://w3id.org/impactkg/concept/domain/healthcare-health"]["label_en"]
'Healthcare & Health'
"""

from __future__ import annotations

from impactkg.graph.export.graphfiles import (
    GRAPH_FORMATS,
    causal_links,
    cytoscape_json,
    gexf_bytes,
    node_style,
    to_networkx,
    write_graph,
)
from impactkg.graph.export.rdf import (
    QUAD_FORMATS,
    RDF_FORMATS,
    jsonld_context,
    write_quads,
    write_rdf,
)
from impactkg.graph.export.selection import (
    ExportError,
    Selection,
    describe,
    expand,
    resolve_domain,
    resolve_resource,
    resource_graph,
    select,
)

__all__ = [
    "RDF_FORMATS",
    "GRAPH_FORMATS",
    "QUAD_FORMATS",
    "ExportError",
    "Selection",
    "causal_links",
    "cytoscape_json",
    "describe",
    "expand",
    "gexf_bytes",
    "jsonld_context",
    "node_style",
    "resolve_domain",
    "resolve_resource",
    "resource_graph",
    "select",
    "to_networkx",
    "write_graph",
    "write_quads",
    "write_rdf",
]
