"""`make run`: prepare the embedded default (SQLite, in-memory locks) and run everything.

Usage: python -m ops.run [--env-file PATH] [--crm-port N] [--actions-port N] [--rasa-port N]

Settings come from the environment first, then from the env file (default `.env`), which
is created with random secrets and the embedded defaults on first use.
"""

import argparse
import logging
import os
import secrets
import signal
import sys
import time
from pathlib import Path

from dotenv import dotenv_values

from ops.stack import ROOT, Stack, StackConfig, run_app_command

ENV_FILE = ROOT / ".env"
GENERATED_SECRETS = (
    "BOT_SERVICE_TOKEN",
    "CUSTOMER_TOKEN_SECRET",
    "RASA_API_TOKEN",
    "CONSOLE_ADMIN_PASSWORD",
    "CONVERSATION_ID_SECRET",
    "REST_CHANNEL_TOKEN",
    "ACTION_SERVER_TOKEN",
)
CONSOLE_ADMIN_EMAIL = "admin@concierge.local"
EMBEDDED_DEFAULTS = {
    "DATABASE_URL": "sqlite:///var/crm.db",
    "TRACKER_DB_URL": "sqlite:///var/tracker.db",
    "LOCK_STORE_TYPE": "in_memory",
    "LOCK_STORE_URL": "",
    # The demo shop at /demo/ hands out customer tokens to anyone: never in production.
    "DEMO_MODE": "true",
}


def ensure_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """Read `.env`, adding random secrets and embedded defaults that are missing."""
    values = {key: value or "" for key, value in dotenv_values(path).items()} if path.exists() else {}
    missing = {key: secrets.token_urlsafe(32) for key in GENERATED_SECRETS if not values.get(key)}
    missing |= {key: value for key, value in EMBEDDED_DEFAULTS.items() if key not in values}
    if missing:
        with path.open("a") as handle:
            handle.write("".join(f"{key}={value}\n" for key, value in missing.items()))
        path.chmod(0o600)
    return {**values, **missing}


def settings_env(env_file: Path) -> dict[str, str]:
    """The env file's values, overridden by the same names in the real environment."""
    values = ensure_env_file(env_file)
    names = set(values) | set(GENERATED_SECRETS) | set(EMBEDDED_DEFAULTS)
    return {**values, **{name: os.environ[name] for name in names if name in os.environ}}


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env-file", type=Path, default=ENV_FILE)
    parser.add_argument("--crm-port", type=int, default=8000)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--rasa-port", type=int, default=5005)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines would show the API token
    # Ctrl-C, `kill` and a closed terminal all stop every child, even where the shell that
    # started us made SIGINT ignored (background jobs).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)

    env = settings_env(args.env_file)
    run_app_command(["-m", "crm_backend", "migrate"], env)
    run_app_command(["-m", "crm_backend", "seed-demo", "--if-empty"], env)
    run_app_command(["-m", "crm_backend.insights", "run", "--if-missing"], env)
    admin = ["--email", CONSOLE_ADMIN_EMAIL, "--name", "Console admin", "--role", "admin", "--if-missing"]
    run_app_command(
        ["-m", "crm_backend", "create-agent", *admin], {**env, "AGENT_PASSWORD": env["CONSOLE_ADMIN_PASSWORD"]}
    )
    config = StackConfig(env=env, crm_port=args.crm_port, actions_port=args.actions_port, rasa_port=args.rasa_port)
    stack = Stack(config)
    try:
        # The Telegram bridge runs only when a bot token is configured (from @BotFather).
        telegram = ("telegram",) if env.get("TELEGRAM_BOT_TOKEN") or os.environ.get("TELEGRAM_BOT_TOKEN") else ()
        stack.start(("crm", "actions", "rasa", *telegram))
        bridge_line = "  Telegram bridge      on (link codes: python -m crm_backend link-code --customer N)\n"
        bridge_line = bridge_line if telegram else ""
        print(
            "\nConcierge is running:\n"
            f"  Rasa (REST channel)  {config.rasa_url}/webhooks/rest/webhook\n"
            f"  Action server        {config.actions_url}\n"
            f"  CRM service          {config.crm_url}  (API docs: {config.crm_url}/docs)\n"
            f"  Demo shop + widget   {config.crm_url}/demo/\n"
            f"  Agent console        {config.crm_url}/console  ({CONSOLE_ADMIN_EMAIL}; password: "
            "CONSOLE_ADMIN_PASSWORD in .env)\n"
            f"{bridge_line}"
            "Get a demo customer's token with `make token`; see the README for a curl example.\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(1)
        dead = [name for name, process in stack.processes.items() if process.poll() is not None]
        print(f"error: {', '.join(dead)} stopped unexpectedly; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Concierge...", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
