"""An analyst adds a feature with SQL + YAML only (docs/warehouse.md): proved on a copy of the real project.

The copy gets a new model, feat_zz_probe; dbt parses (and builds) it; discovery, the feature frame
and the generated catalogue pick it up with no Python change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ml.features import load_feature_frame
from riskman.feature_catalog import discover_features
from riskman.settings import dbt_project_dir
from tests.dbt.dbt_cli import run_dbt_on
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow

# The parent only has to exist and carry the key; fct_trader_days is the core trader-day grain.
PROBE_SQL = """\
with

trader_days as (
    select * from {{ ref('fct_trader_days') }}
),

final as (
    select
        cast(trader_id as varchar) as trader_id,
        cast(trade_date as date) as as_of_date,
        cast(1.0 as double) as probe_constant_feature,
        cast('not a feature' as varchar) as probe_excluded
    from trader_days
)

select * from final
"""

PROBE_YAML = """\
version: 2

models:
  - name: feat_zz_probe
    description: One row per trader per as_of_date; a probe feature added by a test.
    config:
      contract: {enforced: true}
      meta: {feature: true, source: fct_trader_days}
    data_tests:
      - unique_combination:
          arguments:
            columns: [trader_id, as_of_date]
    columns:
      - {name: trader_id, data_type: varchar}
      - {name: as_of_date, data_type: date}
      - name: probe_constant_feature
        description: Always 1.0.
        data_type: double
        config:
          meta: {window: 1 day, definition: the constant 1.0}
      - name: probe_excluded
        data_type: varchar
        config:
          meta: {feature: false}
"""


@pytest.fixture(scope="module")
def project_with_probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("dbt_copy") / "dbt_project"
    shutil.copytree(
        dbt_project_dir(), project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    features = project / "models" / "marts" / "features"
    features.mkdir(parents=True, exist_ok=True)
    (features / "feat_zz_probe.sql").write_text(PROBE_SQL)
    (features / "_zz_probe__models.yml").write_text(PROBE_YAML)
    return project


@pytest.fixture(scope="module")
def parsed(project_with_probe: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("dbt_parse")
    run_dbt_on(project_with_probe, ["parse", "--no-partial-parse"], work / "parse.duckdb", work)
    return work / "target" / "manifest.json"


@pytest.fixture(scope="module")
def built(
    project_with_probe: Path, tiny_raw_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("dbt_build")
    db = copy_warehouse(tiny_raw_warehouse, work)
    run_dbt_on(project_with_probe, ["build", "--select", "+feat_zz_probe", "rpt_feature_catalogue"], db, work)
    return db, work / "target" / "manifest.json"


def test_a_new_feature_model_is_discovered_from_its_yaml_alone(parsed):
    probe = [f for f in discover_features(parsed) if f.model == "feat_zz_probe"]
    assert [(f.name, f.relation, f.window, f.source, f.definition) for f in probe] == [
        ("probe_constant_feature", "features.feat_zz_probe", "1 day", "fct_trader_days", "the constant 1.0")
    ]


def test_the_feature_frame_returns_the_new_feature(built):
    db, manifest = built
    probe = [f for f in discover_features(manifest) if f.model == "feat_zz_probe"]
    with duckdb.connect(str(db), read_only=True) as con:
        frame = load_feature_frame(con, probe)
        trader_days = con.execute("select count(*) from core.fct_trader_days").fetchone()[0]
    assert list(frame.columns) == ["trader_id", "as_of_date", "probe_constant_feature"]
    assert len(frame) == trader_days > 0
    assert (frame.probe_constant_feature == 1.0).all()


def test_the_generated_catalogue_lists_the_new_feature(built):
    db, _ = built
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """select model_name, description, feature_window, feature_source, definition
            from reporting.rpt_feature_catalogue where feature_name = 'probe_constant_feature'"""
        ).fetchall()
        excluded = con.execute(
            "select count(*) from reporting.rpt_feature_catalogue where model_name = 'feat_zz_probe'"
        ).fetchone()[0]
    assert rows == [("feat_zz_probe", "Always 1.0.", "1 day", "fct_trader_days", "the constant 1.0")]
    assert excluded == 1, "the opted-out column and the keys are not in the catalogue"


def test_the_catalogue_and_discovery_list_the_same_features(built):
    db, manifest = built
    with duckdb.connect(str(db), read_only=True) as con:
        catalogue = con.execute(
            "select model_name, feature_name from reporting.rpt_feature_catalogue"
        ).fetchall()
    assert sorted(catalogue) == sorted((f.model, f.name) for f in discover_features(manifest))
