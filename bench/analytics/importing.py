"""Turn rows in the CSV import layout into canonical transactions.

Import layout (the UCI "Online Retail" layout, also written by
``bench/analytics/synthetic_transactions.py``)::

    InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country

Cleaning rules, each counted in the returned report:

- cancellations (InvoiceNo starting with ``C``) are dropped;
- non-positive quantities and prices are dropped;
- non-product stock codes (postage, manual, bank charges, fees, samples,
  discounts, gift vouchers, ...) are dropped;
- missing CustomerID rows are kept as guests (``customer_id`` NaN) unless
  ``keep_guests=False``; the feature functions ignore guests.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

IMPORT_COLUMNS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]

#: Stock codes that are services, fees or adjustments, not products.
# fmt: off
NON_PRODUCT_CODES = frozenset(
    {"POST", "DOT", "M", "m", "BANK CHARGES", "C2", "CRUK", "D", "S", "PADS", "AMAZONFEE", "B", "ADJUST",
     "ADJUST2", "TEST001", "TEST002"}
)
# fmt: on
_NON_PRODUCT_PATTERN = re.compile(r"^(gift_\d+_\d+|DCGS.*|TEST.*)$", re.IGNORECASE)


def is_product_code(code: str) -> bool:
    """True when ``code`` looks like a real product stock code."""
    code = str(code).strip()
    return bool(code) and code not in NON_PRODUCT_CODES and not _NON_PRODUCT_PATTERN.match(code)


def clean_import_rows(raw: pd.DataFrame, *, keep_guests: bool = True) -> tuple[pd.DataFrame, dict[str, int]]:
    """Clean raw import rows; return (canonical transactions, counts of dropped rows)."""
    missing = [c for c in IMPORT_COLUMNS if c not in raw.columns and c != "Country"]
    if missing:
        raise ValueError(f"import rows lack columns: {missing}")
    report = {"rows_in": len(raw)}
    df = raw.copy()
    invoice = df["InvoiceNo"].astype(str).str.strip()
    cancelled = invoice.str.upper().str.startswith("C")
    report["cancellations"] = int(cancelled.sum())
    df = df[~cancelled]
    qty = pd.to_numeric(df["Quantity"], errors="coerce")
    price = pd.to_numeric(df["UnitPrice"], errors="coerce")
    bad_qty = ~(qty > 0)
    bad_price = ~(price > 0) & ~bad_qty
    report["non_positive_quantity"] = int(bad_qty.sum())
    report["non_positive_price"] = int(bad_price.sum())
    df = df[~(bad_qty | bad_price)]
    codes = df["StockCode"].astype(str).str.strip()
    non_product = ~codes.map(is_product_code)
    report["non_product_codes"] = int(non_product.sum())
    df = df[~non_product]
    customer = pd.to_numeric(df["CustomerID"], errors="coerce")
    report["guest_rows"] = int(customer.isna().sum())
    out = pd.DataFrame(
        {
            "customer_id": customer.astype("Int64").astype(str).where(customer.notna(), None),
            "order_id": df["InvoiceNo"].astype(str).str.strip(),
            "product_id": df["StockCode"].astype(str).str.strip().str.upper(),
            "description": df["Description"].astype(str).str.strip(),
            "quantity": pd.to_numeric(df["Quantity"], errors="coerce"),
            "unit_price": pd.to_numeric(df["UnitPrice"], errors="coerce"),
            "order_date": pd.to_datetime(df["InvoiceDate"], errors="coerce"),
        }
    )
    if "Country" in df.columns:
        out["country"] = df["Country"].astype(str)
    bad_date = out["order_date"].isna()
    report["bad_dates"] = int(bad_date.sum())
    out = out[~bad_date]
    if not keep_guests:
        out = out[out["customer_id"].notna()]
    report["rows_out"] = len(out)
    logger.info("cleaned import rows: %s", report)
    return out.reset_index(drop=True), report


def read_import_csv(path: str | Path, *, keep_guests: bool = True) -> tuple[pd.DataFrame, dict[str, int]]:
    """Read a CSV (optionally .gz) in the import layout and clean it."""
    raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    return clean_import_rows(raw, keep_guests=keep_guests)
