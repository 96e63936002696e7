"""The shop's commands: schema, demo data, tokens and link codes, agents, customers' privacy."""

import argparse
import getpass
import json
import os
import sys
from datetime import date

from crm_backend.agents.models import Role
from crm_backend.agents.service import AgentExists, create_agent
from crm_backend.audit.service import ActorType
from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.service import get_customer
from crm_backend.demo_data import seed_demo_data
from crm_backend.links.service import DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, issue_link_code
from crm_backend.orders.service import list_customer_orders
from crm_backend.privacy.service import CustomerAlreadyErased, erase_customer, export_customer, record_export
from crm_backend.privacy.tracker import configured_tracker_store

MIN_PASSWORD_CHARS = 12


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


def _link_code(args: argparse.Namespace) -> int:
    if not 1 <= args.ttl <= MAX_TTL_SECONDS:
        print(f"error: --ttl must be between 1 and {MAX_TTL_SECONDS} seconds", file=sys.stderr)
        return 1
    for db_session in session_scope(_session_factory()):
        customer = get_customer(db_session=db_session, customer_id=args.customer)
        if customer is None or customer.erased_at is not None:
            print(f"error: no customer with id {args.customer}", file=sys.stderr)
            return 1
        code = issue_link_code(db_session, customer.id, args.channel, args.ttl)
    username = os.environ.get("TELEGRAM_BOT_USERNAME", "").lstrip("@") or "<your_bot>"
    deep_link = f"https://t.me/{username}?start={code}"
    if args.json:
        print(json.dumps({"customer_id": customer.id, "code": code, "deep_link": deep_link, "ttl": args.ttl}))
        return 0
    print(code)
    print(deep_link)
    print(
        f"# {customer.full_name} (customer {customer.id}): valid for {args.ttl} s, once; or send the bot /link {code}",
        file=sys.stderr,
    )
    return 0


def _session_factory():
    return make_session_factory(make_engine(get_settings().database_url))


def _read_password() -> str | None:
    """From AGENT_PASSWORD, or typed twice at a prompt; never from the command line."""
    password = os.environ.get("AGENT_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            print("error: set AGENT_PASSWORD or run in a terminal to be asked", file=sys.stderr)
            return None
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return None
    if len(password) < MIN_PASSWORD_CHARS:
        print(f"error: the password needs at least {MIN_PASSWORD_CHARS} characters", file=sys.stderr)
        return None
    return password


def _create_agent(args: argparse.Namespace) -> int:
    password = _read_password()
    if password is None:
        return 1
    role = None if args.role == "none" else Role(args.role)
    try:
        for db_session in session_scope(_session_factory()):
            agent = create_agent(db_session=db_session, email=args.email, name=args.name, password=password, role=role)
    except AgentExists:
        if args.if_missing:
            print(f"Agent {args.email} already exists; nothing to do.")
            return 0
        print(f"error: an agent with email {args.email} already exists", file=sys.stderr)
        return 1
    print(f"Agent {agent.id} created: {agent.email} ({agent.role or 'no role'}).")
    return 0


def _export_customer(args: argparse.Namespace) -> int:
    for db_session in session_scope(_session_factory()):
        document = export_customer(db_session=db_session, customer_id=args.customer_id)
        if document is None:
            print(f"error: no customer with id {args.customer_id}", file=sys.stderr)
            return 1
        record_export(db_session=db_session, customer_id=args.customer_id, actor_type=ActorType.SYSTEM, actor_id=None)
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


def _erase_customer(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            print("error: pass --yes to confirm the erasure", file=sys.stderr)
            return 1
        if input(f"Erase every personal detail of customer {args.customer_id}? Type 'erase': ") != "erase":
            print("Nothing erased.")
            return 1
    tracker = configured_tracker_store(get_settings())
    try:
        for db_session in session_scope(_session_factory()):
            customer = get_customer(db_session=db_session, customer_id=args.customer_id)
            if customer is None:
                print(f"error: no customer with id {args.customer_id}", file=sys.stderr)
                return 1
            rows = erase_customer(
                db_session=db_session, customer=customer, actor_type=ActorType.SYSTEM, actor_id=None, tracker=tracker
            )
    except CustomerAlreadyErased:
        print(f"Customer {args.customer_id} was already erased.")
        return 0
    print(f"Customer {args.customer_id} erased: " + ", ".join(f"{n} {table}" for table, n in rows.items()))
    if tracker is None:
        print("warning: TRACKER_DB_URL is not set, so Rasa's tracker store still holds the conversations' messages")
    return 0


def _add_privacy_commands(commands) -> None:
    agent = commands.add_parser(
        "create-agent", help="add an agent account; the password comes from AGENT_PASSWORD or a prompt"
    )
    agent.add_argument("--email", required=True)
    agent.add_argument("--name", required=True)
    agent.add_argument("--role", choices=["agent", "admin", "none"], default="agent")
    agent.add_argument("--if-missing", action="store_true", help="do nothing if the email is taken")
    agent.set_defaults(handler=_create_agent)
    export = commands.add_parser("export-customer", help="print everything held on a customer as JSON")
    export.add_argument("customer_id", type=int)
    export.set_defaults(handler=_export_customer)
    erase = commands.add_parser("erase-customer", help="erase a customer's personal data everywhere")
    erase.add_argument("customer_id", type=int)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(handler=_erase_customer)


def add_commands(commands) -> None:
    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(handler=_migrate)
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
    link = commands.add_parser("link-code", help="print a one-time code (and deep link) to link a chat account")
    link.add_argument("--customer", type=int, required=True, help="customer id")
    link.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="lifetime in seconds (default 600)")
    link.add_argument("--channel", default="telegram", choices=["telegram"])
    link.add_argument("--json", action="store_true", help="print JSON with the code and the deep link")
    link.set_defaults(handler=_link_code)
    _add_privacy_commands(commands)
