"""What the graph implies: feedback loops and leverage, SHACL validation, OWL reasoning, crosswalks."""
