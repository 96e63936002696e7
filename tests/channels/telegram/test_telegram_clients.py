"""The bridge's HTTP clients: brief retries, never a duplicate message, typed failures."""

import httpx
import pytest

from channels.telegram import clients
from channels.telegram.clients import CRMClient, CRMUnavailable, LinkRefused, RasaClient, RasaUnavailable


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(clients, "RETRY_DELAYS", (0.01, 0.01))


def http_client(answers: list) -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.AsyncClient(transport=httpx.MockTransport(handler)), seen


async def test_rasa_is_retried_while_unreachable_and_gets_the_token_in_metadata():
    http, seen = http_client(
        [httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200, json=[{"text": "Hi"}])]
    )
    replies = await RasaClient(http, "http://rasa").send("tg-1-1", "hello", "jwt")
    assert replies == [{"text": "Hi"}]
    assert len(seen) == 3
    assert httpx.Response(200, content=seen[-1].content).json() == {
        "sender": "tg-1-1",
        "message": "hello",
        "metadata": {"customer_token": "jwt"},
    }


async def test_a_message_that_may_have_arrived_is_not_sent_twice():
    http, seen = http_client([httpx.ReadTimeout("slow")])
    with pytest.raises(RasaUnavailable):
        await RasaClient(http, "http://rasa").send("tg-1-1", "cancel my order", None)
    assert len(seen) == 1


async def test_rasa_gives_up_after_three_tries():
    http, seen = http_client([httpx.ConnectError("refused")] * 3)
    with pytest.raises(RasaUnavailable):
        await RasaClient(http, "http://rasa").send("tg-1-1", "hello", None)
    assert len(seen) == 3


async def test_crm_answers_become_tokens_none_or_typed_refusals():
    http, seen = http_client(
        [
            httpx.Response(200, json={"customer_token": "jwt", "customer_id": 1, "expires_at": "x"}),
            httpx.Response(404, json={"error": {"code": "not_linked"}}),
            httpx.Response(410, json={"error": {"code": "expired_code"}}),
            httpx.Response(500),
            httpx.Response(502),
            httpx.Response(503),
        ]
    )
    crm = CRMClient(http, "http://crm", "service-token")
    assert await crm.customer_token(42) == "jwt"
    assert seen[0].headers["Authorization"] == "Bearer service-token"
    assert await crm.customer_token(43) is None
    with pytest.raises(LinkRefused) as refusal:
        await crm.redeem(42, "ABCDEFGHJK")
    assert refusal.value.code == "expired_code"
    with pytest.raises(CRMUnavailable):
        await crm.customer_token(44)
    assert len(seen) == 6
