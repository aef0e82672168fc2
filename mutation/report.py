"""The markdown report of ``make mutation``: per module what was generated, left out (and why),
killed and survived, then every surviving mutant by file and line."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutation.policy import Config, Equivalent, Module

REASONS = ("policy", "scope", "annotation", "equivalent")


@dataclass
class Survivor:
    line: int
    operator: str
    before: str
    after: str


@dataclass
class ModuleResult:
    module: Module
    generated: int = 0
    left_out: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    killed: int = 0
    timeouts: int = 0
    incompetent: int = 0
    survivors: list[Survivor] = field(default_factory=list)

    def add(self, operator: str, start: tuple[int, int], res: Any) -> None:
        """Count one completed cosmic-ray work item (``res`` a WorkResult)."""
        self.generated += 1
        outcome = str(res.worker_outcome.value)
        if outcome == "skipped":
            why = (res.output or "").removeprefix("not run: ")
            self.left_out[why if why in self.left_out else "policy"] += 1
        elif outcome != "normal":
            self.incompetent += 1
        elif res.test_outcome.value == "survived":
            before, after = _changed(res.diff or "")
            self.survivors.append(Survivor(start[0], operator, before, after))
        elif res.test_outcome.value == "killed":
            self.killed += 1
            self.timeouts += res.output == "timeout"
        else:
            self.incompetent += 1

    @property
    def run(self) -> int:
        return self.killed + len(self.survivors)

    @property
    def score(self) -> float:
        return self.killed / self.run if self.run else 0.0


def _changed(diff: str) -> tuple[str, str]:
    minus = [x[1:].strip() for x in diff.splitlines() if x.startswith("-") and not x.startswith("---")]
    plus = [x[1:].strip() for x in diff.splitlines() if x.startswith("+") and not x.startswith("+++")]
    return " / ".join(minus), " / ".join(plus)


def _cell(text: str) -> str:
    text = text if len(text) <= 110 else text[:107] + "..."
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`" if text else ""


def write_report(path: Path, results: list[ModuleResult], cfg: Config, equivalents: list[Equivalent],
                 minutes: float | None, command: str, machine: str) -> None:
    today = datetime.date.today().isoformat()
    out = [
        "# Mutation testing of the core modules",
        "",
        f"Written by `{command}` on {today} ({machine}"
        + (f"; {minutes:.1f} minutes)" if minutes is not None else ") from the last session of each module "
           "(a run of the module in full, then `--survivors` runs after tests were added)") + ". "
        "How it runs, what is left out and why: [README.md](README.md).",
        "",
        f"Target: at least {cfg.target:.0%} of the mutants run are killed in each module.",
        "",
        "| module | generated | not run: policy / scope / annotation / equivalent | run | killed | of which timeouts "
        "| survived | killed % | target |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        left = " / ".join(str(r.left_out[k]) for k in REASONS)
        ok = "met" if r.score >= cfg.target else "**missed**"
        out.append(f"| `{r.module.path}` | {r.generated} | {left} | {r.run} | {r.killed} | {r.timeouts} "
                   f"| {len(r.survivors)} | {r.score:.1%} | {ok} |")
    total_run = sum(r.run for r in results)
    total_killed = sum(r.killed for r in results)
    if total_run:
        out.append(f"| all | {sum(r.generated for r in results)} | | {total_run} | {total_killed} | "
                   f"{sum(r.timeouts for r in results)} | {total_run - total_killed} | "
                   f"{total_killed / total_run:.1%} | |")
    if any(r.incompetent for r in results):
        out += ["", "Mutants the tool could not run (not counted): "
                + ", ".join(f"`{r.module.path}` {r.incompetent}" for r in results if r.incompetent) + "."]
    out += ["", "## Tests run for each module", ""]
    for r in results:
        scope = f" (only {', '.join(r.module.functions)})" if r.module.functions else ""
        out.append(f"- `{r.module.path}`{scope}: " + ", ".join(f"`{t}`" for t in r.module.tests))
    out += ["", "## Surviving mutants", ""]
    for r in results:
        out.append(f"### `{r.module.path}` ({len(r.survivors)})")
        out.append("")
        if not r.survivors:
            out += ["None.", ""]
            continue
        out += ["| line | operator | code | mutant |", "| ---: | --- | --- | --- |"]
        for s in sorted(r.survivors, key=lambda s: (s.line, s.operator)):
            out.append(f"| {s.line} | {s.operator} | {_cell(s.before)} | {_cell(s.after)} |")
        out.append("")
    used = {r.module.path for r in results}
    listed = [e for e in equivalents if e.path in used]
    out += ["## Equivalent mutants left out (mutation/equivalent.tsv)", ""]
    if listed:
        out += ["| module | line | operator | code | why no test can tell it apart |", "| --- | ---: | --- | --- | --- |"]
        out += [f"| `{e.path}` | {e.line} | {e.operator} | {_cell(e.code)} | {e.reason} |" for e in listed]
    else:
        out.append("None.")
    out.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")
