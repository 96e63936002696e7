"""The importer's command line, unreadable files, and a sample of the real Online Retail file."""

import gzip
import itertools
import json

import pytest
from import_factories import DATASETS, HEADER, line, quirk_lines, write_transactions

from crm_backend.cli import main as crm_main
from crm_backend.core.db import upgrade_database
from crm_backend.imports.reader import ImportFormatError, TransactionFile


def main(argv: list[str]) -> int:
    """`python -m crm_backend import ARGS...`"""
    return crm_main(["import", *argv])


ONLINE_RETAIL = DATASETS / "online_retail" / "online_retail_2010-12-01_2011-10-31.csv.gz"
SAMPLE_ROWS = 2000


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_database(url)
    return url


def test_a_header_with_wrong_columns_is_a_clear_error(tmp_path):
    source = write_transactions(tmp_path / "wrong.csv", [line()], header=(*HEADER[:-1], "Land"))

    with pytest.raises(
        ImportFormatError, match=r"the header must name the columns .* \(missing Country; found: .*Land"
    ):
        TransactionFile(source).__enter__()


def test_an_empty_file_is_a_clear_error(tmp_path):
    source = write_transactions(tmp_path / "empty.csv", [], header=None)

    with pytest.raises(ImportFormatError, match="the file is empty"):
        TransactionFile(source).__enter__()


def test_a_truncated_gzip_file_stops_with_a_clear_error(run_import, tmp_path):
    source = write_transactions(
        tmp_path / "cut.csv.gz", [line(invoice=str(900000 + n)) for n in range(500)], compress=True
    )
    source.write_bytes(source.read_bytes()[:-40])

    with pytest.raises(ImportFormatError, match="cannot read past line"):
        run_import(source)


def test_the_command_line_imports_and_prints_a_summary(sqlite_url, tmp_path, capsys):
    source = write_transactions(tmp_path / "quirks.csv.gz", quirk_lines(), compress=True)
    report = tmp_path / "report.csv"

    code = main(["transactions", str(source), "--database-url", sqlite_url, "--report", str(report), "--json"])

    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows_read"] == summary["imported"] + summary["merged"] + summary["rejected"]
    assert summary["report"] == str(report) and report.exists()
    assert main(["transactions", str(source), "--database-url", sqlite_url, "--report", str(report)]) == 0
    assert "imported                0" in capsys.readouterr().out


def test_the_command_line_explains_a_wrong_header(sqlite_url, tmp_path, capsys):
    source = write_transactions(tmp_path / "wrong.csv", [line()], header=("Invoice", "Code"))

    assert main(["transactions", str(source), "--database-url", sqlite_url, "--report", str(tmp_path / "r.csv")]) == 2
    assert "the header must name the columns InvoiceNo, StockCode" in capsys.readouterr().err


def test_the_command_line_asks_for_migrations_first(tmp_path, capsys):
    source = write_transactions(tmp_path / "quirks.csv", [line()])

    assert main(["transactions", str(source), "--database-url", f"sqlite:///{tmp_path / 'blank.db'}"]) == 2
    assert "python -m crm_backend migrate" in capsys.readouterr().err


def test_a_sample_of_the_online_retail_file_imports_and_reimports(run_import, tmp_path):
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"the shared Online Retail file is not at {ONLINE_RETAIL} (needs ../shared/datasets)")
    sample = tmp_path / "online_retail_sample.csv"
    with gzip.open(ONLINE_RETAIL, "rt", encoding="utf-8", newline="") as full, open(sample, "w", newline="") as out:
        out.writelines(itertools.islice(full, SAMPLE_ROWS + 1))

    first = run_import(sample)
    again = run_import(sample)

    assert first.rows_read == SAMPLE_ROWS
    assert first.imported + first.merged + first.rejected_total == SAMPLE_ROWS
    assert first.imported > 0.95 * SAMPLE_ROWS
    assert first.orders_created > 50 and first.customers_created > 10
    assert set(first.rejected) <= {"stock_adjustment"}
    assert (again.imported, again.merged) == (0, first.imported + first.merged)
