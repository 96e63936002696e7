"""`python -m crm_backend.annotations export [--out-dir DIR]` and `... retrain`."""

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from crm_backend.annotations.export import ExportRefused, export_annotations
from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_backend.annotations", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write agents' corrections as NLU training data")
    export.add_argument("--out-dir", type=Path, default=None, help="default: ANNOTATIONS_EXPORT_DIR (nlu_data/nlu)")
    commands.add_parser("retrain", help="run the retrain command (make train) in the foreground")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if args.command == "retrain":
        return subprocess.call(settings.retrain_command, shell=True)
    engine = make_engine(settings.database_url)
    try:
        for db_session in session_scope(make_session_factory(engine)):
            result = export_annotations(
                db_session=db_session, out_dir=args.out_dir or Path(settings.annotations_export_dir)
            )
    except ExportRefused as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(
        f"wrote {result.examples} examples to {result.path} "
        f"({result.skipped_duplicates} duplicates, {result.skipped_unknown} unknown intents skipped)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
