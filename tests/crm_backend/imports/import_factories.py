"""Small transaction files in the Online Retail layout, written by the tests themselves."""

import csv
import gzip
import io
from pathlib import Path

# The project root is /work/main; shared data sets sit beside it, as in CI.
DATASETS = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
HEADER = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")


def line(
    invoice: str = "900001",
    code: str = "20001",
    description: str = "BLUE TEA MUG",
    quantity: str = "6",
    date: str = "2010-12-01 08:26:00",
    price: str = "2.55",
    customer: str = "12001.0",
    country: str = "United Kingdom",
) -> str:
    """One record, quoted by the csv module where needed, without its line break."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(
        (invoice, code, description, quantity, date, price, customer, country)
    )
    return buffer.getvalue()


def write_transactions(
    path: Path, lines: list[str | bytes], *, header: tuple[str, ...] | None = HEADER, compress: bool = False
) -> Path:
    """Write `lines` (text, or bytes written as they are) under `header`, as .csv or .csv.gz."""
    content = b"".join(
        (item if isinstance(item, bytes) else item.encode()) + b"\n"
        for item in ([",".join(header)] if header is not None else []) + lines
    )
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


# Every quirk of real transaction files, with what must become of it.
QUIRKS: list[tuple[str | bytes, str]] = [
    (line(), "imported"),
    (line(code="20002", description="RED TEA MUG", quantity="12", price="1.25"), "imported"),
    (line(), "merged"),  # an exact duplicate of the first line
    (line(code="POST", description="POSTAGE", quantity="1", price="18.00"), "imported"),
    (line(invoice="C900002", quantity="-2"), "imported"),  # a cancellation
    (line(invoice="C900002", quantity="3"), "cancellation_positive_quantity"),
    (line(invoice="900003", customer="", country="France"), "imported"),  # a guest order
    (line(invoice="900003", code="20002", customer="12002.0"), "order_customer_mismatch"),
    (line(invoice="900004", code="20003", description="FREE SAMPLE MUG", price="0.00"), "imported"),
    (line(invoice="900004", code="20004", price="-1.00"), "negative_price"),
    (
        line(invoice="900005", code="B", description="Adjust bad debt", quantity="1", price="-50", customer=""),
        "imported",
    ),
    (line(invoice="900006", code="20005", description="", quantity="-10", price="0", customer=""), "stock_adjustment"),
    (line(quantity="0"), "zero_quantity"),
    (line(date="2010-13-45 08:00:00"), "bad_date"),
    (line(date="yesterday"), "bad_date"),
    (line(invoice="900007", date="12/9/2011 12:50"), "imported"),  # the M/D/YYYY H:MM format
    (line(quantity="six"), "bad_quantity"),
    (line(quantity="1.5"), "bad_quantity"),
    (line(price="abc"), "bad_price"),
    (line(customer="17850.5"), "bad_customer_id"),
    (line(invoice=""), "missing_field"),
    (line(code=""), "missing_field"),
    ("900001,20001,TOO FEW FIELDS,6", "wrong_column_count"),
    (line() + ",surplus", "wrong_column_count"),
    (b"900008,20006,CAF\xc9 MUG,1,2010-12-01 08:26:00,2.00,12001.0,United Kingdom", "invalid_utf8"),
    ("", "empty_line"),
    (line(invoice="900009", code="20007", description="MUG, SET OF 2", customer="12003"), "imported"),
    (line(invoice="bad invoice!"), "bad_invoice_number"),
    (line(code="m", description="Manual", quantity="1", price="3.000"), "imported"),  # lower-case charge code
]


def quirk_lines() -> list[str | bytes]:
    return [item for item, _ in QUIRKS]


def expected_rejections() -> dict[int, str]:
    """Line number (the header is line 1) → reason."""
    return {index + 2: outcome for index, (_, outcome) in enumerate(QUIRKS) if outcome not in ("imported", "merged")}


def expected_count(outcome: str) -> int:
    return sum(1 for _, expected in QUIRKS if expected == outcome)
