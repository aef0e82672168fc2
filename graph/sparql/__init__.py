"""SPARQL text, parameters, terms and results: reading a query, binding it, and writing what it answers
(W3C SPARQL 1.1 Query, Query Results JSON/XML/CSV/TSV)."""
