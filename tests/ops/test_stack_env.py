"""ops/stack.py gives each process only what it may see (as docker-compose.yml does), and its
output reaches the log redacted."""

import json
import sys
import time

from ops.stack import Stack, StackConfig

SETTINGS = {
    "DATABASE_URL": "sqlite:///var/crm.db",
    "TRACKER_DB_URL": "sqlite:///var/tracker.db",
    "CUSTOMER_TOKEN_SECRET": "c" * 40,
    "BOT_SERVICE_TOKEN": "b" * 40,
    "RASA_API_TOKEN": "r" * 40,
    "REST_CHANNEL_TOKEN": "t" * 40,
}
PRINT_ENV = [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"]


def environment_seen(stack: Stack, name: str) -> dict[str, str]:
    stack.start_process(name, PRINT_ENV, stack.child_env())
    stack.processes[name].wait(timeout=30)
    log = stack.config.log_dir / f"{name}.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not log.read_text().strip():
        time.sleep(0.1)
    return json.loads(log.read_text())


def test_the_action_server_and_the_bridge_see_no_database_or_customer_token_key(tmp_path):
    stack = Stack(StackConfig(env=SETTINGS, log_dir=tmp_path, console=None))
    seen = {name: environment_seen(stack, name) for name in ("actions", "telegram", "telegram-webhook", "crm")}
    for name in ("actions", "telegram", "telegram-webhook"):
        assert not {"DATABASE_URL", "TRACKER_DB_URL", "CUSTOMER_TOKEN_SECRET", "RASA_API_TOKEN"} & set(seen[name]), name
        assert seen[name]["BOT_SERVICE_TOKEN"] == "[redacted]"  # present, and redacted in the log
    assert seen["actions"]["ACTION_SERVER_TOKEN"] == "[redacted]" and "REST_CHANNEL_TOKEN" not in seen["actions"]
    assert "ACTION_SERVER_TOKEN" not in seen["telegram"] and seen["telegram"]["REST_CHANNEL_TOKEN"] == "[redacted]"
    assert (
        seen["crm"]["DATABASE_URL"] == SETTINGS["DATABASE_URL"] and seen["crm"]["CUSTOMER_TOKEN_SECRET"] == "[redacted]"
    )
