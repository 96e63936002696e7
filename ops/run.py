"""`make run`: prepare the embedded default (SQLite, in-memory locks) and run everything.

Usage: python -m ops.run [--env-file PATH] [--log-dir DIR] [--crm-port N] [--actions-port N] [--rasa-port N]

Settings come from the environment first, then from the env file (default `.env`), which
is created with random secrets and the embedded defaults on first use.

The console shows the progress, the address table and real errors only; each process's full
output (redacted: no secret appears in it) goes to `var/log/<process>.log`. Everything this
runner and its children create is private to the user (umask 077: files 0600, folders 0700),
and data that already exists (var/, models/, .env) is made so at start.
"""

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import make_url

from ops.logs import RedactingFilter, Redactor, open_private
from ops.stack import APP_PYTHON, ROOT, Stack, StackConfig

ENV_FILE = ROOT / ".env"
LOG_DIR = ROOT / "var" / "log"
GENERATED_SECRETS = (
    "BOT_SERVICE_TOKEN",
    "CUSTOMER_TOKEN_SECRET",
    "RASA_API_TOKEN",
    "CONSOLE_ADMIN_PASSWORD",
    "ACTION_SERVER_TOKEN",
    "CONVERSATION_ID_SECRET",
    "REST_CHANNEL_TOKEN",
)
# Data at rest: databases, models, logs, exports and the secrets file.
PRIVATE_PATHS = ("var", "models", ".rasa", ".env")
CONSOLE_LOG_TAIL = 20
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


def make_private(paths: list[Path]) -> None:
    """chmod what already exists: files 0600, folders 0700 (recursively)."""
    for path in paths:
        if path.is_symlink() or not path.exists():
            continue
        if path.is_file():
            path.chmod(0o600)
            continue
        path.chmod(0o700)
        for folder, dirs, files in os.walk(path):
            for name in dirs:
                if not Path(folder, name).is_symlink():
                    Path(folder, name).chmod(0o700)
            for name in files:
                if not Path(folder, name).is_symlink():
                    Path(folder, name).chmod(0o600)


def sqlite_files(env: dict[str, str]) -> list[Path]:
    """The SQLite database files the settings name (they may live outside var/)."""
    files = []
    for key in ("DATABASE_URL", "TRACKER_DB_URL"):
        url = env.get(key, "")
        if url.startswith("sqlite") and make_url(url).database:
            database = Path(make_url(url).database)
            database = database if database.is_absolute() else ROOT / database
            files += [database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")]
    return files


def prepare(steps: list[tuple[str, list[str], dict[str, str]]], log_path: Path, redactor: Redactor) -> None:
    """Run the setup commands, one progress line each; their output goes to the setup log."""
    with open_private(log_path) as log:
        for title, args, env in steps:
            print(f"  {title}...", end=" ", flush=True)
            done = subprocess.run(
                [str(APP_PYTHON), *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, check=False
            )
            output = redactor((done.stdout + done.stderr).decode(errors="replace"))
            log.write(f"$ python {' '.join(args)}\n{output}".encode())
            log.flush()
            if done.returncode != 0:
                print("failed", flush=True)
                raise SystemExit(f"error: {title} failed (exit {done.returncode}); see {log_path}:\n{output[-3000:]}")
            print("ok", flush=True)


def log_tail(path: Path, lines: int = CONSOLE_LOG_TAIL) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def console_error(name: str, line: str) -> None:
    print(f"[{name}] {line}", file=sys.stderr, flush=True)


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # before anything is written: children inherit it
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env-file", type=Path, default=ENV_FILE)
    parser.add_argument("--log-dir", type=Path, default=LOG_DIR)
    parser.add_argument("--crm-port", type=int, default=8000)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--rasa-port", type=int, default=5005)
    args = parser.parse_args(argv)
    # Ctrl-C, `kill` and a closed terminal all stop every child, even where the shell that
    # started us made SIGINT ignored (background jobs).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)

    env = settings_env(args.env_file)
    redactor = Redactor(env)
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter(redactor))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", handlers=[handler])
    make_private([*(ROOT / name for name in PRIVATE_PATHS), args.env_file, args.log_dir, *sqlite_files(env)])

    print("Preparing Concierge (full logs in " + str(args.log_dir) + "):", flush=True)
    admin = ["--email", CONSOLE_ADMIN_EMAIL, "--name", "Console admin", "--role", "admin", "--if-missing"]
    prepare(
        [
            ("database schema", ["-m", "crm_backend", "migrate"], env),
            ("demo shop data", ["-m", "crm_backend", "seed-demo", "--if-empty"], env),
            ("customer scores", ["-m", "crm_backend", "insights", "run", "--if-missing"], env),
            (
                "console admin",
                ["-m", "crm_backend", "create-agent", *admin],
                {**env, "AGENT_PASSWORD": env["CONSOLE_ADMIN_PASSWORD"]},
            ),
        ],
        args.log_dir / "setup.log",
        redactor,
    )
    config = StackConfig(
        env=env,
        crm_port=args.crm_port,
        actions_port=args.actions_port,
        rasa_port=args.rasa_port,
        log_dir=args.log_dir,
        console=console_error,
    )
    stack = Stack(config)
    try:
        # The Telegram bridge runs only when a bot token is configured (from @BotFather).
        telegram = ("telegram",) if env.get("TELEGRAM_BOT_TOKEN") or os.environ.get("TELEGRAM_BOT_TOKEN") else ()
        names = ("crm", "worker", "actions", "rasa", *telegram)
        print(f"Starting {', '.join(names)} (Rasa loads its model in about a minute)...", flush=True)
        commands, child_env = stack.commands(), stack.child_env()
        for name in names:
            stack.start_process(name, commands[name], child_env)
        deadline = time.monotonic() + 300
        for name in names:
            stack.wait_healthy(name, deadline)
            print(f"  {name} ready", flush=True)
        bridge_line = "  Telegram bridge      on (link codes: python -m crm_backend link-code --customer N)\n"
        bridge_line = bridge_line if telegram else ""
        print(
            "\nConcierge is running:\n"
            f"  Rasa (REST channel)  {config.rasa_url}/webhooks/rest/webhook\n"
            f"  Action server        {config.actions_url}  (answers Rasa only: ACTION_SERVER_TOKEN)\n"
            f"  CRM service          {config.crm_url}  (API docs: {config.crm_url}/docs)\n"
            f"  Demo shop + widget   {config.crm_url}/demo/\n"
            f"  Agent console        {config.crm_url}/console  ({CONSOLE_ADMIN_EMAIL}; password: "
            "CONSOLE_ADMIN_PASSWORD in .env)\n"
            f"{bridge_line}"
            "  Job worker           on (retraining queued in the console)\n"
            f"  Logs                 {args.log_dir}/<process>.log\n"
            "Get a demo customer's token with `make token`; see the README for a curl example.\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(1)
        dead = [name for name, process in stack.processes.items() if process.poll() is not None]
        for name in dead:
            print(f"--- last lines of {args.log_dir / (name + '.log')}:\n{log_tail(args.log_dir / (name + '.log'))}")
        print(f"error: {', '.join(dead)} stopped unexpectedly; stopping the rest.", file=sys.stderr)
        return 1
    except (RuntimeError, TimeoutError) as error:  # a process did not come up: its log tail is in the message
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Concierge...", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
