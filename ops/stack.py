"""Start and stop Concierge's processes together: CRM service, action server and Rasa.

`make run` uses it to run the assistant on localhost; the end-to-end tests use it to run
the very same processes on free ports. Each child gets its own process group and dies
with its parent, so Ctrl-C (or a crashed runner) leaves no orphans. No secret is passed on a
command line (the Rasa and action-server launchers read theirs from the environment), and every
line a child writes is redacted before it reaches a log file or the console (ops/logs.py).
"""

import ctypes
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ops.logs import Redactor, open_private, pump

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
RASA_LAUNCHER = "bot.launch"
DEFAULT_MODEL = ROOT / "models" / "concierge.tar.gz"
# Secrets the processes of one stack share (Rasa's channels, the Telegram bridge, the action
# server); a stack whose environment lacks one generates it once, for all its children.
SHARED_SECRETS = ("CONVERSATION_ID_SECRET", "REST_CHANNEL_TOKEN", "ACTION_SERVER_TOKEN")


# The Rasa server answers one message at a time per process: BLAS and TensorFlow thread
# pools only spin against the other processes (a parse cost 42 ms of CPU with two BLAS
# threads, 26 ms with one, on two cores). Values set by the user win.
RASA_SERVER_THREADS = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}


# What a process must not see, as in docker-compose.yml: the action server and the Telegram
# bridge reach the CRM only through /bot/*, so no database, customer-token key or Rasa API token.
_NOT_FOR_CRM_CLIENTS = ("DATABASE_URL", "TRACKER_DB_URL", "CUSTOMER_TOKEN_SECRET", "CONSOLE_ADMIN_PASSWORD",
                        "RASA_API_TOKEN")  # fmt: skip
WITHHELD_SECRETS = {
    "actions": (*_NOT_FOR_CRM_CLIENTS, "CONVERSATION_ID_SECRET", "REST_CHANNEL_TOKEN", "TELEGRAM_BOT_TOKEN"),
    "telegram": (*_NOT_FOR_CRM_CLIENTS, "ACTION_SERVER_TOKEN"),
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """Run in the child before exec: own process group, SIGTERM when the parent dies."""
    os.setsid()
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def print_line(name: str, line: str) -> None:
    """The default console: a child's (redacted) line on stderr, prefixed by its name."""
    print(f"[{name}] {line}", file=sys.stderr, flush=True)


@dataclass
class StackConfig:
    """Where each part listens and what it uses. Secrets come from `env`."""

    env: Mapping[str, str]
    crm_port: int = 8000
    actions_port: int = 5055
    rasa_port: int = 5005
    host: str = "127.0.0.1"
    model: Path = DEFAULT_MODEL
    # Each child's full, redacted output goes to log_dir/<name>.log; `console` then gets only its
    # errors. Without log_dir, `console` gets every line.
    log_dir: Path | None = None
    console: Callable[[str, str], None] | None = print_line

    @property
    def crm_url(self) -> str:
        return f"http://{self.host}:{self.crm_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"


@dataclass
class Stack:
    """The running processes of one Concierge instance."""

    config: StackConfig
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    generated_secrets: dict[str, str] = field(
        default_factory=lambda: {name: secrets.token_urlsafe(32) for name in SHARED_SECRETS}
    )

    def child_env(self) -> dict[str, str]:
        env = {**os.environ, **self.config.env}
        env.update({name: value for name, value in self.generated_secrets.items() if not env.get(name)})
        env.update(
            CRM_URL=self.config.crm_url,
            RASA_URL=self.config.rasa_url,
            ACTION_ENDPOINT_URL=f"{self.config.actions_url}/webhook",
            ACTION_SERVER_HOST=self.config.host,
            RASA_TELEMETRY_ENABLED="false",
            PYTHONUNBUFFERED="1",
        )
        env.setdefault("LOCK_STORE_TYPE", "in_memory")
        env.setdefault("LOCK_STORE_URL", "")
        env.setdefault("WIDGET_SOCKET_URL", self.config.rasa_url)
        env.setdefault("WIDGET_ORIGINS", f"{self.config.crm_url} http://localhost:{self.config.crm_port}")
        return env

    def commands(self) -> dict[str, list[str]]:
        c = self.config
        return {
            # The Telegram bridge (only when TELEGRAM_BOT_TOKEN is set; see ops/run.py).
            "telegram": [str(APP_PYTHON), "-m", "channels.telegram"],
            # Runs queued jobs (retraining) outside the web process.
            "worker": [str(APP_PYTHON), "-m", "crm_backend", "jobs", "work"],
            "crm": [
                str(APP_PYTHON),
                "-m",
                "uvicorn",
                "crm_backend.main:create_app",
                "--factory",
                "--host",
                c.host,
                "--port",
                str(c.crm_port),
                "--no-access-log",
            ],
            # Our launcher of rasa_sdk: binds ACTION_SERVER_HOST and requires ACTION_SERVER_TOKEN.
            "actions": [str(APP_PYTHON), "-m", "actions.server", "--port", str(c.actions_port)],
            # Our launcher of `rasa run`: it adds the API token from RASA_API_TOKEN in-process.
            "rasa": [
                str(RASA_PYTHON),
                "-m",
                RASA_LAUNCHER,
                "run",
                "--model",
                str(c.model),
                "--endpoints",
                "bot/endpoints.yml",
                "--credentials",
                "bot/credentials.yml",
                "--interface",
                c.host,
                "--port",
                str(c.rasa_port),
                "--enable-api",
                # Browsers may open the widget's socket.io connection from these origins.
                "--cors",
                *self.child_env()["WIDGET_ORIGINS"].split(),
            ],
        }

    def start(self, names: tuple[str, ...] = ("crm", "actions", "rasa"), timeout: float = 240.0) -> None:
        """Start the named processes and wait until each answers its health check."""
        env = self.child_env()
        commands = self.commands()
        for name in names:
            self.start_process(name, commands[name], env)
        deadline = time.monotonic() + timeout
        for name in names:
            self.wait_healthy(name, deadline)

    def start_process(self, name: str, command: list[str], env: Mapping[str, str]) -> None:
        log = open_private(self.config.log_dir / f"{name}.log") if self.config.log_dir is not None else None
        if RASA_LAUNCHER in command:
            env = {**RASA_SERVER_THREADS, **env}
        kind = name.split("-")[0]  # telegram-webhook is a Telegram bridge too
        env = {key: value for key, value in env.items() if key not in WITHHELD_SECRETS.get(kind, ())}
        redactor = Redactor(env)
        logger.info("starting %s: %s", name, redactor(" ".join(command)))
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self.processes[name] = process
        pump(name, process.stdout, redactor, log, self.config.console)

    def health_url(self, name: str) -> str | None:
        """None for processes without an HTTP endpoint (the Telegram bridge polls Telegram; the
        job worker polls the CRM database)."""
        token = self.child_env()["RASA_API_TOKEN"]
        return {
            "crm": f"{self.config.crm_url}/health",
            "actions": f"{self.config.actions_url}/health",
            "rasa": f"{self.config.rasa_url}/status?token={token}",
        }.get(name)

    def wait_healthy(self, name: str, deadline: float) -> None:
        url = self.health_url(name)
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with code {process.returncode} before it was ready{self._log_hint(name)}"
                )
            if url is None:
                return
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{name} did not become healthy at {url}{self._log_hint(name)}")

    def _log_hint(self, name: str) -> str:
        if self.config.log_dir is None:
            return ""
        log = (self.config.log_dir / f"{name}.log").read_text(errors="replace")
        return f"; last log lines:\n{log[-3000:]}"

    def kill(self, name: str) -> None:
        """SIGKILL one process group at once (fault tests)."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self, grace_seconds: float = 10.0) -> None:
        """SIGTERM every process group, then SIGKILL what is still alive."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s ignored SIGTERM; killing it", name)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def run_app_command(args: list[str], env: Mapping[str, str]) -> None:
    """Run `python -m ...` in the app environment, failing loudly."""
    subprocess.run([str(APP_PYTHON), *args], cwd=ROOT, env={**os.environ, **env}, check=True)


if __name__ == "__main__":  # pragma: no cover - see ops/run.py
    sys.exit("use: python -m ops.run")
