"""The graph along the data's path: the store (:mod:`.store`, the one door) and its back ends,
SPARQL text and results, analysis, maps and exports."""
