"""The bridge's HTTP clients: brief retries, never a duplicate message, typed failures."""

import asyncio

import httpx
import pytest

from channels.telegram import clients
from channels.telegram.clients import (
    CRMClient,
    CRMUnavailable,
    LinkRefused,
    Picture,
    PictureUnavailable,
    RasaClient,
    RasaUnavailable,
)


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


async def test_rasa_is_retried_while_unreachable_and_gets_the_token_and_chat_in_metadata():
    http, seen = http_client(
        [httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200, json=[{"text": "Hi"}])]
    )
    replies = await RasaClient(http, "http://rasa", "channel-credential").send("tg-1", "hello", "jwt", chat_id=-42)
    assert replies == [{"text": "Hi"}]
    assert len(seen) == 3
    # Rasa's telegram input channel, with its credential: the channel is Rasa's to say, not ours.
    assert str(seen[-1].url) == "http://rasa/webhooks/telegram/webhook"
    assert seen[-1].headers["Authorization"] == "Bearer channel-credential"
    assert httpx.Response(200, content=seen[-1].content).json() == {
        "sender": "tg-1",
        "message": "hello",
        "metadata": {"customer_token": "jwt", "channel_address": "-42"},
    }


async def test_a_refused_channel_credential_is_not_retried():
    http, seen = http_client([httpx.Response(401, json={"error": {"code": "unauthorized"}})])
    with pytest.raises(RasaUnavailable, match="REST_CHANNEL_TOKEN"):
        await RasaClient(http, "http://rasa", "wrong").send("tg-1", "hello", None)
    assert len(seen) == 1


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


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


async def test_pictures_come_from_the_crm_without_the_service_token():
    http, seen = http_client([httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})])
    picture = await CRMClient(http, "http://crm:8000", "service-token").picture("/static/products/A1.png")
    assert picture == Picture(PNG, "image/png") and picture.filename == "picture.png"
    assert str(seen[0].url) == "http://crm:8000/static/products/A1.png"
    assert "Authorization" not in seen[0].headers


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"detail": "No such product"}),
        httpx.Response(200, text="<svg/>", headers={"Content-Type": "image/svg+xml"}),
        httpx.Response(200, text="<html>", headers={"Content-Type": "text/html"}),
        httpx.Response(200, content=PNG * 20, headers={"Content-Type": "image/png"}),  # over the limit, declared
        httpx.Response(200, stream=httpx.ByteStream(PNG * 20), headers={"Content-Type": "image/png"}),  # streamed
        httpx.ConnectError("refused"),
    ],
    ids=["missing", "svg", "html", "too-large", "too-large-streamed", "unreachable"],
)
async def test_pictures_that_cannot_be_photos_are_refused(answer):
    http, seen = http_client([answer])
    crm = CRMClient(http, "http://crm", "service-token", picture_max_bytes=1000)
    with pytest.raises(PictureUnavailable):
        await crm.picture("/static/products/A1.png")
    assert len(seen) == 1  # no retries: the card is sent as text instead


async def test_a_slow_picture_is_given_up():
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    crm = CRMClient(http, "http://crm", "service-token", picture_timeout=0.1)
    with pytest.raises(PictureUnavailable, match="no answer within"):
        await crm.picture("/static/products/A1.png")


async def test_only_paths_on_the_crm_are_fetched():
    http, seen = http_client([])
    crm = CRMClient(http, "http://crm", "service-token")
    for path in ("https://elsewhere.example.com/a.png", "//elsewhere.example.com/a.png", "a.png"):
        with pytest.raises(PictureUnavailable):
            await crm.picture(path)
    assert seen == []
