"""Children's output (ops/logs.py): every line is redacted before it is stored or shown, the
full output goes to a private log file, and the console gets only real errors."""

import io
import os
import stat

import pytest

from ops.logs import REDACTED, Redactor, is_console_worthy, open_private, pump

ENV = {
    "RASA_API_TOKEN": "-rasa-token-3f9a8b7c6d5e",
    "CUSTOMER_TOKEN_SECRET": "s3cr3t-for-customers-0123456789abcdef",
    "CONSOLE_ADMIN_PASSWORD": "admin-password-xyz",
    "DATABASE_URL": "postgresql+psycopg://concierge:pg-password-123@db:5432/crm",
    "LOCK_STORE_TYPE": "in_memory",
    "SHORT_TOKEN": "abc",
}


@pytest.mark.attack("secrets_in_argv_and_logs")
def test_secret_values_and_token_shapes_are_redacted():
    redact = Redactor(ENV)
    lines = {
        "rasa run --auth-token=-rasa-token-3f9a8b7c6d5e --port 5005": "rasa run --auth-token=[redacted] --port 5005",
        "GET /status?token=anything-else&x=1 200": "GET /status?token=[redacted]&x=1 200",
        "Authorization: Bearer abc.def-ghi": "Authorization: Bearer [redacted]",
        "connecting to postgresql+psycopg://concierge:pg-password-123@db:5432/crm": (
            "connecting to postgresql+psycopg://concierge:[redacted]@db:5432/crm"
        ),
        "secret s3cr3t-for-customers-0123456789abcdef and admin-password-xyz": f"secret {REDACTED} and {REDACTED}",
        "in_memory lock store; abc is fine": "in_memory lock store; abc is fine",
    }
    for line, expected in lines.items():
        assert redact(line) == expected


def test_only_real_errors_reach_the_console():
    noise = [
        "2026-12-02 01:00:00 WARNING  rasa.shared.utils.common  - The UnexpecTED Intent Policy is experimental",
        "/usr/lib/python3.10/site-packages/tensorflow/__init__.py:29: DeprecationWarning: distutils is deprecated",
        "INFO:     Application startup complete.",
        "  warnings.warn(",
    ]
    errors = [
        "2026-12-02 01:00:00 ERROR    rasa.core.actions.action  - Failed to run custom action",
        "Traceback (most recent call last):",
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked",
    ]
    assert [line for line in noise + errors if is_console_worthy(line)] == errors


@pytest.mark.attack("secrets_in_argv_and_logs")
def test_pump_writes_the_full_redacted_log_privately_and_only_errors_to_the_console(tmp_path):
    os.umask(0o022)
    lines = [f"INFO chatter {n} with -rasa-token-3f9a8b7c6d5e\n" for n in range(300)]
    lines.insert(150, "ERROR something broke for -rasa-token-3f9a8b7c6d5e\n")
    shown: list[tuple[str, str]] = []
    log_path = tmp_path / "log" / "rasa.log"
    thread = pump(
        "rasa", io.BytesIO("".join(lines).encode()), Redactor(ENV), open_private(log_path), lambda *a: shown.append(a)
    )
    thread.join(timeout=10)
    assert shown == [("rasa", f"ERROR something broke for {REDACTED}")]
    text = log_path.read_text()
    assert len(text.splitlines()) == 301 and "-rasa-token-3f9a8b7c6d5e" not in text
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600 and stat.S_IMODE(log_path.parent.stat().st_mode) == 0o700
