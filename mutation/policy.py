"""What ``make mutation`` mutates and what it leaves out, read from ``mutation/config.toml`` and
``mutation/equivalent.tsv``; no dependency on the mutation tool (tests/test_mutation_config.py
checks this configuration against the sources).

Three things keep a generated mutant from being run, each said in the report:

- **policy**: of the ~11 replacements cosmic-ray makes for each binary operator and the ~7 for
  each comparison, one (binary) or two (comparison: its negation and its boundary neighbour) are
  run, as mutmut and PIT do; the others test the same line again.
- **annotation**: a change inside a type annotation of a module with ``from __future__ import
  annotations`` (never evaluated at run time, so no test can see it: equivalent by construction).
- **equivalent**: a mutant listed in ``equivalent.tsv`` by file, line, operator and the line's
  text, with the reason no behaviour can tell it apart.
- **scope**: for a module with ``functions`` in the configuration, a change outside them (the
  store's load/replace path is part of ``graph/store.py``, not the whole file).
"""

from __future__ import annotations

import ast
import csv
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = HERE / "config.toml"
EQUIVALENT = HERE / "equivalent.tsv"
EQUIVALENT_COLUMNS = ["path", "line", "operator", "code", "mutant", "reason"]

#: The one replacement run for each binary operator (cosmic-ray's name: ``ReplaceBinaryOperator_A_B``).
BINARY = {
    "Add": "Sub", "Sub": "Add", "Mul": "Div", "Div": "Mul", "FloorDiv": "Div", "Mod": "Div",
    "Pow": "Mul", "LShift": "RShift", "RShift": "LShift", "BitOr": "BitAnd", "BitAnd": "BitOr",
    "BitXor": "BitAnd",
}
#: The replacements run for each comparison: its negation and its boundary neighbour.
COMPARISON = {
    ("Eq", "NotEq"), ("NotEq", "Eq"), ("Lt", "LtE"), ("Lt", "GtE"), ("LtE", "Lt"), ("LtE", "Gt"),
    ("Gt", "GtE"), ("Gt", "LtE"), ("GtE", "Gt"), ("GtE", "Lt"), ("Is", "IsNot"), ("IsNot", "Is"),
}
#: Unary replacements run: a sign flipped, a ``-``, ``~`` or ``not`` removed.
UNARY = {"USub_UAdd", "Delete_USub", "Delete_Not", "Delete_Invert"}


def short(operator: str) -> str:
    """``core/ReplaceBinaryOperator_Add_Sub`` -> ``ReplaceBinaryOperator_Add_Sub``."""
    return operator.rsplit("/", 1)[-1]


def by_policy(operator: str) -> bool:
    """Whether the operator (cosmic-ray's name) is one this project runs."""
    name = short(operator)
    kind, _, rest = name.partition("_")
    if kind == "ReplaceBinaryOperator":
        a, b = rest.split("_")
        return BINARY.get(a) == b
    if kind == "ReplaceComparisonOperator":
        a, b = rest.split("_")
        return (a, b) in COMPARISON
    if kind == "ReplaceUnaryOperator":
        return rest in UNARY
    return True


@dataclass
class Module:
    """A module to mutate: its path, the tests (pytest arguments) that cover it, and optionally
    the functions (``Class.method`` or ``function``) it is limited to."""

    path: str
    tests: list[str]
    title: str = ""
    functions: list[str] = field(default_factory=list)
    #: The tests read the embedded graph as built by the unmutated code (a module that building
    #: does not go through), bulk-loaded instead of built for each mutant.
    prebuilt: bool = False


@dataclass
class Config:
    modules: list[Module]
    lanes: int = 2
    timeout_floor: float = 30.0
    timeout_factor: float = 4.0
    target: float = 0.8


def load_config(path: Path = CONFIG) -> Config:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    run = data.get("run", {})
    modules = [Module(m["path"], list(m["tests"]), m.get("title", ""), list(m.get("functions", [])),
                      bool(m.get("prebuilt", False))) for m in data["module"]]
    return Config(modules, int(run.get("lanes", 2)), float(run.get("timeout-floor", 30)),
                  float(run.get("timeout-factor", 4)), float(run.get("target", 0.8)))


@dataclass(frozen=True)
class Equivalent:
    """A mutant left out: ``operator`` (cosmic-ray's short name) at ``line`` of ``path``, whose text
    is ``code``; ``mutant`` is the line as the mutant writes it (stripped), or empty for every
    mutant of that operator on the line."""

    path: str
    line: int
    operator: str
    code: str
    mutant: str
    reason: str


def load_equivalents(path: Path = EQUIVALENT) -> list[Equivalent]:
    """The listed equivalent mutants (a ``#`` line is a comment)."""
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [Equivalent(r["path"], int(r["line"]), r["operator"], r["code"], r["mutant"], r["reason"]) for r in rows]


def stale_equivalents(equivalents: list[Equivalent], root: Path = ROOT) -> list[str]:
    """The entries whose line no longer holds the code they name (each as a one-line message)."""
    out = []
    for e in equivalents:
        file = root / e.path
        if not file.exists():
            out.append(f"equivalent.tsv: {e.path} does not exist")
            continue
        lines = file.read_text(encoding="utf-8").splitlines()
        got = lines[e.line - 1].strip() if 0 < e.line <= len(lines) else None
        if got != e.code:
            out.append(f"equivalent.tsv: {e.path}:{e.line} is {got!r}, not {e.code!r} (update the entry)")
        if not e.reason.strip():
            out.append(f"equivalent.tsv: {e.path}:{e.line} {e.operator} gives no reason")
    return out


def relocate_equivalents(path: Path = EQUIVALENT, root: Path = ROOT) -> list[str]:
    """Move each stale entry of ``path`` to the line that now holds its code, when exactly one
    line of its file does (an edit above it moved it); rewrites the file and returns what it
    moved, one line each. An entry whose code is gone or is on several lines stays stale: its
    mutant must be looked at again."""
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    moved: list[str] = []
    out: list[str] = []
    header: list[str] | None = None
    for raw in text:
        if not raw.strip() or raw.startswith("#"):
            out.append(raw)
            continue
        cells = raw.rstrip("\n").split("\t")
        if header is None:
            header = cells
            out.append(raw)
            continue
        row = dict(zip(header, cells, strict=True))
        file = root / row["path"]
        lines = [x.strip() for x in file.read_text(encoding="utf-8").splitlines()] if file.exists() else []
        at = int(row["line"])
        if not (0 < at <= len(lines) and lines[at - 1] == row["code"]):
            where = [i + 1 for i, x in enumerate(lines) if x == row["code"]]
            if len(where) == 1:
                moved.append(f"{row['path']}:{at} -> {where[0]} {row['operator']}")
                row["line"] = str(where[0])
                raw = "\t".join(row[h] for h in header) + "\n"
        out.append(raw)
    path.write_text("".join(out), encoding="utf-8")
    return moved


Span = tuple[tuple[int, int], tuple[int, int]]


def _char_col(lines: list[str], line: int, byte_col: int) -> int:
    return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))


def _span(lines: list[str], node: ast.AST) -> Span:
    return ((node.lineno, _char_col(lines, node.lineno, node.col_offset)),  # type: ignore[attr-defined]
            (node.end_lineno, _char_col(lines, node.end_lineno, node.end_col_offset)))  # type: ignore[attr-defined]


def annotation_spans(source: str) -> list[Span]:
    """Where the unevaluated annotations are (line, column in characters, as cosmic-ray counts),
    in a module with ``from __future__ import annotations``; none otherwise."""
    tree = ast.parse(source)
    lines = source.splitlines()
    postponed = any(
        isinstance(n, ast.ImportFrom) and n.module == "__future__" and any(a.name == "annotations" for a in n.names)
        for n in tree.body
    )
    if not postponed:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
                if arg is not None and arg.annotation is not None:
                    out.append(_span(lines, arg.annotation))
            if node.returns is not None:
                out.append(_span(lines, node.returns))
        elif isinstance(node, ast.AnnAssign):
            out.append(_span(lines, node.annotation))
    return out


def function_spans(source: str) -> dict[str, tuple[int, int]]:
    """``{"Class.method" or "function": (first line, last line)}`` of the top-level functions and
    the methods of top-level classes."""
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out[node.name] = (node.lineno, node.end_lineno or node.lineno)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    first = min([item.lineno, *(d.lineno for d in item.decorator_list)])
                    out[f"{node.name}.{item.name}"] = (first, item.end_lineno or item.lineno)
    return out


def inside(spans: list[Span], start: tuple[int, int], end: tuple[int, int]) -> bool:
    return any(s <= tuple(start) and tuple(end) <= e for s, e in spans)


class Selector:
    """Decides, for one module, why a generated mutant is not run (or ``None``: it is run)."""

    def __init__(self, module: Module, equivalents: list[Equivalent], root: Path = ROOT):
        source = (root / module.path).read_text(encoding="utf-8")
        self.annotations = annotation_spans(source)
        spans = function_spans(source)
        missing = [f for f in module.functions if f not in spans]
        if missing:
            raise ValueError(f"{module.path}: no function {', '.join(missing)} (mutation/config.toml)")
        self.scope = [spans[f] for f in module.functions]
        self.used: set[Equivalent] = set()
        self.equivalent: dict[tuple[int, str], list[Equivalent]] = {}
        for e in equivalents:
            if e.path == module.path:
                self.equivalent.setdefault((e.line, e.operator), []).append(e)

    def reason(self, operator: str, start: tuple[int, int], end: tuple[int, int],
               mutant: Callable[[], str] = lambda: "") -> str | None:
        """Why the mutant is not run, or None; ``mutant()`` gives its line (stripped), asked only
        for a line and operator the equivalent list names."""
        if not by_policy(operator):
            return "policy"
        if self.scope and not any(a <= start[0] <= b for a, b in self.scope):
            return "scope"
        if inside(self.annotations, start, end):
            return "annotation"
        listed = self.equivalent.get((start[0], short(operator)), [])
        matched = [e for e in listed if not e.mutant] or (
            [e for e in listed if e.mutant == mutant()] if listed else [])
        if matched:
            self.used.update(matched)
            return "equivalent"
        return None

    def unused(self) -> list[str]:
        """The listed equivalents that matched no generated mutant (stale entries)."""
        return [f"equivalent.tsv: {e.path}:{e.line} {e.operator} {e.mutant or '(any)'!r} matches no mutant "
                "(update the entry)" for group in self.equivalent.values() for e in group if e not in self.used]
