"""The behaviours issue 19 lists, each broken once on purpose: for every entry the fault is written
into a copy of the sources (``build/mutation/lane-faults``, never the worktree), the named tests
run there, and they must fail. Writes ``mutation/faults.md``.

    .venv/bin/python -m mutation.faults            # every entry
    .venv/bin/python -m mutation.faults values     # the entries whose behaviour mentions "values"

An entry whose fault text is no longer in its file is reported as stale (the code moved: update
the entry), not passed over.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mutation.policy import ROOT
from mutation.run import WORK, make_lane, source_files


@dataclass(frozen=True)
class Fault:
    behaviour: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


FAULTS = [
    # -- the endpoint's answers (graph/sparql/formats.py: one set of writers for every door)
    Fault("JSON and XML answers keep language tags", "graph/sparql/formats.py",
          'out["xml:lang"] = term.language', "pass",
          ("tests/test_formats.py::test_the_writers_write_what_oxigraph_writes",)),
    Fault("JSON and XML answers keep datatypes", "graph/sparql/formats.py",
          'elif term.datatype.value != XSD + "string":\n        out["datatype"] = term.datatype.value',
          "elif False:\n        pass",
          ("tests/test_formats.py::test_the_writers_write_what_oxigraph_writes",)),
    Fault("an unbound OPTIONAL variable is written as absent, and the cells after it are kept",
          "graph/sparql/formats.py", "                if given is None:\n                    continue",
          "                if given is None:\n                    break",
          ("tests/test_formats.py::test_an_unbound_cell_before_a_bound_one_loses_nothing_in_any_format",)),
    Fault("a media type with q=0 is never chosen", "graph/sparql/formats.py",
          "if media and q > 0:", "if media:", ("tests/test_formats.py::test_negotiation",)),
    Fault("Content-Type keeps charset=utf-8", "graph/sparql/formats.py",
          'return f"{FORMATS[name].media_type}; charset=utf-8"', "return FORMATS[name].media_type",
          ("tests/test_formats.py::test_a_format_the_form_has_not_is_refused_and_content_types_say_utf_8",)),
    Fault("Turtle with an escaped local name reads back", "graph/sparql/formats.py",
          r"((?:[\w.\-:%]|\\.)*\\.(?:[\w.\-:%]|\\.)*)", r"((?:[\w.\-:%]|\\.)*\\(?:[\w.\-:%]|\\.)*)",
          ("tests/test_rdf_writers.py::test_turtle_with_escaped_local_names_reads_back_in_pyoxigraph_and_rdflib",)),
    # -- parameters (queries/__init__.py)
    Fault("goal 18 is refused", "queries/__init__.py", "not is_goal(code) or ", "",
          ("tests/test_params.py::test_an_invalid_value_is_refused_naming_the_parameter",)),
    Fault("lang=EN is read as en, not answered with 0 rows", "queries/__init__.py",
          "return _literal(v.lower())", "return _literal(v)",
          ("tests/test_params.py::test_a_valid_value_becomes_its_typed_term",)),
    Fault("IRI parameters are validated", "queries/__init__.py",
          '        if not re.fullmatch(r"https?://[^\\s<>\\"{}|\\\\^`]+|urn:[^\\s<>\\"{}|\\\\^`]+", v.strip("<>")):',
          "        if False:",
          ("tests/test_params.py::test_an_invalid_value_is_refused_naming_the_parameter",)),
    Fault("an RDF term given as a value stays that term", "queries/__init__.py",
          '    if t == "string":\n        return term\n', '    if t == "string":\n        return term.value\n',
          ("tests/test_params.py::test_an_rdf_term_given_as_a_value_stays_that_term",)),
    Fault("a malformed '# param:' header line is an error", "queries/__init__.py",
          'raise QueryError(f"{name}.rq: malformed param line {value!r}")', "continue",
          ("tests/test_params.py::test_malformed_headers_are_errors",)),
    Fault("an IRI or indicator that names nothing is an error", "queries/__init__.py",
          "        if not found:\n", "        if False:\n",
          ("tests/test_query_binding.py::test_an_iri_or_indicator_that_names_nothing",)),
    # -- the catalogue loader
    Fault("results are kept apart by impact and target (chains do not cross)", "loaders/catalogue.py",
          'scope = "\\x1f" + row.get("impact") + "\\x1f" + (target.value if target is not None else "")',
          'scope = ""',
          ("tests/test_loader_core.py::test_results_are_kept_apart_by_impact_and_target_so_chains_do_not_cross",)),
    Fault("indicator_en is read", "loaders/catalogue.py", 'if row.get("indicator_en"):', "if False:",
          ("tests/test_loader_core.py::test_optional_catalogue_columns_are_read_back",)),
    Fault("sdg_goal is read", "loaders/catalogue.py", "        elif goal is not None:\n            ctx.add(ind, ikg(\"sdgGoal\"), goal)",
          "        elif False:\n            pass",
          ("tests/test_loader_core.py::test_optional_catalogue_columns_are_read_back",)),
    Fault("data_source is read", "loaders/catalogue.py",
          '    if row.get("data_source"):\n        ctx.add(ind, ikg("dataSource"), text(row.get("data_source")))',
          "    pass", ("tests/test_loader_core.py::test_optional_catalogue_columns_are_read_back",)),
    # -- values files (loaders/values.py on loaders/cells.py's cell readers)
    Fault("a year like 2024年 in a values file is reported, not dropped", "loaders/cells.py",
          'raise CellError(f"expected a year of four digits such as 2024, got {cell!r}")', "return None",
          ("tests/test_values_loading.py::test_each_bad_cell_of_a_values_file_is_located_and_nothing_is_loaded",)),
    Fault("a number like 12,5x in a values file is reported, not dropped", "loaders/cells.py",
          'raise CellError(f"expected a number such as 1200, 1,200 or 12.5, got {cell!r}")', "return Decimal(0)",
          ("tests/test_values_loading.py::test_each_bad_cell_of_a_values_file_is_located_and_nothing_is_loaded",)),
    Fault("a values row with an unknown kind is reported", "loaders/values.py",
          'kind = ctx.concept(row, "kind", "value-kind", row.get("kind"))',
          'kind = ctx.concept(row, "kind", "value-kind", row.get("kind"), mint=True)',
          ("tests/test_values_loading.py::test_each_bad_cell_of_a_values_file_is_located_and_nothing_is_loaded",)),
    Fault("decimals in a values file are not truncated", "loaders/cells.py", 'text = format(value, "f")',
          "text = str(int(value))",
          ("tests/test_values_loading.py::test_values_keep_their_digits_and_two_rows_stay_two_values",)),
    Fault("decimals in a values file are not written as 1E+3", "loaders/cells.py", 'text = format(value, "f")',
          "text = str(value)",
          ("tests/test_values_loading.py::test_values_keep_their_digits_and_two_rows_stay_two_values",)),
    Fault("two values of one indicator and kind that differ in organisation or year stay two", "loaders/values.py",
          "slug(ctx.graph.value + chr(31) + chr(31).join(key))", "slug(ctx.graph.value)",
          ("tests/test_values_loading.py::test_values_keep_their_digits_and_two_rows_stay_two_values",)),
    Fault("a second value of the same indicator, kind, organisation and year is refused, not merged",
          "loaders/values.py", "    if key in seen:", "    if False:",
          ("tests/test_values_loading.py::test_values_keep_their_digits_and_two_rows_stay_two_values",)),
    # -- finance cases (loaders/finance.py on loaders/base.py's numbers)
    Fault("a year like 2024年 in a finance case is reported, not dropped", "loaders/finance.py",
          'period = cell(ctx, row, "year", parse_year)', "period = None",
          ("tests/test_loader_core.py::test_numbers_are_read_exactly_and_bad_ones_are_reported_where_they_are",)),
    Fault("decimals are not truncated", "loaders/terms.py", 'return ox.Literal(format(value, "f"), datatype=N(XSD + "decimal"))',
          'return ox.Literal(str(int(value)), datatype=N(XSD + "decimal"))',
          ("tests/test_loader_core.py::test_numbers_are_read_exactly_and_bad_ones_are_reported_where_they_are",)),
    Fault("decimals are not written as 1E+3", "loaders/terms.py", 'return ox.Literal(format(value, "f"), datatype=N(XSD + "decimal"))',
          'return ox.Literal(str(value), datatype=N(XSD + "decimal"))',
          ("tests/test_loader_core.py::test_numbers_are_read_exactly_and_bad_ones_are_reported_where_they_are",)),
    # -- the named queries' content
    Fault("case-map-cells answers the case map", "queries/case-map-cells.rq",
          "?c ikg:caseNumber ?n .", '?c ikg:caseNumber ?n . FILTER(STR(?n) != "30")',
          ("tests/test_queries.py::test_case_map_cells_are_the_case_map_table",)),
    Fault("subcommittee-members answers every membership", "queries/subcommittee-members.rq",
          '?organization rdfs:label ?groupLabel FILTER(lang(?groupLabel) = "ja")',
          '?organization rdfs:label ?groupLabel FILTER(lang(?groupLabel) = "ja") FILTER NOT EXISTS { ?m ikg:track ?anyTrack }',
          ("tests/test_queries.py::test_subcommittee_members_are_the_memberships_table",)),
    Fault("indicators-by-domain answers each indicator under its domain", "queries/indicators-by-domain.rq",
          "OPTIONAL { ?ind dcterms:identifier ?id }", '?ind dcterms:identifier ?id FILTER(?id != "354")',
          ("tests/test_queries.py::test_indicators_by_domain_are_the_catalogue_rows_by_domain",)),
    Fault("impacts-without-measured-outcome leaves out measured impacts", "queries/impacts-without-measured-outcome.rq",
          "MINUS { ?r ikg:contributesTo ?impact . ?ind ikg:measures ?r }",
          "MINUS { ?ind ikg:measures ?impact }",
          ("tests/test_queries.py::test_impacts_without_measured_outcome",)),
]


def run(selected: list[Fault]) -> list[tuple[Fault, str, str]]:
    lane = make_lane("faults", source_files())
    out = []
    for fault in selected:
        file = lane / fault.path
        original = file.read_text(encoding="utf-8")
        if original.count(fault.old) != 1:
            out.append((fault, "stale", f"the fault text is found {original.count(fault.old)} times"))
            continue
        file.write_text(original.replace(fault.old, fault.new), encoding="utf-8")
        try:
            proc = subprocess.run(
                ["env", f"PYTHONPATH={lane / '.links'}", "PYTHONDONTWRITEBYTECODE=1", sys.executable, "-m", "pytest",
                 "-q", "-p", "no:cacheprovider", "-o", "addopts=", *fault.tests],
                cwd=lane, capture_output=True, text=True, timeout=600)
        finally:
            file.write_text(original, encoding="utf-8")
        failed = [line.split(" ")[1] for line in proc.stdout.splitlines() if line.startswith("FAILED ")]
        status = "caught" if proc.returncode == 1 and failed else "NOT CAUGHT"
        out.append((fault, status, ", ".join(f"`{f.split('::', 1)[1].split(' ')[0]}`" for f in failed)
                    or proc.stdout.strip().splitlines()[-1]))
        print(f"{status:10} {fault.behaviour}", flush=True)
    return out


def write(results: list[tuple[Fault, str, str]], path: Path) -> None:
    lines = [
        "# The behaviours of issue 19, each broken once",
        "",
        f"Written by `python -m mutation.faults` on {datetime.date.today().isoformat()}: each fault is written "
        "into a copy of the sources, the tests named run there, and must fail.",
        "",
        "| behaviour | file | fault | result | failing tests |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fault, status, detail in results:
        change = f"`{fault.old.strip().splitlines()[0][:60]}` → `{(fault.new.strip().splitlines() or [''])[0][:40]}`"
        change = change.replace("|", "\\|")
        lines.append(f"| {fault.behaviour} | `{fault.path}` | {change} | {status} | {detail} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    selected = [f for f in FAULTS if not args or any(a in f.behaviour for a in args)]
    results = run(selected)
    target = ROOT / "mutation" / "faults.md" if not args else WORK / "faults.md"
    write(results, target)
    print(f"wrote {target}")
    return 0 if all(status == "caught" for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
