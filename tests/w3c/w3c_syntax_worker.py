"""Parse SPARQL texts for the syntax tests, in a process of its own.

Run as ``python w3c_syntax_worker.py`` with a JSON list of ``{"door", "update", "text",
"base"}`` on stdin; prints a JSON list of ``[parsed, message]`` (``parsed`` is None when the door crashed:
anything but a refusal of the text). pyoxigraph has no
parse-only call, so each text is run on an empty store: the harness starts this worker without a
network (``unshare -rn``), so that a ``LOAD`` or ``SERVICE`` in a test can reach nothing.
An error other than a syntax error means the text parsed.
"""

from __future__ import annotations

import json
import sys


def _pyoxigraph(text: str, base: str, update: bool) -> tuple[bool | None, str]:
    import pyoxigraph as ox

    store = ox.Store()
    try:
        if update:
            store.update(text, base_iri=base)
        else:
            store.query(text, base_iri=base)
    except SyntaxError as exc:
        return False, " ".join(str(exc).split())
    except Exception as exc:  # noqa: BLE001 - evaluation errors: the text parsed
        return True, f"parsed; evaluation: {type(exc).__name__}: {' '.join(str(exc).split())}"
    return True, ""


def _impactkg(text: str, base: str, dataset_api: bool) -> tuple[bool | None, str]:
    from impactkg import KnowledgeGraph, QueryError

    kg = KnowledgeGraph.memory()
    try:
        if dataset_api:
            kg.query(text, base_iri=base)
        else:
            kg.query(f"BASE <{base}>\n{text}")
    except QueryError as exc:
        message = " ".join(str(exc).split())
        # impactkg has no parse-only call either: its syntax errors say "invalid SPARQL"
        # (anything else is an evaluation error of a text that parsed).
        if message.startswith("invalid SPARQL"):
            return False, message
        return True, f"parsed; evaluation: {message}"
    except Exception as exc:  # noqa: BLE001 - a crash is neither parsed nor refused
        return None, f"crashed: {type(exc).__name__}: {' '.join(str(exc).split())}"
    return True, ""


def main() -> None:
    jobs = json.load(sys.stdin)
    out = []
    for job in jobs:
        if job["door"] == "pyoxigraph":
            out.append(_pyoxigraph(job["text"], job["base"], job["update"]))
        else:
            out.append(_impactkg(job["text"], job["base"], job["dataset_api"]))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
