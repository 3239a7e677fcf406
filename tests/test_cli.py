import pytest
from typer.testing import CliRunner

from ml.cli import app
from tests.ingest.exports import small_firm, write

runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["demo"], ["demo-data"], ["ingest"], ["build"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_ingest_exits_zero_when_it_loaded_what_it_could(tmp_path):
    folder = small_firm(tmp_path / "exports")
    write(folder / "ALPHA" / "junk.csv", "not,an,export\n")
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    assert "1 rejected" in result.output and "15 new" in result.output


def test_ingest_exits_non_zero_when_nothing_usable_was_read(tmp_path):
    write(tmp_path / "junk" / "x.csv", "a,b\n1,2\n")
    result = runner.invoke(app, ["ingest", str(tmp_path / "junk"), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "0 new" in result.output


def test_ingest_api_requires_a_date_range(tmp_path):
    result = runner.invoke(app, ["ingest", "--api", "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "--api needs --start and --end" in result.output


def test_build_on_a_warehouse_with_nothing_ingested_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["build", "--db", str(tmp_path / "empty.duckdb")])
    assert result.exit_code == 1
    assert "run `riskman ingest DIR` first" in result.output


def test_ingest_of_a_missing_folder_is_a_usage_error_not_a_traceback(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "export folder not found" in result.output


def test_demo_data_for_a_period_without_trading_days_is_a_usage_error(tmp_path):
    result = runner.invoke(
        app, ["demo-data", "--out", str(tmp_path / "x"), "--start", "2018-01-01", "--end", "2017-01-01"]
    )
    assert result.exit_code == 2
    assert "no trading days" in result.output
