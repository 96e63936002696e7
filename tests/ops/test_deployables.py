"""Deployables match folders: each service gets only its own secrets, each image installs only
its runtime lock (no test or lint tools), and the locks match the environments they pin."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ops.stack import ROOT

SECRETS = {
    "POSTGRES_PASSWORD", "BOT_SERVICE_TOKEN", "CUSTOMER_TOKEN_SECRET", "RASA_API_TOKEN",
    "ACTION_SERVER_TOKEN", "CONVERSATION_ID_SECRET", "REST_CHANNEL_TOKEN", "TELEGRAM_BOT_TOKEN",
}  # fmt: skip
# Settings that carry a secret inside their value (a database URL holds the password).
SECRET_BEARING = {"DATABASE_URL", "TRACKER_DB_URL"}
EXPECTED = {
    "crm": {"DATABASE_URL", "TRACKER_DB_URL", "BOT_SERVICE_TOKEN", "CUSTOMER_TOKEN_SECRET", "RASA_API_TOKEN"},
    "actions": {"BOT_SERVICE_TOKEN", "ACTION_SERVER_TOKEN"},
    "rasa": {"TRACKER_DB_URL", "RASA_API_TOKEN", "ACTION_SERVER_TOKEN", "CONVERSATION_ID_SECRET", "REST_CHANNEL_TOKEN"},
    "telegram": {"BOT_SERVICE_TOKEN", "CONVERSATION_ID_SECRET", "REST_CHANNEL_TOKEN", "TELEGRAM_BOT_TOKEN"},
}
DEV_TOOLS = {"pytest", "pytest-asyncio", "ruff", "playwright", "schemathesis", "hypothesis", "py-spy"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def secrets_of(service: dict) -> set[str]:
    """The secrets a service can read: secret settings, and settings whose value embeds one."""
    found = set()
    for name, value in (service.get("environment") or {}).items():
        embedded = set(re.findall(r"\$\{([A-Z_]+)", str(value))) & SECRETS
        if name in SECRETS or name in SECRET_BEARING or embedded:
            found.add(name)
    return found


def test_each_service_gets_only_its_own_secrets(compose):
    services = compose["services"]
    assert {name: secrets_of(services[name]) for name in EXPECTED} == EXPECTED
    for name in ("telegram", "actions"):
        environment = services[name]["environment"]
        assert "CUSTOMER_TOKEN_SECRET" not in environment and "DATABASE_URL" not in environment
        assert "POSTGRES_PASSWORD" not in str(environment)


def test_no_secret_on_a_command_line(compose):
    for name, service in compose["services"].items():
        command = " ".join(service.get("command") or []) if isinstance(service.get("command"), list) else ""
        command = command or str(service.get("command") or "")
        assert "--auth-token" not in command, name
        assert not set(re.findall(r"\$\{([A-Z_]+)", command)) & SECRETS, name
    assert "bot.launch" in compose["services"]["rasa"]["command"]
    assert compose["services"]["actions"]["command"][:3] == ["python", "-m", "actions.server"]


def locked_names(lock: Path) -> set[str]:
    lines = [line.split("==")[0].lower() for line in lock.read_text().splitlines() if "==" in line]
    return set(lines)


def test_images_install_only_their_runtime_lock(compose):
    app_dockerfile = (ROOT / "docker" / "app.Dockerfile").read_text()
    assert "-r requirements/${LOCK}.lock" in app_dockerfile
    for name in ("crm", "actions", "telegram"):
        lock = compose["services"][name]["build"]["args"]["LOCK"]
        assert lock == name and not locked_names(ROOT / "requirements" / f"{lock}.lock") & DEV_TOOLS
    rasa_dockerfile = (ROOT / "docker" / "rasa.Dockerfile").read_text()
    assert re.findall(r"-r (\S+)", rasa_dockerfile) == ["requirements/rasa.lock"]
    assert not locked_names(ROOT / "requirements" / "rasa.lock") & DEV_TOOLS


def test_locks_are_complete_for_this_environment():
    """Every lock holds its .in file's requirements and all they need, at the installed versions."""
    check = subprocess.run(
        [sys.executable, "-m", "ops.locks", "crm", "actions", "telegram", "dev", "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    rasa = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "ops.locks", "rasa", "rasa-dev", "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert rasa.returncode == 0, rasa.stderr


def test_the_crm_never_reads_the_bot_or_starts_processes():
    """The CRM is deployed without bot/ and nlu_data/; only its job worker runs a command."""
    reads_bot, starts_processes = [], []
    for path in sorted((ROOT / "crm_backend").rglob("*.py")):
        text, name = path.read_text(), str(path.relative_to(ROOT))
        if re.search(
            r"""["'](bot/domain|nlu_data/)|["']bot["']\s*/\s*["']domain["']|parents\[\d\]\s*/\s*["']bot""", text
        ):
            reads_bot.append(name)
        if re.search(r"^\s*(import subprocess|from subprocess)", text, re.MULTILINE):
            starts_processes.append(name)
    assert reads_bot == []
    assert starts_processes == ["crm_backend/annotations/jobs.py"]
