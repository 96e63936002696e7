"""The real processes: Rasa server, action server and CRM service on free ports."""

from collections.abc import Iterator

import httpx
import pytest

from ops.stack import DEFAULT_MODEL, Stack, StackConfig, free_port
from tests.conftest import DEMO_AS_OF


@pytest.fixture(scope="session")
def e2e_stack(tmp_path_factory, test_secrets) -> Iterator[Stack]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` (make test does it for you).")
    work = tmp_path_factory.mktemp("stack")
    crm_db = f"sqlite:///{work / 'crm.db'}"
    env = {
        **test_secrets,
        "DATABASE_URL": crm_db,
        "TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}",
        "LOCK_STORE_TYPE": "in_memory",
        "LOCK_STORE_URL": "",
    }
    from ops.stack import run_app_command

    run_app_command(["-m", "crm_backend", "migrate"], env)
    run_app_command(["-m", "crm_backend", "seed-demo", "--as-of", DEMO_AS_OF.isoformat()], env)
    config = StackConfig(
        env=env, crm_port=free_port(), actions_port=free_port(), rasa_port=free_port(), log_dir=work / "logs"
    )
    with Stack(config) as stack:
        stack.start()
        yield stack


@pytest.fixture
def say(e2e_stack, request):
    """Send one message through Rasa's REST channel; returns the bot's texts."""
    sender = f"e2e-{request.node.name}"

    def send(message: str, token: str | None = None, sender_id: str = sender) -> list[str]:
        body: dict = {"sender": sender_id, "message": message}
        if token is not None:
            body["metadata"] = {"customer_token": token}
        response = httpx.post(f"{e2e_stack.config.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return [reply.get("text", "") for reply in response.json()]

    return send
