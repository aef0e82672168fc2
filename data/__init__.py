"""The embedded default dataset: the Impact Consortium's tables, transcribed to UTF-8 CSV.

>>> sorted(p.name for p in dataset_dir().glob("*.csv"))[:2]
['bundles.csv', 'case_map.csv']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The seed document every record of the embedded dataset cites.
SOURCE_IRI = "https://w3id.org/impactkg/id/source/impact-consortium-study-session-4"
SOURCE_TITLE = (
    "インパクトコンソーシアム主催勉強会（入門編）第4回 次なる歩みへの展望"
    "～インパクトコンソーシアム分科会の軌跡と今後～ (000_d0ae270ccf7f2da6.txt)"
)
NAMESPACE = "consortium"

#: The PROV agents records of the embedded dataset are attributed to (IRIs under
#: ``https://w3id.org/impactkg/id/agent/``): id -> (role, Japanese label, English label, PROV
#: classes). The "author" wrote the source document (what it states, or states in doubtful OCR);
#: the "team" is the project team (its readings, inferences and translations).
AGENTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "impact-consortium": ("author", "インパクトコンソーシアム", "Impact Consortium",
                          ("Agent", "Organization")),
    "impactkg-team": ("team", "impactkg プロジェクトチーム", "impactkg project team", ("Agent",)),
}

#: Load order of the embedded tables: (file, kind). References point backwards only.
MANIFEST: list[tuple[str, str]] = [
    ("concepts.csv", "concepts"),
    ("sdg.csv", "sdg"),
    ("sdg_kos.csv", "sdg_kos"),
    ("organizations.csv", "organizations"),
    ("people.csv", "people"),
    ("memberships.csv", "memberships"),
    ("catalogue.csv", "catalogue"),
    ("health_japan21.csv", "catalogue"),
    ("indicator_values.csv", "values"),
    ("catalogue_fragments.csv", "fragments"),
    ("databases.csv", "databases"),
    ("finance_cases.csv", "finance_cases"),
    ("case_map.csv", "case_map"),
    ("bundles.csv", "bundles"),
    ("system_elements.csv", "system_elements"),
    ("system_connections.csv", "system_connections"),
    ("green_list.csv", "green_list"),
    ("growth_strategy.csv", "strategy"),
    ("programmes.csv", "programmes"),
    ("meetings.csv", "meetings"),
    ("translations.csv", "translations"),
]


def dataset_dir() -> Path:
    """The folder of the embedded consortium dataset."""
    return Path(str(resources.files(__name__))) / "consortium"
