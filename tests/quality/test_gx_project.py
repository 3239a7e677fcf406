"""The GX project under expectations/: committed files stay put, stored results are pruned."""

from __future__ import annotations

import shutil
from pathlib import Path

from riskman.quality.context import prune_validation_results
from riskman.quality.mart_suites import mart_checks
from riskman.quality.raw_suites import raw_checks
from riskman.quality.run import set_up_suites
from riskman.settings import project_path


def fixed_checks(folder: Path) -> list:
    # The feature suites follow dbt's manifest, which each checkout builds for itself.
    return raw_checks() + mart_checks(manifest=folder / "no-manifest.json")


def committed_files(root: Path) -> dict[str, bytes]:
    """Every file under root/gx that git keeps (GX's own .gitignore leaves out uncommitted/)."""
    gx = root / "gx"
    files = (p for p in gx.rglob("*") if p.is_file() and "uncommitted" not in p.relative_to(gx).parts)
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_setting_up_twice_writes_the_same_bytes(tmp_path):
    root = tmp_path / "expectations"
    set_up_suites(root, fixed_checks(tmp_path))
    first = committed_files(root)
    set_up_suites(root, fixed_checks(tmp_path))
    assert committed_files(root) == first
    assert "gx/expectations/raw_fills.json" in first and "gx/checkpoints/raw_fills.json" in first


def test_committed_gx_files_match_the_suites_in_code(tmp_path):
    """Fails when a suite changed in code but not in expectations/gx: run `python -m riskman.quality`."""
    root = tmp_path / "expectations"
    shutil.copytree(project_path("expectations"), root, ignore=shutil.ignore_patterns("uncommitted"))
    committed = committed_files(root)
    set_up_suites(root, fixed_checks(tmp_path))
    changed = {name for name, data in committed_files(root).items() if committed.get(name) != data}
    assert changed == set()


def test_pruning_keeps_the_newest_runs_of_each_suite_and_their_pages(tmp_path):
    store = tmp_path / "gx" / "uncommitted" / "validations" / "raw_fills"
    docs = tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations" / "raw_fills"
    runs = [f"2026112{i}T060000Z-abc/2026112{i}T060000.000000Z" for i in range(4)]
    for run in runs:
        (store / run).mkdir(parents=True)
        (docs / run).mkdir(parents=True)
    assert prune_validation_results(tmp_path, keep=2) == 2
    kept = sorted(str(p.relative_to(store)) for p in store.glob("*/*"))
    assert kept == runs[2:]
    assert sorted(str(p.relative_to(docs)) for p in docs.glob("*/*")) == runs[2:]
    assert len(list(store.iterdir())) == 2  # the emptied run folders went too
