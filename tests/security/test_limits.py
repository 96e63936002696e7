"""Request size limits (declared and chunked bodies) and per-IP rate limits of the CRM."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crm_backend.core.limits import TokenBucket
from crm_backend.main import create_app


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_spends_its_burst_then_refills():
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a") == pytest.approx(0.5)
    assert bucket.take("b") == 0.0  # per key
    clock.now += 0.5
    assert bucket.take("a") == 0.0
    clock.now += 100
    assert [bucket.take("a") for _ in range(4)][-1] > 0  # never more than the burst


def test_a_zero_rate_turns_the_bucket_off():
    bucket = TokenBucket(rate=0, burst=1)
    assert all(bucket.take("a") == 0 for _ in range(100))


@pytest.fixture
def limited_client(security_settings) -> Iterator:
    def make(host: str = "203.0.113.7", **limits) -> TestClient:
        app = create_app(security_settings.model_copy(update=limits))
        clients.append(TestClient(app, client=(host, 40000)))
        return clients[-1]

    clients: list[TestClient] = []
    yield make
    for client in clients:
        client.app.state.engine.dispose()


def _chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b" " * part


@pytest.mark.parametrize("path", ["/api/auth/login", "/bot/tickets", "/api/tickets"])
def test_declared_oversized_body_is_refused_before_any_route(limited_client, path, service_headers):
    client = limited_client(max_body_bytes=1024)
    response = client.post(path, content=b"{" + b" " * 2000 + b"}", headers=service_headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    bogus = client.post(path, content=b"{}", headers={"Content-Length": "-1"})
    assert bogus.status_code in (400, 413)


@pytest.mark.parametrize("path", ["/api/auth/login", "/bot/tickets"])
def test_chunked_oversized_body_is_refused(limited_client, path, service_headers):
    client = limited_client(max_body_bytes=1024)
    response = client.post(path, content=_chunks(50_000), headers=service_headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_chunked_body_within_the_limit_reaches_the_route(limited_client, service_headers):
    client = limited_client(max_body_bytes=1024)
    body = b'{"category": "other", "subject": "chunked", "body": "hello"}'
    response = client.post(
        "/bot/tickets",
        content=iter([body[:10], body[10:]]),
        headers={**service_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text


def test_login_is_rate_limited_per_client_ip(limited_client):
    attacker = limited_client(rate_limit_login_per_minute=6, rate_limit_login_burst=3)
    wrong = {"email": "someone@agents.example.com", "password": "wrong password"}
    codes = [attacker.post("/api/auth/login", json=wrong).status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
    limited = attacker.post("/api/auth/login", json=wrong)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    # The bucket is the app's own and per IP: another address is not affected.
    other_app = attacker.app
    neighbour = TestClient(other_app, client=("198.51.100.9", 40000))
    assert neighbour.post("/api/auth/login", json=wrong).status_code == 401


def test_console_login_shares_the_login_bucket(limited_client):
    client = limited_client(rate_limit_login_per_minute=6, rate_limit_login_burst=3)
    wrong = {"email": "someone@agents.example.com", "password": "wrong password"}
    assert [client.post("/api/auth/login", json=wrong).status_code for _ in range(3)] == [401] * 3
    refused = client.post("/console/login", data={**wrong, "csrf_token": "x"})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"


def test_bot_api_is_rate_limited_per_client_ip(limited_client, service_headers):
    client = limited_client(rate_limit_bot_per_second=1, rate_limit_bot_burst=5)
    codes = [client.get("/bot/popular", headers=service_headers).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    # Other paths share nothing with /bot's bucket.
    assert client.get("/health").status_code == 200


def test_rate_limits_default_on(security_settings):
    from crm_backend.core.config import Settings

    defaults = Settings(bot_service_token="x" * 16, customer_token_secret="y" * 32)
    assert defaults.rate_limit_login_per_minute > 0 and defaults.rate_limit_bot_per_second > 0
