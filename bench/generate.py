"""Deterministic synthetic impact graphs shaped like the real catalogue, for the benchmarks.

A graph is a consortium of *members*. Each member has its own tables, in the columns impactkg's
loaders read (the same kinds as the embedded dataset): organisations, people and their roles in
subcommittees, an indicator catalogue (activity -> output/outcome -> impact -> SDG target, with
1-3 indicators per output/outcome, each with a unit), indicator values (baseline, current,
target), finance cases with a case map, and a system map (factors and causal links with
polarity, with feedback loops). The SDG goals and targets and the concept schemes (units, value
kinds, finance methods, ...) are the embedded dataset's.

:func:`generate` writes the tables (``tables/<member>/*.csv``), then builds them through
impactkg's own loaders and writes the resulting graph as N-Quads (named graphs kept) and as
N-Triples (their union): the three forms hold the same triples, so every contender of the
benchmark loads the same data.

>>> rng = random.Random(1)
>>> links = causal_links(200, rng)
>>> len({x.source for x in links} | {x.target for x in links})
200
"""

from __future__ import annotations

import csv
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from impactkg.graph.analysis.system import Link

#: Bump when the shape of the generated data changes (cached data of another version is rebuilt).
VERSION = 4
SEED = 20240607

#: The members' tables, in the order a member's load reads them (references point backwards).
TABLES = (
    "organizations", "people", "memberships", "databases", "catalogue", "values",
    "finance_cases", "case_map", "system_elements", "system_connections",
)
#: Domain concept ids of the embedded concept scheme (the databases table names domains by id).
DOMAIN_IDS = ("infrastructure-real-estate", "environment-energy", "healthcare-health")
#: One impact in this many is measured only directly (its catalogue rows name no activity or
#: output/outcome): the impacts that ``impacts-without-measured-outcome`` finds.
DIRECT_IMPACT_EVERY = 7

DOMAINS = (
    "インフラ・不動産", "環境・エネルギー", "ヘルスケア・健康", "教育・子育て", "食・農業", "雇用・働き方",
    "地域活性化", "防災・減災", "福祉・介護", "金融包摂", "文化・観光", "水・衛生",
)
#: SDG targets each domain's impacts serve (codes of the embedded SDG reference).
DOMAIN_TARGETS = {
    "インフラ・不動産": ("11.1", "11.2", "11.3", "11.b", "9.1", "9.4"),
    "環境・エネルギー": ("7.2", "7.3", "13.1", "13.2", "12.5", "15.1"),
    "ヘルスケア・健康": ("3.4", "3.5", "3.8", "3.d", "2.2", "3.c"),
    "教育・子育て": ("4.1", "4.2", "4.4", "4.5", "4.7", "5.4"),
    "食・農業": ("2.1", "2.3", "2.4", "12.3", "14.4", "15.3"),
    "雇用・働き方": ("8.3", "8.5", "8.6", "8.8", "10.2", "5.5"),
    "地域活性化": ("8.9", "11.a", "11.4", "17.17", "9.3", "10.1"),
    "防災・減災": ("11.5", "11.b", "13.1", "1.5", "9.1", "13.3"),
    "福祉・介護": ("1.3", "3.8", "10.2", "10.4", "5.4", "16.7"),
    "金融包摂": ("8.10", "1.4", "10.5", "9.3", "17.3", "5.a"),
    "文化・観光": ("8.9", "11.4", "12.b", "14.7", "4.7", "17.17"),
    "水・衛生": ("6.1", "6.2", "6.3", "6.4", "6.b", "3.9"),
}
UNITS = ("%", "人", "件", "t-CO2", "円", "分", "㎡", "戸", "社", "回", "MJ", "棟", "t", "個", "g", "歩")
ORG_TYPES = ("financial-institution", "municipality", "company", "startup", "foundation", "npo",
             "university", "asset-manager")
ROLES = ("chair", "vice-chair", "member", "core-member", "member", "member")
METHODS = ("loan", "outcome-linked-loan", "bond", "direct-equity", "fund-investment", "blended",
           "grant", "subordinated-investment", "social-impact-bond", "crowdfunding")
ISSUES = ("environment", "health-medical", "infrastructure-urban", "education-childcare",
          "food-agriculture", "human-resources-work", "other")
STAGES = ("seed", "early", "middle", "later", "pre-seed")
FACTOR_TYPES = ("issue", "condition", "resource", "intervention", "outcome", "issue")

NOUNS = ("地域企業", "住民", "高齢者", "子ども", "農家", "若者", "自治体", "中小企業", "観光客", "医療機関",
         "学校", "金融機関", "商店街", "介護施設", "移住者", "スタートアップ")
THINGS = ("健康診断", "再生可能エネルギー", "空き家", "耐震改修", "職業訓練", "食品ロス", "地域通貨", "見守り",
          "省エネ設備", "子育て支援", "観光資源", "防災訓練", "上下水道", "デジタル化", "森林整備", "奨学金")
VERBS = ("の普及", "の整備", "の促進", "の支援", "の改善", "の拡大", "の提供", "の強化")
MEASURES = ("受診率", "導入件数", "利用者数", "削減量", "参加者数", "満足度", "延べ面積", "実施回数",
            "雇用者数", "支援件数", "普及率", "所要時間")


@dataclass(frozen=True)
class Dataset:
    """A generated dataset: its folder, the files of each form and what is in it."""

    root: Path
    manifest: dict

    @property
    def nt(self) -> Path:
        return self.root / "graph.nt"

    @property
    def nq(self) -> Path:
        return self.root / "graph.nq"

    @property
    def members(self) -> list[Path]:
        return sorted(p for p in (self.root / "tables").iterdir() if p.is_dir())

    @property
    def triples(self) -> int:
        return int(self.manifest["triples"])


# ---------------------------------------------------------------------- causal graphs
def causal_links(n: int, rng: random.Random, prefix: str = "f", cluster: int = 10) -> list[Link]:
    """A causal graph of ``n`` factors shaped like researchers' system maps: clusters of about
    ``cluster`` factors, each a ring with a few chords (so every cluster has feedback loops), and
    sparse links between clusters, some of them back to an earlier cluster (longer loops).
    About a third of the links are ``-``.

    >>> len(causal_links(30, random.Random(0))) >= 30
    True
    """
    names = [f"{prefix}{i:05d}" for i in range(n)]
    links: dict[tuple[str, str], str] = {}

    def add(a: int, b: int) -> None:
        if a != b and (names[a], names[b]) not in links:
            links[(names[a], names[b])] = "-" if rng.random() < 0.35 else "+"

    starts = list(range(0, n, cluster))
    for ci, start in enumerate(starts):
        members = list(range(start, min(n, start + cluster)))
        k = len(members)
        for j in range(k):  # the ring
            add(members[j], members[(j + 1) % k])
        for _ in range(max(1, k // 4)):  # chords: shorter loops inside the cluster
            a, b = rng.sample(members, 2) if k > 1 else (members[0], members[0])
            add(a, b)
        if ci + 1 < len(starts):  # onward to a later cluster
            later = rng.randrange(ci + 1, min(len(starts), ci + 4))
            add(rng.choice(members), rng.randrange(starts[later], min(n, starts[later] + cluster)))
        if ci > 0 and rng.random() < 0.3:  # now and then back to the previous cluster
            prev = starts[ci - 1]
            add(rng.choice(members), rng.randrange(prev, prev + cluster))
    return [Link(a, b, s) for (a, b), s in links.items()]


def write_system_tables(folder: Path, links: list[Link], rng: random.Random, *,
                        refers: bool = False, line: bool = False) -> int:
    """Write ``system_elements.csv`` and ``system_connections.csv`` for ``links``; returns the
    number of factors."""
    factors = sorted({x.source for x in links} | {x.target for x in links})
    elements = []
    for i, f in enumerate(factors):
        thing, noun = THINGS[i % len(THINGS)], NOUNS[(i // len(THINGS)) % len(NOUNS)]
        elements.append({
            "id": f,
            "label_ja": f"{noun}の{thing}{VERBS[i % len(VERBS)]} {f}",
            "label_en": f"Factor {f}",
            "type": FACTOR_TYPES[i % len(FACTOR_TYPES)] if i else "core-issue",
            "domain": DOMAINS[i % len(DOMAINS)],
            "description": f"{thing}に関する要因 ({noun})" if i % 3 == 0 else "",
            "refers_to": f"sdg:{rng.choice(DOMAIN_TARGETS[DOMAINS[i % len(DOMAINS)]])}"
            if refers and i % 5 == 0 else "",
            "line": str(100 + i) if line else "",
        })
    connections = [{
        "from": x.source, "to": x.target, "polarity": x.polarity,
        "delay": "yes" if i % 11 == 0 else "",
        "evidence": f"{x.source} が変化すると {x.target} も{'同じ' if x.polarity == '+' else '逆'}向きに変化する",
        "inferred": "yes" if i % 3 == 0 else "no",
    } for i, x in enumerate(links)]
    _write(folder / "system_elements.csv", elements)
    _write(folder / "system_connections.csv", connections)
    return len(factors)


# ---------------------------------------------------------------------- one member's tables
def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def member_tables(folder: Path, m: int, chains: int, rng: random.Random) -> dict[str, int]:
    """Write the tables of member ``m`` with ``chains`` outputs/outcomes in its catalogue."""
    ns = folder.name
    line = iter(range(1, 10**9))
    # --- organisations, people, roles
    n_orgs = 4 + chains // 12
    orgs = [{"id": f"{ns}-org-{i}", "name_ja": f"{NOUNS[(m + i) % len(NOUNS)]}支援機構 {ns}-{i}",
             "name_en": f"Support Organisation {ns}-{i}" if i % 2 else "",
             "abbreviation": f"SO{m}{i}" if i % 5 == 0 else "",
             "org_type": ORG_TYPES[i % len(ORG_TYPES)] if i else "financial-institution",
             "parent": f"{ns}-org-0" if i and i % 4 == 0 else "", "line": str(next(line))}
            for i in range(n_orgs)]
    subs = [{"id": f"{ns}-sub-{j}", "name_ja": f"{THINGS[(m + j) % len(THINGS)]}分科会 {ns}",
             "name_en": "", "abbreviation": "", "org_type": "subcommittee", "parent": f"{ns}-org-0",
             "line": str(next(line))} for j in range(2)]
    _write(folder / "organizations.csv", orgs + subs)
    people = [{"id": f"{ns}-p-{i}", "name_ja": f"{'山田佐藤鈴木高橋田中伊藤'[i % 6 * 2:i % 6 * 2 + 2]} {ns}-{i}",
               "organization": orgs[i % n_orgs]["id"], "position": "理事" if i % 3 == 0 else "",
               "line": str(next(line))} for i in range(max(2, n_orgs))]
    _write(folder / "people.csv", people)
    _write(folder / "databases.csv", [
        {"id": f"db-{i}", "name": f"{THINGS[(m + i) % len(THINGS)]}データベース {ns}-{i}",
         "publisher": orgs[i % n_orgs]["id"], "summary": f"{THINGS[i % len(THINGS)]}に関する統計",
         "scope": "国内" if i % 2 else "海外", "url": f"https://example.org/{ns}/db-{i}",
         "category": "統計" if i % 3 else "", "scenes": " ".join(f"scene-{k}" for k in range(1, 1 + i % 3 + 1)),
         "domain": DOMAIN_IDS[(m + i) % len(DOMAIN_IDS)] if i % 2 == 0 else "", "line": str(next(line))}
        for i in range(1, 2 + chains // 40)])
    _write(folder / "memberships.csv", [
        {"person": p["id"], "organization": subs[i % 2]["id"], "role": ROLES[i % len(ROLES)],
         "track": f"トラック{i % 3 + 1}" if i % 4 == 0 else "", "line": str(next(line))}
        for i, p in enumerate(people)])

    # --- catalogue: domains -> impacts -> outputs/outcomes (each with an activity) -> indicators
    domains = [DOMAINS[(m + k) % len(DOMAINS)] for k in range(min(4, 1 + chains // 8))]
    catalogue, values = [], []
    ind = 0
    for c in range(chains):
        domain = domains[c % len(domains)]
        j = c // len(domains)  # the chain's number within its domain
        i_key, a_key = f"{domains.index(domain)}-{j // 3}", c // 2  # 3 outputs per impact, 2 per activity
        target = DOMAIN_TARGETS[domain][(j // 3) % len(DOMAIN_TARGETS[domain])]
        impact = f"{domain}: {THINGS[(j // 3) % len(THINGS)]}による{NOUNS[(m + j // 3) % len(NOUNS)]}の課題解決 ({ns}-i{i_key})"
        activity = f"{THINGS[a_key % len(THINGS)]}{VERBS[(m + a_key) % len(VERBS)]} ({ns}-a{a_key})"
        result = f"{NOUNS[c % len(NOUNS)]}向け{THINGS[(c * 7) % len(THINGS)]}{VERBS[c % len(VERBS)]} ({ns}-r{c})"
        if (j // 3) % DIRECT_IMPACT_EVERY == DIRECT_IMPACT_EVERY - 1:  # measured only directly
            activity = result = ""
        for k in range(1 + (c * 5 + m) % 3):  # 1-3 indicators per output/outcome
            ind += 1
            measure = MEASURES[(c + k) % len(MEASURES)]
            unit = UNITS[(c * 3 + k) % len(UNITS)]
            catalogue.append({
                "id": str(ind), "domain": domain, "sdg_goal": target.split(".")[0],
                "sdg_target": target, "impact": impact, "activity": activity, "result": result,
                "indicator": f"{THINGS[(c * 7) % len(THINGS)]}の{measure} ({ns}-{ind})",
                "indicator_en": f"{measure} indicator {ns}-{ind}" if ind % 4 == 0 else "",
                "unit": unit, "data_source": "自治体統計" if ind % 6 == 0 else "",
                "line": str(next(line)),
            })
            for v, kind in enumerate(("baseline", "current", "target")[: 1 + (ind + m) % 3]):
                values.append({
                    "indicator": str(ind), "kind": kind,
                    "value": f"{rng.uniform(1, 1000):.1f}", "unit": unit if v == 2 else "",
                    "year": str((2020, 2023, 2030)[v]),
                    "population": "20歳以上" if ind % 5 == 0 else "", "data_source": "",
                    "line": str(next(line)),
                })
    _write(folder / "catalogue.csv", catalogue)
    _write(folder / "values.csv", values)

    # --- finance cases and their case map
    n_cases = 2 + chains // 5
    cases = []
    for i in range(1, n_cases + 1):
        cases.append({
            "id": f"case-{i}", "number": str(i),
            "provider": orgs[(i * 3) % n_orgs]["id"], "recipient": f"{NOUNS[i % len(NOUNS)]}（{ns}）",
            "target_business": f"{THINGS[i % len(THINGS)]}事業", "instrument": "融資" if i % 2 else "出資",
            "method": METHODS[(m + i) % len(METHODS)], "summary": f"{THINGS[(i * 5) % len(THINGS)]}の事業に対するファイナンス ({ns}-{i})",
            "growth_stage": STAGES[i % len(STAGES)], "social_issue": ISSUES[(m + i) % len(ISSUES)],
            "amount": str(rng.randrange(1, 500) * 1_000_000) if i % 3 == 0 else "",
            "currency": "JPY" if i % 3 == 0 else "", "year": str(2018 + i % 7),
            "line": str(next(line)),
        })
    _write(folder / "finance_cases.csv", cases)
    cells: dict[tuple[str, str], list[str]] = {}
    for case in cases:
        cells.setdefault((case["social_issue"], case["method"]), []).append(case["number"])
    _write(folder / "case_map.csv", [
        {"social_issue": issue, "finance_method": method, "case_numbers": " ".join(nums), "line": str(next(line))}
        for (issue, method), nums in sorted(cells.items())])

    # --- system map
    links = causal_links(max(6, chains // 3), rng, prefix=f"{ns}-f")
    n_factors = write_system_tables(folder, links, rng, refers=True, line=True)
    return {"indicators": ind, "values": len(values), "cases": n_cases, "factors": n_factors,
            "links": len(links), "organizations": len(orgs) + len(subs), "people": len(people)}


# ---------------------------------------------------------------------- the whole dataset
#: Triples per catalogue chain of a member (measured; used to size the dataset).
TRIPLES_PER_CHAIN = 88.0
CHAINS_PER_MEMBER = 160


def plan(size: int) -> tuple[int, int]:
    """(members, chains per member) for about ``size`` triples in all."""
    fixed = 3000  # the SDG reference and the concept schemes
    chains = max(8, round((size - fixed) / TRIPLES_PER_CHAIN))
    members = max(1, round(chains / CHAINS_PER_MEMBER))
    return members, max(8, round(chains / members))


def shared_tables() -> list[tuple[Path, str]]:
    """The embedded SDG reference and concept schemes, which every member's tables refer to."""
    from impactkg.data import dataset_dir

    return [(dataset_dir() / "concepts.csv", "concepts"), (dataset_dir() / "sdg.csv", "sdg")]


def load_tables(kg, root: Path) -> None:
    """Build the dataset's graph from its tables through impactkg's loaders: the shared tables,
    then one load per member (its namespace: the member's folder name)."""
    # The embedded dataset's own graphs (reserved: replaced on purpose, with force).
    kg.load(*[p for p, _ in shared_tables()], namespace="consortium", force=True)
    for folder in sorted(p for p in (root / "tables").iterdir() if p.is_dir()):
        # The members' domains beyond the embedded three are the generator's own: new concepts.
        kg.load(*[folder / f"{t}.csv" for t in TABLES], namespace=folder.name, new_concepts=True)


def generate(size: int, out: Path, seed: int = SEED, log=print) -> Dataset:
    """Write the dataset of about ``size`` triples into ``out`` (reused when it exists with the
    same size, seed and generator version)."""
    from impactkg import KnowledgeGraph

    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("version") == VERSION and manifest.get("size") == size and manifest.get("seed") == seed:
            return Dataset(out, manifest)
    t0 = time.perf_counter()
    members, chains = plan(size)
    rng = random.Random(seed * 1_000_003 + size)
    counts: dict[str, int] = {}
    for m in range(members):
        got = member_tables(out / "tables" / f"m{m:04d}", m, chains, rng)
        for k, v in got.items():
            counts[k] = counts.get(k, 0) + v
    t_tables = time.perf_counter() - t0
    kg = KnowledgeGraph.memory()
    load_tables(kg, out)
    kg.export(out / "graph.nq", "nq")
    kg.export(out / "graph.nt", "nt")
    triples = sum(1 for line in open(out / "graph.nt", "rb") if line.strip())
    quads = len(kg)
    # The SDG target with the most indicators: the parameter of the target queries.
    top = kg.sparql("SELECT ?c (COUNT(*) AS ?n) WHERE { ?i ikg:sdgTarget ?t . ?t skos:notation ?c } "
                    "GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1").rows
    # The factor on the most feedback loops: the factor parameter of the loop queries.
    factor = kg.sparql("SELECT ?id (COUNT(?l) AS ?n) WHERE { ?l ikg:throughFactor ?f . "
                       "?f dcterms:identifier ?id } GROUP BY ?id ORDER BY DESC(?n) ?id LIMIT 1").rows
    kg.close()
    manifest = {
        "version": VERSION, "size": size, "seed": seed, "members": members, "chains_per_member": chains,
        "triples": triples, "quads": quads, "target": str(top[0][0]) if top else "11.b",
        "factor": str(factor[0][0]) if factor else "", **counts,
        "seconds": {"tables": round(t_tables, 2), "total": round(time.perf_counter() - t0, 2)},
    }
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    log(f"generated {triples:,} triples ({quads:,} quads, {members} members) in {out} "
        f"in {manifest['seconds']['total']:.1f} s")
    return Dataset(out, manifest)


def map_tables(n: int, out: Path, seed: int = SEED) -> Path:
    """Tables of a system map with ``n`` factors (for the map benchmarks); returns the folder."""
    folder = out / f"map-{n}"
    if not (folder / "system_connections.csv").exists():
        rng = random.Random(seed + n)
        links = causal_links(n, rng, prefix="f")
        write_system_tables(folder, links, rng)
    return folder


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("size", type=int, help="about this many triples")
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=SEED)
    a = p.parse_args()
    print(json.dumps(generate(a.size, a.out, a.seed).manifest, indent=1))
