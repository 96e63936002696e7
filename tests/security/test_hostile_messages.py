"""Hostile input through the real message path: REST channel → Rasa → actions → CRM.

Property tests (bounded: Hypothesis examples are slow here, one Rasa turn each) post odd,
huge and malicious messages as customer A and check that nothing answers 5xx, Rasa stays up,
and no answer holds customer B's data or an evaluated template. Raw bodies (invalid UTF-8,
not JSON) and chunked bodies to the CRM are checked too.
"""

import re
import socket
import uuid
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.load.stack import ConciergeStack, concierge_stack, demo_customers
from crm_backend.core.security import issue_customer_token
from tests.conftest import DEMO_AS_OF
from tests.stack_fixtures import rest_headers

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 60


@pytest.fixture(scope="module")
def hostile_stack(tmp_path_factory) -> Iterator[ConciergeStack]:
    stack = concierge_stack(tmp_path_factory.mktemp("hostile"), seed_as_of=DEMO_AS_OF.isoformat())
    with stack:
        stack.start()
        yield stack


@pytest.fixture(scope="module")
def people(hostile_stack):
    customers = demo_customers(hostile_stack.config.env["DATABASE_URL"], limit=3)
    a, b = customers[0], customers[1]
    secret = hostile_stack.config.env["CUSTOMER_TOKEN_SECRET"]
    return a, b, issue_customer_token(a.id, secret=secret, ttl_seconds=3600)


@pytest.fixture(scope="module")
def b_secrets(hostile_stack, people) -> list[str]:
    from sqlalchemy import create_engine, text

    _, b, _ = people
    engine = create_engine(hostile_stack.config.env["DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT first_name, last_name, email FROM customers WHERE id = :id"), {"id": b.id}
        ).one()
    engine.dispose()
    return [f"{row.first_name} {row.last_name}", row.email, f"Hi {row.first_name}"]


def webhook(stack: ConciergeStack) -> str:
    return f"{stack.config.rasa_url}/webhooks/rest/webhook"


def post(stack, body: dict | bytes, timeout: float = 60.0) -> httpx.Response:
    headers = rest_headers(stack)  # the REST webhook is for trusted servers
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/json"
        return httpx.post(webhook(stack), content=body, headers=headers, timeout=timeout)
    return httpx.post(webhook(stack), json=body, headers=headers, timeout=timeout)


INJECTIONS = [
    "702733' OR '1'='1",
    "702733; DROP TABLE orders;--",
    "1 UNION SELECT email FROM customers",
    "{{7*7}}@example.com",
    "${7*7}",
    "{7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{first_name}",
    "{{config}}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
]
TEMPLATES = [
    "where is my order {}",
    "track order {}",
    "my email is {}",
    "I want to return order {}",
    "cancel order {}",
    "{}",
]
odd_text = st.one_of(
    st.just(""),
    st.text(alphabet=" \t\n\r", max_size=20),
    st.text(max_size=200),  # any code points, controls and surrogates included
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), max_size=50),
    st.sampled_from(
        ["مرحبا أين طلبي 702733", "שלום, איפה ההזמנה שלי", "\u202eredro ym si erehw", "👋🏽 where is my 📦?"]
    ),
    st.sampled_from(INJECTIONS),
    st.builds(lambda t, i: t.format(i), st.sampled_from(TEMPLATES), st.sampled_from(INJECTIONS)),
)


def assert_safe(reply: httpx.Response, message: str, b_secrets: list[str]) -> None:
    assert reply.status_code < 500, reply.text
    if reply.status_code != 200:
        assert reply.json()["error"]["code"]
        return
    texts = " ".join(item.get("text", "") for item in reply.json())
    leaked = [secret for secret in b_secrets if secret in texts]
    assert not leaked, f"customer B's data in the answer to {message!r}: {leaked}"
    for evaluated in ("49", "7777777"):
        if "7*7" in message and evaluated not in message:
            assert evaluated not in texts, f"a template was evaluated: {texts!r}"
    assert "Traceback" not in texts and "sqlalchemy" not in texts.lower()


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(message=odd_text, with_b_order=st.booleans())
def test_odd_messages_never_break_or_leak(hostile_stack, people, b_secrets, message, with_b_order):
    _a, b, token = people
    if with_b_order:
        message = f"{message} {b.orders[0]}"
    sender = f"hostile-{uuid.uuid4().hex[:8]}"
    reply = post(hostile_stack, {"sender": sender, "message": message, "metadata": {"customer_token": token}})
    assert_safe(reply, message, b_secrets)
    if reply.status_code == 200 and with_b_order:
        # B's order is as unknown as a missing one: no status, no name
        assert b.first_name not in " ".join(item.get("text", "") for item in reply.json())


@pytest.mark.attack("message_size")
def test_huge_message_is_refused_politely(hostile_stack, people, b_secrets):
    _, _, token = people
    message = "where is my order " * 6000  # ~100 kB
    reply = post(hostile_stack, {"sender": "hostile-huge", "message": message, "metadata": {"customer_token": token}})
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] in {"message_too_long", "body_too_large"}


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\xfa not utf-8",
        b'{"sender": "x", "message": "\xc3\x28"}',
        b"not json",
        b"[]",
        b"null",
        b'{"sender": 5, "message": "hi"}',
        b'{"sender": "hostile-raw", "message": {"$ne": 1}}',
        b'{"sender": "hostile-raw", "message": "hi", "metadata": "x"}',
        b'{"sender": "' + b"s" * 300 + b'", "message": "hi"}',
        b'{"sender": "hostile-raw", "message": "hi\\u0000there\\ud800"}',
        b"",
    ],
)
def test_raw_bodies_get_a_4xx_not_a_crash(hostile_stack, body):
    reply = post(hostile_stack, body)
    assert reply.status_code < 500, reply.text
    assert httpx.get(f"{hostile_stack.config.rasa_url}/", timeout=5).status_code == 200


def test_nul_and_surrogates_are_stored_cleanly(hostile_stack):
    from sqlalchemy import create_engine, text

    sender = f"hostile-nul-{uuid.uuid4().hex[:6]}"
    reply = post(hostile_stack, b'{"sender": "' + sender.encode() + b'", "message": "hel\\u0000lo\\ud800 there"}')
    assert reply.status_code == 200 and reply.json()
    engine = create_engine(hostile_stack.config.env["TRACKER_DB_URL"])
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"), {"s": sender}
        ).scalar_one()
    engine.dispose()
    assert "hello there" in stored


def test_chunked_oversized_body_is_refused_by_the_running_crm(hostile_stack):
    """Through uvicorn for real: a chunked body without Content-Length is counted too."""
    token = hostile_stack.config.env["BOT_SERVICE_TOKEN"]
    host, port = "127.0.0.1", hostile_stack.config.crm_port
    head = (
        f"POST /bot/tickets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    chunk = b" " * 16384
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(head)
        try:
            for _ in range(10):  # 160 kB > 64 kB
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the rest arrives
        answer = connection.recv(4096).decode(errors="replace")
    assert re.match(r"HTTP/1\.1 413", answer), answer
