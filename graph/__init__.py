"""The store, query results, validation and statistics of the knowledge graph."""
