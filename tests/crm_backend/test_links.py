"""Linking chat identities with one-time codes, per-message tokens and the outbox, on SQLite and PostgreSQL."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from crm_backend.core.security import verify_customer_token
from crm_backend.customers.models import ChannelIdentity
from crm_backend.handoff.models import OutboundMessage
from crm_backend.links.models import LinkCode
from crm_backend.links.service import (
    CODE_ALPHABET,
    CODE_LENGTH,
    LinkThrottle,
    code_digest,
    issue_link_code,
)

_identities = itertools.count(1)


@pytest.fixture
def service_headers(crm_settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {crm_settings.bot_service_token.get_secret_value()}"}


@pytest.fixture
def external_id(request) -> str:
    """A chat identity of its own for each test (the failure counter lives as long as the app)."""
    return f"test-links-{next(_identities)}"


@pytest.fixture
def new_code(client):
    """Issue a code in its own committed transaction, as the CLI does."""

    def issue(customer_id: int = 1, ttl: int = 600, now: datetime | None = None, channel: str = "telegram") -> str:
        with client.app.state.session_factory() as db_session:
            code = issue_link_code(db_session, customer_id, channel, ttl, now=now)
            db_session.commit()
        return code

    return issue


@pytest.fixture(autouse=True, scope="module")
def _clean_up(client):
    """Leave the shared seeded database as the other modules expect it."""
    yield
    with client.app.state.session_factory() as db_session:
        db_session.execute(delete(ChannelIdentity).where(ChannelIdentity.external_id.like("test-links-%")))
        db_session.execute(delete(LinkCode))
        db_session.execute(delete(OutboundMessage).where(OutboundMessage.conversation_id.like("test-links-%")))
        db_session.commit()


def redeem(client, headers, external_id: str, code: str, channel: str = "telegram"):
    body = {"channel": channel, "external_id": external_id, "code": code}
    return client.post("/bot/links/redeem", json=body, headers=headers)


def channel_token(client, headers, external_id: str):
    return client.post("/bot/channel-token", json={"channel": "telegram", "external_id": external_id}, headers=headers)


def test_codes_are_long_unambiguous_and_stored_only_as_their_hash(client, new_code, db_session):
    code = new_code(customer_id=3)
    assert len(code) == CODE_LENGTH >= 8
    assert set(code) <= set(CODE_ALPHABET) and not set("0O1IL") & set(CODE_ALPHABET)
    row = db_session.scalars(select(LinkCode).where(LinkCode.code_hash == code_digest(code))).one()
    assert row.customer_id == 3 and row.channel == "telegram" and row.used_at is None
    assert all(code not in str(value) for value in (row.code_hash, row.channel, row.id))


def test_redeeming_links_the_identity_and_channel_tokens_vouch_for_the_customer(
    client, service_headers, new_code, external_id, crm_settings
):
    assert channel_token(client, service_headers, external_id).status_code == 404
    response = redeem(client, service_headers, external_id, new_code(customer_id=1))
    assert response.status_code == 200
    assert response.json() == {"customer_id": 1, "first_name": "Ada"}

    answer = channel_token(client, service_headers, external_id)
    assert answer.status_code == 200
    body = answer.json()
    assert body["customer_id"] == 1
    secret = crm_settings.customer_token_secret.get_secret_value()
    assert verify_customer_token(body["customer_token"], secret=secret) == 1
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert timedelta(0) < expires_at - datetime.now(UTC) <= timedelta(seconds=300)


def test_codes_work_once(client, service_headers, new_code, external_id):
    code = new_code(customer_id=2)
    assert redeem(client, service_headers, external_id, code).status_code == 200
    again = redeem(client, service_headers, f"{external_id}-other", code)
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "used_code"
    assert channel_token(client, service_headers, f"{external_id}-other").status_code == 404


def test_typed_codes_are_normalised(client, service_headers, new_code, external_id):
    code = new_code(customer_id=2)
    typed = f" {code[:5].lower()}-{code[5:]} "
    assert redeem(client, service_headers, external_id, typed).json()["first_name"] != ""


def test_expired_codes_are_refused(client, service_headers, new_code, external_id):
    code = new_code(customer_id=1, ttl=60, now=datetime.now(UTC) - timedelta(minutes=5))
    response = redeem(client, service_headers, external_id, code)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "expired_code"
    assert channel_token(client, service_headers, external_id).status_code == 404


@pytest.mark.parametrize(("code", "status"), [("ABCDEFGHJK", 404), ("short", 400), ("0O1IL0O1IL", 400)])
def test_unknown_and_malformed_codes_are_invalid(client, service_headers, external_id, code, status):
    response = redeem(client, service_headers, external_id, code)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "invalid_code"


def test_a_code_for_another_channel_is_invalid(client, service_headers, new_code, external_id):
    response = redeem(client, service_headers, external_id, new_code(channel="telegram"), channel="whatsapp")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_code"


def test_five_wrong_codes_block_the_identity_even_for_a_valid_code(client, service_headers, new_code, external_id):
    for _ in range(5):
        assert redeem(client, service_headers, external_id, "ABCDEFGHJK").status_code == 404
    blocked = redeem(client, service_headers, external_id, new_code())
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    # Someone else is not affected.
    assert redeem(client, service_headers, f"{external_id}-other", new_code()).status_code == 200


def test_link_throttle_window_and_global_cap():
    throttle = LinkThrottle(max_per_identity=2, max_global=3, window_seconds=60)
    throttle.record_failure("telegram", "a", now=0)
    throttle.record_failure("telegram", "a", now=1)
    assert throttle.is_blocked("telegram", "a", now=2)
    assert not throttle.is_blocked("telegram", "b", now=2)
    assert not throttle.is_blocked("telegram", "a", now=61)  # the window has passed
    throttle.record_failure("telegram", "c", now=62)
    throttle.record_failure("telegram", "d", now=62)
    assert not throttle.is_blocked("telegram", "e", now=63)
    throttle.record_failure("telegram", "e", now=63)
    assert throttle.is_blocked("telegram", "f", now=64)  # 3 failures within the window in total


def test_relinking_moves_the_identity_and_unlink_forgets_it(client, service_headers, new_code, external_id):
    assert redeem(client, service_headers, external_id, new_code(customer_id=1)).status_code == 200
    assert redeem(client, service_headers, external_id, new_code(customer_id=2)).json()["customer_id"] == 2
    assert channel_token(client, service_headers, external_id).json()["customer_id"] == 2

    assert client.delete(f"/bot/links/telegram/{external_id}", headers=service_headers).status_code == 204
    assert channel_token(client, service_headers, external_id).json()["error"]["code"] == "not_linked"
    again = client.delete(f"/bot/links/telegram/{external_id}", headers=service_headers)
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_linked"


def test_outbox_lists_undelivered_messages_oldest_first(client, service_headers, db_session):
    now = datetime.now(UTC)
    rows = [
        OutboundMessage(conversation_id="test-links-c", channel="telegram", text="second", created_at=now),
        OutboundMessage(
            conversation_id="test-links-c", channel="telegram", text="first", created_at=now - timedelta(seconds=5)
        ),
        OutboundMessage(conversation_id="test-links-w", channel="web", text="not for telegram", created_at=now),
    ]
    db_session.add_all(rows)
    db_session.commit()
    listed = client.get("/bot/outbox", params={"channel": "telegram", "limit": 50}, headers=service_headers).json()
    mine = [item for item in listed if item["conversation_id"].startswith("test-links-")]
    assert [item["text"] for item in mine] == ["first", "second"]
    assert set(mine[0]) == {"id", "conversation_id", "channel_address", "text", "buttons"}

    for _ in range(2):  # asking twice is harmless
        response = client.post(f"/bot/outbox/{mine[0]['id']}/delivered", headers=service_headers)
        assert response.status_code == 204
    listed = client.get("/bot/outbox", params={"channel": "telegram"}, headers=service_headers).json()
    assert [item["text"] for item in listed if item["conversation_id"].startswith("test-links-")] == ["second"]
    assert client.post("/bot/outbox/999999/delivered", headers=service_headers).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/bot/channel-token", {"channel": "telegram", "external_id": "1"}),
        ("POST", "/bot/links/redeem", {"channel": "telegram", "external_id": "1", "code": "ABCDEFGHJK"}),
        ("DELETE", "/bot/links/telegram/1", None),
        ("GET", "/bot/outbox?channel=telegram", None),
        ("POST", "/bot/outbox/1/delivered", None),
    ],
)
def test_channel_endpoints_need_the_service_token(client, method, path, body):
    response = client.request(method, path, json=body, headers={"Authorization": "Bearer wrong-token"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_service_token"
