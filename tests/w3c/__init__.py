"""The W3C SPARQL 1.1 conformance harness (see README.md)."""
