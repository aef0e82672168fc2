"""``impactkg query`` at a terminal and in a pipe: the table fits the terminal (``COLUMNS``), shows
whole cells when piped, and has ``--max-width``; CSV stays the W3C SPARQL CSV, and ``--excel``
gives the spreadsheet file that ``impactkg export`` writes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from wcwidth import wcswidth

from impactkg import KnowledgeGraph

BIN = Path(sys.executable).parent / "impactkg"
LOOPS = ["feedback-loops", "--param", "factor=人口減少"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("table") / "store"
    with KnowledgeGraph.open(path) as kg:
        kg.build()
    return path


def run(store: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([str(BIN), "query", "--store", str(store), *args], capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode("utf-8")


def at_terminal(store: Path, columns: int, *args: str) -> str:
    """The output of the command run with a pseudo-terminal as its standard output."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.Popen([str(BIN), "query", "--store", str(store), *args], stdout=follower,
                            stderr=subprocess.PIPE, env=env)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=300)
    os.close(leader)
    assert proc.returncode == 0, proc.stderr.read().decode()
    return out.decode("utf-8").replace("\r\n", "\n")


def widths(text: str) -> list[int]:
    return [wcswidth(line) for line in text.splitlines()]


def test_piped_tables_show_whole_cells(store, kg):
    out = run(store, *LOOPS)
    names = [str(r["name"]) for r in kg.query(LOOPS[0], factor="人口減少").dicts()]
    assert len(names) >= 3
    body = out.splitlines()[2:-1]
    assert len(body) == len(names)
    for line, name in zip(body, names, strict=True):
        assert name in line  # whole, never cut with …
    assert "…" not in out


def test_the_table_fits_the_terminal_and_max_width(store, kg):
    n = len(kg.query(LOOPS[0], factor="人口減少").terms)
    for columns in (70, 120):
        out = at_terminal(store, columns, *LOOPS)
        assert max(widths(out)) <= columns and max(widths(out)) > columns - 10
        assert "…" in out
    out = run(store, *LOOPS, "--max-width", "90")
    assert max(widths(out)) <= 90 and out.splitlines()[-1] == f"({n} rows)"


def test_csv_is_sparql_csv_and_excel_is_the_export_file(store, tmp_path):
    plain = run(store, "indicators-for-target", "-p", "target=11.b", "-f", "csv").encode("utf-8")
    assert not plain.startswith(b"\xef\xbb\xbf") and plain.splitlines()[0] == b"id,indicator,unit,domain,impact,activity,result,line,source,target"
    proc = subprocess.run([str(BIN), "query", "--store", str(store), "indicators-for-target", "-p", "target=11.b",
                           "-f", "csv", "--excel"], capture_output=True, check=True)
    subprocess.run([str(BIN), "export", "--store", str(store), "--query", "indicators-for-target", "--param",
                    "target=11.b", "-o", str(tmp_path / "x.csv")], capture_output=True, check=True)
    assert proc.stdout == (tmp_path / "x.csv").read_bytes()
    assert proc.stdout.startswith(b"\xef\xbb\xbf")


def test_cell_width_agrees_with_wcwidth_on_every_label(kg):
    """The table measures cells with the standard library's East Asian Width (a quick start);
    on every label and literal of the embedded graph (Japanese, English, full-width signs) it
    counts what wcwidth counts, and a wide or a zero-width character is not counted as one."""
    from impactkg.graph.sparql.render import width

    texts = {str(row["o"]) for row in kg.sparql("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }")}
    texts = {" ".join(t.split()) for t in texts}
    assert len(texts) > 5000
    differ = sorted(t for t in texts if width(t) != wcswidth(t))
    assert differ == []
    assert [width("人材・働き方"), width("ＡＢ"), width("a\u200db"), width("e\u0301")] == [12, 4, 2, 1]
