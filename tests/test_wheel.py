"""The built wheel carries its data: installed outside the repo, a named query answers."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The design card's folders and the subpackage of `impactkg` each one is.
FOLDERS = {"core": "impactkg", "graph": "impactkg.graph", "loaders": "impactkg.loaders",
           "queries": "impactkg.queries", "ontology": "impactkg.ontology", "data": "impactkg.data"}


def test_every_package_folder_is_in_the_wheel():
    """A folder with an __init__.py that pyproject.toml does not list would be missing from the
    wheel (and from the strict editable install), with no error until an import fails."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *rel)))
    assert found == listed


def test_wheel_holds_the_data_and_answers_from_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    # No deprecation notice or other warning from our packaging (licence table, classifiers,
    # data folders taken for packages).
    assert "Warning" not in build.stderr + build.stdout, build.stderr
    (wheel,) = dist.glob("impactkg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    for required in ("impactkg/ontology/impactkg.ttl", "impactkg/ontology/impactkg.rdf",
                     "impactkg/ontology/shapes.ttl",
                     "impactkg/queries/indicators-for-target.rq", "impactkg/queries/case-map.rq",
                     "impactkg/data/consortium/catalogue.csv", "impactkg/data/consortium/case_map.csv",
                     "impactkg/data/consortium/people.csv", "impactkg/data/consortium/README.md",
                     "impactkg/graph/store.py", "impactkg/cli/__init__.py", "impactkg/py.typed",
                     "impactkg/graph/maps/static/map.js", "impactkg/graph/maps/sparql/system-links.rq",
                     f"{info}/licenses/LICENSE", f"{info}/licenses/DATA-LICENSE"):
        assert required in names, required
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(f"{info}/METADATA").decode("utf-8")
        assert zf.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        assert zf.read(f"{info}/licenses/DATA-LICENSE") == (ROOT / "DATA-LICENSE").read_bytes()
    assert "License-Expression: MIT" in meta.splitlines()
    assert not any(n.startswith(("graph/", "queries/", "tests/")) for n in names)

    # A fresh environment: the wheel installed on its own; its dependencies come from this venv
    # through a .pth file, so nothing is downloaded and the repo's sources are not on the path.
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                    str(wheel)], check=True, capture_output=True, text=True, timeout=300)
    deps = sysconfig.get_paths()["purelib"]
    # Our own venv's site-packages, minus the editable impactkg finder (its .pth is not read here).
    Path(site, "deps.pth").write_text(deps + "\n", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    proc = subprocess.run(
        [str(env_dir / "bin" / "impactkg"), "query", "indicators-for-target", "--param", "target=11.b",
         "--store", str(outside / "store"), "--format", "csv"],
        cwd=outside, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 18 and lines[1].startswith("1,地震後施設復旧時間,分,")
    # A map reads the graph with the SPARQL files and draws with the scripts the wheel carries.
    proc = subprocess.run(
        [str(env_dir / "bin" / "impactkg"), "map", "system", "--store", str(outside / "store"), "-o", "system.html"],
        cwd=outside, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("wrote the system map: 42 nodes, 64 links, 41 feedback loops"), proc.stdout
    where = subprocess.run([str(python), "-c", "import impactkg; print(impactkg.__file__)"], cwd=outside,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(site), where
