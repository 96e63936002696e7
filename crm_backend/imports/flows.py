"""The import job: stream a file in batches, store each batch in its own transaction, report.

Every record is accounted for exactly once: imported (a new order line), merged (its line is
already stored, from an earlier import or earlier in the same file) or rejected (written to
the rejection report with its line number, reason and raw text).
"""

import csv
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from crm_backend.imports.reader import TransactionFile
from crm_backend.imports.rows import Line, RecordParser, Rejection
from crm_backend.imports.service import BatchOutcome, KnownIds, import_lines

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 20_000
REPORT_COLUMNS = ("file", "row", "reason", "detail", "raw_line")


@dataclass
class ImportSummary:
    """The counts printed at the end of an import (and returned to callers)."""

    file: str
    rows_read: int = 0
    imported: int = 0
    merged: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    customers_created: int = 0
    products_created: int = 0
    orders_created: int = 0
    items_created: int = 0
    charges_created: int = 0
    seconds: float = 0.0
    report: str | None = None

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def balanced(self) -> bool:
        return self.imported + self.merged + self.rejected_total == self.rows_read

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "merged": self.merged,
            "rejected": self.rejected_total,
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "customers_created": self.customers_created,
            "products_created": self.products_created,
            "orders_created": self.orders_created,
            "order_items_created": self.items_created,
            "order_charges_created": self.charges_created,
            "seconds": round(self.seconds, 3),
            "report": self.report,
        }

    def format(self) -> str:
        lines = [
            f"Imported {self.file} in {self.seconds:.1f} s",
            f"  rows read      {self.rows_read:>10,}",
            f"  imported       {self.imported:>10,}  ({self.items_created:,} items, {self.charges_created:,} charges)",
            f"  merged         {self.merged:>10,}  (already stored)",
            f"  rejected       {self.rejected_total:>10,}",
        ]
        lines += [f"    {reason:<30} {count:>8,}" for reason, count in sorted(self.rejected.items())]
        lines += [
            f"  created: {self.customers_created:,} customers, {self.products_created:,} products, "
            f"{self.orders_created:,} orders",
        ]
        if self.report and self.rejected_total:
            lines.append(f"  rejection report: {self.report}")
        return "\n".join(lines)

    def add(self, outcome: BatchOutcome) -> None:
        self.imported += outcome.imported
        self.merged += outcome.merged
        self.customers_created += outcome.customers_created
        self.products_created += outcome.products_created
        self.orders_created += outcome.orders_created
        self.items_created += outcome.items_created
        self.charges_created += outcome.charges_created


class RejectionReport:
    """The CSV of rejected records, written as they are found (header always present)."""

    def __init__(self, path: Path, source: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._source = str(source)
        self._file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
        self._writer = csv.writer(self._file)
        self._writer.writerow(REPORT_COLUMNS)

    def write(self, rejection: Rejection) -> None:
        raw = rejection.raw.rstrip("\r\n")
        if not raw.isascii():  # show undecodable bytes as \xNN escapes
            raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        self._writer.writerow((self._source, rejection.row, rejection.reason, rejection.detail, raw))

    def close(self) -> None:
        self._file.close()


def import_transactions(
    path: Path | str,
    *,
    session_factory: sessionmaker[Session],
    report_path: Path | str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    currency: str = "GBP",
    timezone: tzinfo = UTC,
    progress: bool = False,
) -> ImportSummary:
    """Import one transaction file; each batch is committed on its own, so a rerun resumes."""
    path, report_path = Path(path), Path(report_path)
    started = time.perf_counter()
    summary = ImportSummary(file=str(path), report=str(report_path))
    known = KnownIds()
    with TransactionFile(path) as source:
        report = RejectionReport(report_path, path)
        bar = tqdm(
            total=source.size, unit="B", unit_scale=True, unit_divisor=1024, desc=path.name, disable=not progress
        )
        try:
            parse = RecordParser(source.columns, timezone=timezone)
            batch: list[Line] = []
            for record in source.records():
                summary.rows_read += 1
                parsed = parse(record)
                if isinstance(parsed, Rejection):
                    summary.rejected[parsed.reason] += 1
                    report.write(parsed)
                    continue
                batch.append(parsed)
                if len(batch) >= batch_size:
                    _store(batch, summary, report, session_factory=session_factory, known=known, currency=currency)
                    batch = []
                    bar.update(source.bytes_read - bar.n)
                    bar.set_postfix(rows=f"{summary.rows_read:,}", refresh=False)
            _store(batch, summary, report, session_factory=session_factory, known=known, currency=currency)
            bar.update(source.size - bar.n)
            bar.set_postfix(rows=f"{summary.rows_read:,}")
        finally:
            bar.close()
            report.close()
    summary.seconds = time.perf_counter() - started
    logger.info(
        "imported %s: %d read, %d imported, %d merged, %d rejected",
        path,
        summary.rows_read,
        summary.imported,
        summary.merged,
        summary.rejected_total,
    )
    return summary


def _store(
    batch: list[Line],
    summary: ImportSummary,
    report: RejectionReport,
    *,
    session_factory: sessionmaker[Session],
    known: KnownIds,
    currency: str,
) -> None:
    if not batch:
        return
    with session_factory() as db_session:
        try:
            outcome = import_lines(db_session=db_session, lines=batch, known=known, currency=currency)
            db_session.commit()
        except Exception:
            db_session.rollback()
            # Ids learnt in a rolled-back transaction may not exist: forget them all.
            known.customers.clear()
            known.products.clear()
            raise
    summary.add(outcome)
    for rejection in outcome.rejected:
        summary.rejected[rejection.reason] += 1
        report.write(rejection)
