"""Command line of the CRM service: `python -m crm_backend --help`."""

import argparse
import json
import logging
import sys
from datetime import date

from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.service import get_customer
from crm_backend.demo_data import seed_demo_data
from crm_backend.orders.service import list_customer_orders


def _migrate(_args: argparse.Namespace) -> int:
    upgrade_database(get_settings().database_url)
    print("Database schema is up to date.")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    try:
        for db_session in session_scope(factory):
            counts = seed_demo_data(db_session, seed=args.seed, as_of=as_of)
    except ValueError as error:
        if args.if_empty:
            print("Demo data already present; nothing to do.")
            return 0
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("Demo data added: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
    return 0


def _token(args: argparse.Namespace) -> int:
    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    with factory() as db_session:
        customer = get_customer(db_session=db_session, customer_id=args.customer)
        if customer is None:
            print(f"error: no customer with id {args.customer}", file=sys.stderr)
            return 1
        orders = list_customer_orders(db_session=db_session, customer_id=customer.id, limit=5)
    token = issue_customer_token(
        customer.id,
        secret=settings.customer_token_secret.get_secret_value(),
        ttl_seconds=args.ttl or settings.customer_token_ttl_seconds,
    )
    if args.json:
        print(json.dumps({"customer_id": customer.id, "token": token, "orders": [o.number for o in orders]}))
        return 0
    print(token)
    summary = ", ".join(f"{order.number} ({order.status})" for order in orders)
    print(f"# {customer.full_name} (customer {customer.id}); recent orders: {summary}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crm_backend", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(
        handler=_migrate
    )
    seed = commands.add_parser("seed-demo", help="fill an empty database with the demo shop")
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--as-of", help="the demo's 'today' (YYYY-MM-DD); default: today")
    seed.add_argument("--if-empty", action="store_true", help="do nothing if customers exist")
    seed.set_defaults(handler=_seed_demo)
    token = commands.add_parser("token", help="print a signed, short-lived token for a customer")
    token.add_argument("--customer", type=int, default=1, help="customer id (default 1)")
    token.add_argument("--ttl", type=int, help="lifetime in seconds")
    token.add_argument("--json", action="store_true", help="print JSON with the token and order numbers")
    token.set_defaults(handler=_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.handler(args)
