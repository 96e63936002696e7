"""Concierge stacks for benchmarks and reliability tests, and a bare `rasa init` assistant.

`concierge_stack()` prepares a seeded CRM database and a credentials file whose REST channel
is `bot.channels.reliable_rest.ReliableRestInput`, then returns an `ops.stack.Stack` on free
ports (not started). `BareRasa` trains and serves the assistant of `rasa init` for comparison.
"""

import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select

from ops.stack import RASA_BIN, ROOT, Stack, StackConfig, free_port, run_app_command

logger = logging.getLogger(__name__)

RELIABLE_CREDENTIALS = """\
bot.channels.reliable_rest.ReliableRestInput:
  max_message_chars: 4000
"""


class ConciergeStack(Stack):
    """`ops.stack.Stack` with another credentials file and extra Rasa arguments."""

    credentials: Path | None = None
    rasa_extra: tuple[str, ...] = ()

    def commands(self) -> dict[str, list[str]]:
        commands = super().commands()
        rasa = commands["rasa"]
        if self.credentials is not None:
            rasa[rasa.index("--credentials") + 1] = str(self.credentials)
        rasa.extend(self.rasa_extra)
        return commands

    def start_extra_rasa(self, name: str, port: int, timeout: float = 300.0) -> str:
        """Another Rasa server with the same model, endpoints and environment; returns its URL."""
        command = self.commands()["rasa"]
        command[command.index("--port") + 1] = str(port)
        self.extra_rasa = {**getattr(self, "extra_rasa", {}), name: port}
        self.start_process(name, command, self.child_env())
        self.wait_healthy(name, time.monotonic() + timeout)
        return f"http://{self.config.host}:{port}"

    def health_url(self, name: str) -> str:
        port = getattr(self, "extra_rasa", {}).get(name)
        if port is None:
            return super().health_url(name)
        return f"http://{self.config.host}:{port}/status?token={self.child_env()['RASA_API_TOKEN']}"

    def restart(self, name: str, timeout: float = 240.0) -> float:
        """Start a killed process again; seconds until it answered its health check."""
        started = time.monotonic()
        self.start_process(name, self.commands()[name], self.child_env())
        self.wait_healthy(name, started + timeout)
        return time.monotonic() - started


def fresh_secrets() -> dict[str, str]:
    return {
        "BOT_SERVICE_TOKEN": secrets.token_urlsafe(32),
        "CUSTOMER_TOKEN_SECRET": secrets.token_urlsafe(32),
        "RASA_API_TOKEN": secrets.token_urlsafe(16),
    }


def concierge_stack(
    work: Path,
    *,
    tracker_db_url: str | None = None,
    env: dict[str, str] | None = None,
    reliable_channel: bool = True,
    seed_as_of: str | None = None,
    with_insights: bool = False,
) -> ConciergeStack:
    """A seeded CRM (SQLite in `work`) and a Stack on free ports, ready to `start()`.

    `with_insights` also runs the analytics job (as `make run` does), so recommendations
    and greetings are personalised from the customers' scores (about 15 s).
    """
    work.mkdir(parents=True, exist_ok=True)
    full_env = {
        **fresh_secrets(),
        "DATABASE_URL": f"sqlite:///{work / 'crm.db'}",
        "TRACKER_DB_URL": tracker_db_url or f"sqlite:///{work / 'tracker.db'}",
        "LOCK_STORE_TYPE": "in_memory",
        "LOCK_STORE_URL": "",
        **(env or {}),
    }
    run_app_command(["-m", "crm_backend", "migrate"], full_env)
    seed = ["-m", "crm_backend", "seed-demo"] + (["--as-of", seed_as_of] if seed_as_of else [])
    run_app_command(seed, full_env)
    if with_insights:
        run_app_command(["-m", "crm_backend", "insights", "run"], full_env)
    config = StackConfig(
        env=full_env,
        crm_port=free_port(),
        actions_port=free_port(),
        rasa_port=free_port(),
        log_dir=work / "logs",
    )
    stack = ConciergeStack(config)
    if reliable_channel:
        stack.credentials = work / "credentials.yml"
        stack.credentials.write_text(RELIABLE_CREDENTIALS)
    return stack


@dataclass
class DemoCustomer:
    id: int
    first_name: str
    orders: list[str]


def demo_customers(database_url: str, limit: int = 50) -> list[DemoCustomer]:
    """Real customers of the seeded CRM with their real order numbers."""
    from crm_backend.customers.models import Customer
    from crm_backend.orders.models import Order

    engine = create_engine(database_url)
    with engine.connect() as connection:
        customers = connection.execute(
            select(Customer.id, Customer.first_name).order_by(Customer.id).limit(limit)
        ).all()
        orders = connection.execute(select(Order.customer_id, Order.number).order_by(Order.placed_at.desc())).all()
    engine.dispose()
    by_customer: dict[int, list[str]] = {}
    for customer_id, number in orders:
        by_customer.setdefault(customer_id, []).append(number)
    return [DemoCustomer(cid, name, by_customer.get(cid, [])[:5]) for cid, name in customers if by_customer.get(cid)]


@dataclass
class BareRasa:
    """The assistant of `rasa init --no-prompt`, trained in a temporary directory and served."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bare-rasa-")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, cache: Path | None = None) -> Path:
        """Create and train the project (or reuse a model cached from an earlier run)."""
        model = self.workdir / "models" / "bare.tar.gz"
        if cache is not None and cache.exists():
            model.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(cache, model)
            return model
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
        subprocess.run(
            [str(RASA_BIN), "init", "--no-prompt", "--init-dir", str(self.workdir)],
            cwd=self.workdir,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        trained = sorted((self.workdir / "models").glob("*.tar.gz"))[-1]
        trained.rename(model)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(model, cache)
        return model

    def start(self, model: Path, timeout: float = 240.0) -> None:
        # Rasa's defaults: our server's thread limits (ops/stack.py) made this bot slower
        # (40 instead of ~48 messages/s), so they would flatter the comparison.
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
        log = open(self.workdir / "rasa.log", "ab")  # noqa: SIM115 - lives with the child
        # --enable-api (no token, 127.0.0.1 only): the duplicate check reads the trackers.
        command = [str(RASA_BIN), "run", "--model", str(model), "--interface", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--enable-api"],
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bare Rasa exited; see {self.workdir / 'rasa.log'}")
            try:
                if httpx.get(f"{self.url}/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError("bare Rasa did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


__all__ = ["ROOT", "BareRasa", "ConciergeStack", "DemoCustomer", "concierge_stack", "demo_customers"]
