"""What researchers and packagers rely on: a citation file valid against CFF 1.2.0, a changelog
whose newest release is this version, one version everywhere, and the licence in the metadata."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from importlib.metadata import metadata
from pathlib import Path

import jsonschema
import pytest
import yaml

import impactkg

ROOT = Path(__file__).resolve().parents[1]
#: The CFF 1.2.0 JSON schema, as cffconvert 2.0.0 (PyPI) ships it (tests/fixtures/README.md).
SCHEMA = Path(__file__).parent / "fixtures" / "cff-schema-1.2.0.json"


class CffLoader(yaml.SafeLoader):
    """YAML as cffconvert reads CFF: dates stay strings (the schema types them as strings)."""


CffLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def cff_errors(data: dict) -> list[str]:
    """The schema violations of a CFF document, validated as ``cffconvert --validate`` does
    (JSON Schema draft 7 with format checking)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(data)]


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.load((ROOT / "CITATION.cff").read_text(encoding="utf-8"), Loader=CffLoader)


def test_citation_cff_is_valid_cff_1_2_0(cff):
    assert cff_errors(cff) == []
    assert cff["cff-version"] == "1.2.0" and cff["preferred-citation"]["type"] == "software"


def test_the_schema_check_rejects_a_broken_citation(cff):
    broken = copy.deepcopy(cff)
    del broken["authors"]
    broken["date-released"] = "29 November 2026"
    broken["preferred-citation"]["type"] = "program"
    errors = cff_errors(broken)
    assert any("'authors' is a required property" in e for e in errors)
    assert any(e.startswith("date-released:") for e in errors)
    assert any(e.startswith("preferred-citation/type:") for e in errors)


def test_one_version_everywhere(cff):
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert impactkg.__version__ == version == metadata("impactkg")["Version"]
    assert str(cff["version"]) == str(cff["preferred-citation"]["version"]) == version
    cli = subprocess.run([sys.executable, "-m", "impactkg", "--version"], capture_output=True,
                         text=True, timeout=120, check=True)
    assert cli.stdout.strip() == f"impactkg {version}"
    # the newest release of the changelog, and the date the citation gives for it
    releases = re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$",
                          (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert releases[0] == (version, cff["date-released"])


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    heads = re.findall(r"^## (.+)$", text, re.M)
    assert heads[0] == "[Unreleased]"
    assert all(re.fullmatch(r"\[\d+\.\d+\.\d+[^\]]*\] - \d{4}-\d{2}-\d{2}", h) for h in heads[1:])
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds and kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_licence_metadata_is_spdx_with_its_files():
    meta = metadata("impactkg")
    assert meta["License-Expression"] == "MIT"
    assert set(meta.get_all("License-File")) == {"LICENSE", "DATA-LICENSE"}
    assert not [c for c in meta.get_all("Classifier") if c.startswith("License ::")]
    tested = {c.rsplit(" ", 1)[-1] for c in meta.get_all("Classifier")
              if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    low = meta["Requires-Python"].removeprefix(">=")
    assert min(tested, key=lambda v: tuple(map(int, v.split(".")))) == low
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in tested
