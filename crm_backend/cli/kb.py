"""`python -m crm_backend kb import DIR | export DIR`: the help centre as a folder of Markdown files."""

import argparse
import json
import sys
from pathlib import Path

from crm_backend.cli.common import group
from crm_backend.cli.imports import _configured_database_url
from crm_backend.core.db import make_engine, make_session_factory, session_scope
from crm_backend.kb import files, service


def _import(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    database_url = args.database_url or _configured_database_url()
    if database_url is None:
        return 2
    articles, rejected = files.read_folder(folder)
    engine = make_engine(database_url)
    try:
        for db_session in session_scope(make_session_factory(engine)):
            counts = service.import_articles(db_session=db_session, articles=articles)
    finally:
        engine.dispose()
    summary = {
        "files": len(articles) + len(rejected),
        "imported": counts.imported,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "rejected": [{"file": item.path.name, "reason": item.reason} for item in rejected],
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{summary['files']} files: {counts.imported} imported, {counts.updated} updated, "
            f"{counts.unchanged} unchanged, {len(rejected)} rejected"
        )
        for item in rejected:
            print(f"  rejected {item.path.name}: {item.reason}")
    return 1 if rejected else 0


def _export(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or _configured_database_url()
    if database_url is None:
        return 2
    engine = make_engine(database_url)
    try:
        for db_session in session_scope(make_session_factory(engine)):
            articles = [service.to_incoming(article) for article in service.list_articles(db_session=db_session)]
    finally:
        engine.dispose()
    for article in articles:
        (folder / f"{article.slug}.md").write_text(files.render(article), encoding="utf-8")
    print(f"exported {len(articles)} articles to {folder}")
    return 0


def add_commands(commands) -> None:
    kb = group(commands, "kb", "the help centre: Markdown files with YAML front matter")
    for name, handler, help_text in (
        ("import", _import, "import every *.md of a folder (idempotent: unchanged articles are not written)"),
        ("export", _export, "write every article to a folder, one *.md each"),
    ):
        command = kb.add_parser(name, help=help_text)
        command.add_argument("folder", help="the folder of Markdown files")
        command.add_argument("--database-url", help="default: DATABASE_URL")
        if name == "import":
            command.add_argument("--json", action="store_true", help="print the counts as JSON")
        command.set_defaults(handler=handler)
