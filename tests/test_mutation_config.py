"""`make mutation` is not part of `make test`, so its configuration is checked here: the core
modules are all listed, every test path and function it names exists, every equivalent mutant
it leaves out still points at the line it was written for (with a reason), and the rules that
decide what is run select what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mutation.policy import (
    ROOT,
    Selector,
    annotation_spans,
    by_policy,
    function_spans,
    load_config,
    load_equivalents,
    relocate_equivalents,
    stale_equivalents,
)

#: The core modules issue 19 names (the store's load/replace path is three files; the loaders'
#: shared machinery, once loaders/base.py, is in the four modules it re-exports).
CORE = {"loaders/terms.py", "loaders/kinds.py", "loaders/context.py", "loaders/batch.py", "loaders/catalogue.py",
        "queries/__init__.py", "graph/sparql/results.py", "graph/sparql/formats.py", "graph/store.py",
        "graph/loading.py", "graph/backends/oxigraph.py"}


def test_every_core_module_is_mutated_with_tests_that_exist():
    cfg = load_config()
    assert {m.path for m in cfg.modules} == CORE
    assert cfg.target >= 0.8 and cfg.lanes >= 1
    for m in cfg.modules:
        assert (ROOT / m.path).is_file(), m.path
        paths = [t.split("::")[0] for t in m.tests if not t.startswith("-")]
        assert paths, m.path
        for p in paths:
            assert (ROOT / p).exists(), f"{m.path}: no {p}"
        Selector(m, [])  # every function named in `functions` exists


def test_every_equivalent_mutant_points_at_its_line_and_says_why():
    equivalents = load_equivalents()
    assert stale_equivalents(equivalents) == []
    cfg_paths = {m.path for m in load_config().modules}
    operators = re.compile(r"(ReplaceBinaryOperator|ReplaceComparisonOperator|ReplaceUnaryOperator)_\w+|AddNot|"
                           r"ReplaceTrueWithFalse|ReplaceFalseWithTrue|ReplaceAndWithOr|ReplaceOrWithAnd|"
                           r"ReplaceBreakWithContinue|ReplaceContinueWithBreak|ExceptionReplacer|NumberReplacer|"
                           r"RemoveDecorator|ZeroIterationForLoop")
    for e in equivalents:
        assert e.path in cfg_paths, e
        assert operators.fullmatch(e.operator) and by_policy(e.operator), e
        assert len(e.reason) > 20, e


def test_a_moved_line_makes_its_entry_stale(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\ny = 2\n", encoding="utf-8")
    from mutation.policy import Equivalent

    ok = Equivalent("m.py", 2, "NumberReplacer", "y = 2", "", "no test can tell y from y + 1 here")
    moved = Equivalent("m.py", 1, "NumberReplacer", "y = 2", "", "no test can tell y from y + 1 here")
    assert stale_equivalents([ok], tmp_path) == []
    assert stale_equivalents([moved], tmp_path) == ["equivalent.tsv: m.py:1 is 'x = 1', not 'y = 2' (update the entry)"]


@pytest.mark.parametrize(
    "operator,run",
    [
        ("core/ReplaceBinaryOperator_Add_Sub", True), ("core/ReplaceBinaryOperator_Add_Mul", False),
        ("core/ReplaceBinaryOperator_BitOr_BitAnd", True), ("core/ReplaceBinaryOperator_BitOr_Add", False),
        ("core/ReplaceComparisonOperator_Eq_NotEq", True), ("core/ReplaceComparisonOperator_Eq_Is", False),
        ("core/ReplaceComparisonOperator_Lt_GtE", True), ("core/ReplaceComparisonOperator_Lt_Eq", False),
        ("core/ReplaceUnaryOperator_Delete_Not", True), ("core/ReplaceUnaryOperator_USub_Invert", False),
        ("core/AddNot", True), ("core/NumberReplacer", True), ("core/ZeroIterationForLoop", True),
    ],
)
def test_the_operator_policy(operator, run):
    assert by_policy(operator) is run


def test_annotations_are_found_only_where_they_are_not_evaluated():
    source = "from __future__ import annotations\ndef f(a: int | None, *, b: 'x' = 1) -> str | None:\n    c: int = a | 1\n"
    assert annotation_spans(source) == [((2, 9), (2, 19)), ((2, 27), (2, 30)), ((2, 39), (2, 49)), ((3, 7), (3, 10))]
    assert annotation_spans(source.split("\n", 1)[1]) == []  # evaluated without the future import
    assert annotation_spans("from __future__ import annotations\ndef f(é='é', a: 'éé' = 1): pass\n") == [((2, 16), (2, 20))]
    spans = function_spans("class K:\n    @property\n    def p(self):\n        return 1\ndef f():\n    pass\n")
    assert spans == {"K.p": (2, 4), "f": (5, 6)}


def test_the_selector_says_why_a_mutant_is_not_run(tmp_path):
    (tmp_path / "m.py").write_text(
        "from __future__ import annotations\n\nclass K:\n    def a(self, x: int | None) -> int:\n        return x + 1\n\n"
        "    def b(self):\n        return 2 + 2\n", encoding="utf-8")
    from mutation.policy import Equivalent, Module

    module = Module("m.py", ["tests"], functions=["K.a"])
    eq = [Equivalent("m.py", 5, "ReplaceBinaryOperator_Add_Sub", "return x + 1", "", "only for this test"),
          Equivalent("m.py", 5, "NumberReplacer", "return x + 1", "return x + 0", "only for this test")]
    sel = Selector(module, eq, tmp_path)
    assert sel.reason("core/ReplaceBinaryOperator_Add_Mul", (5, 15), (5, 16)) == "policy"
    assert sel.reason("core/ReplaceBinaryOperator_BitOr_BitAnd", (4, 23), (4, 24)) == "annotation"
    assert sel.unused() == ["equivalent.tsv: m.py:5 ReplaceBinaryOperator_Add_Sub '(any)' matches no mutant (update "
                            "the entry)", "equivalent.tsv: m.py:5 NumberReplacer 'return x + 0' matches no mutant "
                            "(update the entry)"]
    assert sel.reason("core/ReplaceBinaryOperator_Add_Sub", (5, 15), (5, 16)) == "equivalent"
    assert sel.reason("core/NumberReplacer", (5, 17), (5, 18), lambda: "return x + 2") is None
    assert sel.reason("core/NumberReplacer", (5, 17), (5, 18), lambda: "return x + 0") == "equivalent"
    assert sel.unused() == []
    assert sel.reason("core/NumberReplacer", (8, 15), (8, 16)) == "scope"
    with pytest.raises(ValueError, match=r"m.py: no function K.c \(mutation/config.toml\)"):
        Selector(Module("m.py", [], functions=["K.c"]), [], tmp_path)


def test_the_report_covers_every_core_module():
    """mutation/report.md is written by the runner (its first line says by which command: `make
    mutation`, or the sessions of runs by module and of survivors) and has a row for each module."""
    report = ROOT / "mutation" / "report.md"
    text = report.read_text(encoding="utf-8")
    assert re.match(r"# Mutation testing of the core modules\n\nWritten by `(make mutation|python -m mutation\.run"
                    r"( --report-only| --survivors)?)` on ", text)
    for path in CORE:
        assert re.search(rf"^\| `{re.escape(path)}` \| \d+ \| .* \| \d+\.\d% \| (met|\*\*missed\*\*) \|$", text, re.M), path
    assert "\n## Surviving mutants\n" in text
    assert Path(ROOT / "mutation" / "README.md").is_file()


def test_every_fault_of_the_issue_still_finds_its_code():
    """mutation/faults.py breaks each behaviour of issue 19 once: each fault's text is in its file
    exactly once (else the table has gone stale), and each names tests that exist."""
    from mutation.faults import FAULTS

    assert len(FAULTS) >= 20
    for fault in FAULTS:
        text = (ROOT / fault.path).read_text(encoding="utf-8")
        assert text.count(fault.old) == 1, (fault.behaviour, fault.path)
        for test in fault.tests:
            file, _, name = test.partition("::")
            assert f"def {name}(" in (ROOT / file).read_text(encoding="utf-8"), test


def test_survivors_run_again_only_while_the_source_is_the_one_mutated(tmp_path):
    """``--survivors`` makes only the last session's survivors pending again (a survivor now listed
    as equivalent is left out instead), and refuses a session whose module has changed since."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome, WorkItem, WorkResult

    from mutation.policy import Equivalent, Module
    from mutation.run import reopen_survivors

    source = "def f(x):\n    return x + 1\n\n\ndef g(x):\n    return x * 2\n"
    (tmp_path / "m.py").write_text(source, encoding="utf-8")

    def diff(before: str, after: str) -> str:
        return f"--- mutation diff ---\n--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n-{before}\n+{after}\n"

    items = [  # job id, line, operator, outcome, lines before and after
        ("killed", 2, "core/ReplaceBinaryOperator_Add_Sub", TestOutcome.KILLED, "    return x + 1", "    return x - 1"),
        ("survived", 2, "core/NumberReplacer", TestOutcome.SURVIVED, "    return x + 1", "    return x + 2"),
        ("equivalent", 6, "core/NumberReplacer", TestOutcome.SURVIVED, "    return x * 2", "    return x * 3"),
    ]
    db_path = tmp_path / "m.sqlite"
    with use_db(str(db_path)) as db:
        for job, line, operator, outcome, before, after in items:
            db.add_work_item(WorkItem(job, [MutationSpec(Path("m.py"), operator, 0, (line, 11), (line, 12))]))
            db.set_result(job, WorkResult(WorkerOutcome.NORMAL, "", outcome, diff(before, after)))
    module = Module("m.py", ["tests"])
    listed = [Equivalent("m.py", 6, "NumberReplacer", "return x * 2", "", "only for this test")]
    assert reopen_survivors(module, Selector(module, listed, tmp_path), db_path, tmp_path) == 1
    with use_db(str(db_path), WorkDB.Mode.open) as db:
        assert [i.job_id for i in db.pending_work_items] == ["survived"]
        outcomes = {i.job_id: r.worker_outcome for i, r in db.completed_work_items}
        assert outcomes == {"killed": WorkerOutcome.NORMAL, "equivalent": WorkerOutcome.SKIPPED}
    with pytest.raises(SystemExit, match="did not finish"):
        reopen_survivors(module, Selector(module, listed, tmp_path), db_path, tmp_path)

    with use_db(str(db_path)) as db:
        db.set_result("survived", WorkResult(WorkerOutcome.NORMAL, "", TestOutcome.SURVIVED,
                                             diff("    return x + 1", "    return x + 2")))
    (tmp_path / "m.py").write_text(source.replace("x + 1", "x + 10"), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"m.py changed since its last session \(line 2, ReplaceBinaryOperator_Add_Sub\)"):
        reopen_survivors(module, Selector(module, listed, tmp_path), db_path, tmp_path)


def test_relocate_moves_an_entry_to_the_one_line_that_now_holds_its_code(tmp_path):
    """After an edit above a listed line, ``python -m mutation.run --relocate`` moves the entry;
    code that is gone, or that is now on two lines, stays stale (its mutant is looked at again)."""
    (tmp_path / "m.py").write_text("import os\n\nx = 1\ny = 2\ny = 2\n", encoding="utf-8")
    tsv = tmp_path / "equivalent.tsv"
    tsv.write_text("# a comment\npath\tline\toperator\tcode\tmutant\treason\n"
                   "m.py\t1\tNumberReplacer\tx = 1\t\tmoved\n"
                   "m.py\t2\tNumberReplacer\ty = 2\t\ttwice\n"
                   "m.py\t4\tNumberReplacer\tz = 3\t\tgone\n", encoding="utf-8")
    assert relocate_equivalents(tsv, tmp_path) == ["m.py:1 -> 3 NumberReplacer"]
    rows = load_equivalents(tsv)
    assert [(e.line, e.code) for e in rows] == [(3, "x = 1"), (2, "y = 2"), (4, "z = 3")]
    assert stale_equivalents(rows, tmp_path) == [
        "equivalent.tsv: m.py:2 is '', not 'y = 2' (update the entry)",
        "equivalent.tsv: m.py:4 is 'y = 2', not 'z = 3' (update the entry)"]
    assert tsv.read_text(encoding="utf-8").startswith("# a comment\npath\tline")
