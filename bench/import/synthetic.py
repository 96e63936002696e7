"""A synthetic transaction file in the Online Retail layout, as large as asked, streamed to .csv.gz.

The mix imitates the real file: invoices of 1 to 40 lines, a quarter of them by guests,
cancellations (C...), postage and other charges, exact duplicate lines, free items, stock
write-offs, both date formats, and a few broken records (bad dates and numbers, missing
fields, wrong column counts, bytes that are not UTF-8). Deterministic for a given seed.

    python bench/import/synthetic.py OUT.csv.gz --rows 5000000 [--seed 7]
"""

import argparse
import gzip
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
COUNTRIES = ["United Kingdom"] * 12 + ["Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium", "Norway"]
WORDS = [
    "RED",
    "BLUE",
    "WHITE",
    "VINTAGE",
    "HEART",
    "LANTERN",
    "MUG",
    "TEA",
    "SET",
    "GARDEN",
    "CANDLE",
    "BAG",
    "BOX",
    "CARD",
    "GLASS",
    "JAR",
    "TIN",
    "BELL",
    "STAR",
]
CHARGES = [("POST", "POSTAGE", 18.0), ("DOT", "DOTCOM POSTAGE", 120.0), ("M", "Manual", 2.5), ("C2", "CARRIAGE", 50.0)]
BROKEN = [
    b"{invoice},{code},BROKEN DATE,3,2012-13-45 99:99:00,1.25,,United Kingdom\n",
    b"{invoice},{code},BAD QUANTITY,three,2012-01-01 10:00:00,1.25,,United Kingdom\n",
    b"{invoice},{code},BAD PRICE,3,2012-01-01 10:00:00,1.2.5,,United Kingdom\n",
    b"{invoice},,NO STOCK CODE,3,2012-01-01 10:00:00,1.25,,United Kingdom\n",
    b"{invoice},{code},TOO FEW FIELDS,3\n",
    b"{invoice},{code},CAF\xc9 LATIN-1 BYTES,3,2012-01-01 10:00:00,1.25,,United Kingdom\n",
]


def generate(path: Path, rows: int, *, seed: int = 7) -> int:
    """Write `rows` data records (plus the header) to `path`; returns the number written."""
    rng = random.Random(seed)
    products = [_product(rng, index) for index in range(5000)]
    customers = [(f"{20000 + index}.0", rng.choice(COUNTRIES)) for index in range(20000)]
    clock = datetime(2012, 1, 1, 8, 0)
    invoice = 1_000_000
    written = 0
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(HEADER.encode())
        buffer: list[bytes] = []
        while written < rows:
            invoice += 1
            clock += timedelta(minutes=rng.randint(0, 12))
            when = clock.strftime("%Y-%m-%d %H:%M:%S") if rng.random() < 0.9 else _us_date(clock)
            guest = rng.random() < 0.25
            customer, country = ("", "United Kingdom") if guest else rng.choice(customers)
            cancelled = not guest and rng.random() < 0.03
            number = f"C{invoice}" if cancelled else str(invoice)
            lines: list[bytes] = []
            for _ in range(min(rng.randint(1, 40), rows - written)):
                roll = rng.random()
                if roll < 0.0006:
                    template = rng.choice(BROKEN)
                    lines.append(template.replace(b"{invoice}", number.encode()).replace(b"{code}", b"85123A"))
                    continue
                if roll < 0.01 and lines:  # an exact duplicate of the line before
                    lines.append(lines[-1])
                    continue
                if roll < 0.02:
                    code, description, price = rng.choice(CHARGES)
                    quantity = 1
                else:
                    code, description, price = rng.choice(products)
                    quantity = rng.choice((1, 2, 3, 4, 6, 12, 24, 48))
                    if roll < 0.025:
                        price = 0.0  # a free item
                    elif roll < 0.028 and not cancelled:  # a stock write-off: not a sale, rejected
                        line = f"{number},{code},,{-quantity},{when},0.00,,{country}\n"
                        lines.append(line.encode())
                        continue
                if cancelled:
                    quantity = -abs(quantity)
                line = f"{number},{code},{description},{quantity},{when},{price:.2f},{customer},{country}\n"
                lines.append(line.encode())
            buffer.extend(lines)
            written += len(lines)
            if len(buffer) >= 20_000:
                out.write(b"".join(buffer))
                buffer.clear()
        out.write(b"".join(buffer))
    return written


def _product(rng: random.Random, index: int) -> tuple[str, str, float]:
    code = f"{10000 + index * 17 % 90000}{rng.choice(('', '', 'A', 'B', 'C'))}"
    description = " ".join(rng.sample(WORDS, 3))
    if rng.random() < 0.05:
        description = f'"{description}, SET OF {rng.randint(2, 12)}"'
    return code, description, round(rng.uniform(0.29, 25.0), 2)


def _us_date(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    written = generate(args.out, args.rows, seed=args.seed)
    print(f"{written:,} rows written to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
