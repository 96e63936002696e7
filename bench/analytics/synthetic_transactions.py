"""Write N synthetic transactions in the CSV import layout, streaming (constant memory).

Layout: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID,
Country — the same as the Online Retail import. Like real data it contains a small share
of cancellations (``C`` invoices with negative quantities), guest checkouts (empty
CustomerID), postage lines (``POST``) and zero prices, so the importer's cleaning runs too.

Customers follow a Zipf-like activity distribution and each prefers a product family, so
recommenders and segmentation have structure to find. Output is deterministic for a seed.

Run from the project root, e.g. for the 10M-row scale benchmark::

    .venv/bin/python -m bench.analytics.synthetic_transactions --rows 10000000 --out var/synthetic_10m.csv.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import logging
from pathlib import Path

import numpy as np
from tqdm import tqdm

logger = logging.getLogger(__name__)

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
COUNTRIES = np.array(["United Kingdom"] * 8 + ["Germany", "France", "EIRE", "Netherlands"])
ADJECTIVES = np.array(["RED", "BLUE", "VINTAGE", "WHITE", "PINK", "GREEN", "RETRO", "SMALL", "LARGE", "GLASS"])
NOUNS = np.array(["MUG", "LANTERN", "CANDLE", "BAG", "CLOCK", "BOTTLE", "FRAME", "TIN", "CUSHION", "SIGN"])


def generate(
    rows: int,
    out: Path,
    *,
    customers: int | None = None,
    products: int = 4000,
    seed: int = 0,
    start: str = "2022-01-01",
    days: int = 730,
    chunk_orders: int = 20000,
) -> int:
    """Write about ``rows`` rows to ``out`` (``.gz`` compresses); return the rows written."""
    rng = np.random.default_rng(seed)
    customers = customers or max(10, rows // 100)
    families = 40
    product_family = rng.integers(0, families, products)
    by_family = [np.flatnonzero(product_family == f) for f in range(families)]
    by_family = [f if len(f) else np.arange(products) for f in by_family]
    price = np.round(rng.lognormal(1.0, 0.8, products), 2)
    names = [f"{ADJECTIVES[i % 10]} {NOUNS[(i // 10) % 10]} {i}" for i in range(products)]
    codes = [f"{20000 + i}" for i in range(products)]
    activity = 1.0 / np.arange(1, customers + 1) ** 0.8
    activity /= activity.sum()
    favourite = rng.integers(0, families, customers)
    country = rng.choice(COUNTRIES, customers)
    start_s = np.datetime64(start, "s")
    opener = gzip.open if str(out).endswith(".gz") else open
    out.parent.mkdir(parents=True, exist_ok=True)
    written, invoice = 0, 500000
    with opener(out, "wt", newline="") as handle, tqdm(total=rows, unit="row", desc="rows") as bar:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while written < rows:
            buyer = rng.choice(customers, chunk_orders, p=activity)
            when = np.sort(start_s + (rng.random(chunk_orders) * days * 86400).astype("timedelta64[s]"))
            sizes = rng.integers(1, 25, chunk_orders)
            for o in range(chunk_orders):
                invoice += 1
                c = buyer[o]
                guest = rng.random() < 0.05
                cancelled = rng.random() < 0.02
                fam = by_family[favourite[c]] if rng.random() < 0.7 else by_family[rng.integers(families)]
                items = rng.choice(fam, min(sizes[o], len(fam)), replace=False)
                date = str(when[o]).replace("T", " ")
                inv = f"C{invoice}" if cancelled else str(invoice)
                cid = "" if guest else f"{10000 + c}.0"
                for i in items:
                    qty = int(rng.integers(1, 13)) * (-1 if cancelled else 1)
                    unit = 0.0 if rng.random() < 0.002 else price[i]
                    writer.writerow([inv, codes[i], names[i], qty, date, f"{unit:.2f}", cid, country[c]])
                written += len(items)
                if rng.random() < 0.01:
                    writer.writerow([inv, "POST", "POSTAGE", 1, date, "18.00", cid, country[c]])
                    written += 1
                bar.update(len(items))
                if written >= rows:
                    break
    logger.info("wrote %d rows to %s", written, out)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("var/synthetic_transactions.csv.gz"))
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--products", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    generate(args.rows, args.out, customers=args.customers, products=args.products, seed=args.seed)


if __name__ == "__main__":
    main()
