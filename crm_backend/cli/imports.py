"""Command line of the importer: `python -m crm_backend import transactions FILE` (crm_backend.cli)."""

import argparse
import json
import logging
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.imports.flows import DEFAULT_BATCH_SIZE, import_transactions
from crm_backend.imports.reader import ImportFormatError

logger = logging.getLogger(__name__)

REPORT_DIR = Path("var/imports")


def _transactions(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        print("error: --batch-size must be at least 1", file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        timezone = ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        print(f"error: unknown time zone {args.timezone!r}", file=sys.stderr)
        return 2
    database_url = args.database_url or _configured_database_url()
    if database_url is None:
        return 2
    report = Path(args.report) if args.report else REPORT_DIR / f"{_stem(path)}.rejected.csv"
    engine = make_engine(database_url)
    try:
        if not inspect(engine).has_table("order_charges"):
            print("error: the database schema is not up to date; run `python -m crm_backend migrate`", file=sys.stderr)
            return 2
        summary = import_transactions(
            path,
            session_factory=make_session_factory(engine),
            report_path=report,
            batch_size=args.batch_size,
            currency=args.currency,
            timezone=timezone,
            progress=not args.no_progress and sys.stderr.isatty(),
        )
    except ImportFormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        logger.exception("import of %s failed; batches committed so far are kept, a rerun resumes", path)
        print(f"error: database error: {error.__class__.__name__}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(json.dumps(summary.as_dict()) if args.json else summary.format())
    return 0


def _configured_database_url() -> str | None:
    try:
        return get_settings().database_url
    except ValidationError:
        print("error: pass --database-url, or set the CRM settings (DATABASE_URL and its secrets)", file=sys.stderr)
        return None


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv"):
        name = name.removesuffix(suffix)
    return name or "import"


def add_commands(commands) -> None:
    """The importer's commands, under `python -m crm_backend import`."""
    transactions = commands.add_parser(
        "transactions",
        help="import a transaction file in the Online Retail layout (.csv or .csv.gz); see docs/IMPORT_FORMAT.md",
    )
    transactions.add_argument("file", help="the .csv or .csv.gz file")
    transactions.add_argument("--database-url", help="default: the CRM's DATABASE_URL setting")
    transactions.add_argument("--report", help=f"rejection report CSV (default: {REPORT_DIR}/<file>.rejected.csv)")
    transactions.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="lines per transaction")
    transactions.add_argument("--currency", default="GBP", help="ISO currency of the prices (default GBP)")
    transactions.add_argument("--timezone", default="UTC", help="time zone of InvoiceDate (default UTC)")
    transactions.add_argument("--no-progress", action="store_true", help="no progress bar")
    transactions.add_argument("--json", action="store_true", help="print the summary as JSON")
    transactions.set_defaults(handler=_transactions, log_level=logging.WARNING)
