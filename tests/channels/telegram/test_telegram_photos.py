"""Product cards and images as Telegram photos: by URL, uploaded from the CRM, or text when neither works.

The real python-telegram-bot `Bot` talks to the local stand-in (fake_telegram.py); the CRM is
an httpx mock transport, so these run without the stack.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from types import SimpleNamespace

import httpx
import pytest
from telegram import Bot, Update

from channels.telegram import handlers
from channels.telegram.clients import CRMClient, RasaClient
from tests.channels.telegram.fake_telegram import PNG_SIGNATURE, FakeTelegram, message_update

TOKEN = "2001:photo-token"
CHAT = 6001
PNG = PNG_SIGNATURE + b"\0\0\0\x0dIHDR" + (64).to_bytes(4, "big") + (48).to_bytes(4, "big") + b"\0" * 200
CARD = {"sku": "KI0000", "name": "Mug & Co", "price": 12.5, "currency": "EUR", "reason": "You like tea"}
CAPTION = "<b>Mug &amp; Co</b>\n12.50 EUR\n<i>You like tea</i>"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    fake.add_bot(TOKEN, "photo_bot")
    fake.unfetchable_photo_urls.add("https://cdn.example.com/gone.jpg")
    yield fake
    fake.stop()


@pytest.fixture
async def deliver(fake) -> AsyncIterator[Callable]:
    """`deliver(replies, crm_answers)`: the bridge shows `replies`; the CRM answers with `crm_answers`."""
    bot = Bot(TOKEN, base_url=f"{fake.base_url}/bot", base_file_url=f"{fake.base_url}/file/bot")
    crm_requests: list[httpx.Request] = []
    async with bot:

        async def run(replies: list[dict], crm_answers: list[httpx.Response] = (), base_url: str | None = None):
            answers = list(crm_answers)

            def crm(request: httpx.Request) -> httpx.Response:
                crm_requests.append(request)
                return answers.pop(0)

            http = httpx.AsyncClient(transport=httpx.MockTransport(crm))
            services = handlers.Services(
                rasa=RasaClient(http, "http://rasa"), crm=CRMClient(http, "http://crm", "t"), image_base_url=base_url
            )
            context = SimpleNamespace(bot=bot, application=SimpleNamespace(bot_data={handlers.SERVICES_KEY: services}))
            update = Update.de_json({"update_id": 1, **message_update(CHAT, CHAT, "recommend")}, bot)
            mark = fake.mark(TOKEN)
            await handlers.deliver(context, update, replies)
            await http.aclose()
            return fake.calls(TOKEN)[mark:], crm_requests

        yield run


def cards(*image_urls: str | None) -> dict:
    return {"custom": {"type": "product_cards", "cards": [{**CARD, "image_url": url} for url in image_urls]}}


async def test_a_relative_picture_is_uploaded_from_the_crm_with_its_caption(deliver):
    png = httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})
    [call], crm = await deliver([cards("/static/products/KI0000.png")], [png])
    assert str(crm[0].url) == "http://crm/static/products/KI0000.png"
    assert call.method == "sendPhoto" and call.params["caption"] == CAPTION and call.params["parse_mode"] == "HTML"
    upload = call.files["photo"]
    assert upload.data == PNG and upload.content_type == "image/png" and upload.png_size == (64, 48)
    assert call.result["photo"][0]["width"] == 64


async def test_the_crm_png_is_used_for_its_svg_placeholders_and_a_public_url_is_sent_as_is(deliver):
    png = httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})
    replies = [cards("http://127.0.0.1:8000/static/products/KI0000.svg", "https://cdn.example.com/a.jpg")]
    calls, crm = await deliver(replies, [png])
    assert str(crm[-1].url) == "http://crm/static/products/KI0000.png"
    assert [call.method for call in calls] == ["sendPhoto", "sendPhoto"]
    assert "photo" in calls[0].files and calls[1].params["photo"] == "https://cdn.example.com/a.jpg"
    assert calls[1].files == {}


@pytest.mark.parametrize(
    "crm_answer",
    [
        httpx.Response(404, json={"detail": "No such product"}),
        httpx.Response(200, text="<svg/>", headers={"Content-Type": "image/svg+xml"}),
    ],
    ids=["missing", "not-a-photo"],
)
async def test_a_picture_the_crm_cannot_give_leaves_the_card_as_text(deliver, crm_answer):
    [call], _crm = await deliver([cards("/static/products/KI0000.png")], [crm_answer])
    assert call.method == "sendMessage" and call.params["text"] == CAPTION and call.params["parse_mode"] == "HTML"


async def test_a_url_telegram_cannot_fetch_leaves_the_card_as_text(deliver):
    calls, _crm = await deliver([cards("https://cdn.example.com/gone.jpg")])
    assert [call.method for call in calls] == ["sendPhoto", "sendMessage"]
    assert calls[1].params["text"] == CAPTION


async def test_a_public_base_url_is_left_to_telegram(deliver):
    [call], crm = await deliver([cards("/static/products/KI0000.png")], base_url="https://shop.example.com")
    assert call.params["photo"] == "https://shop.example.com/static/products/KI0000.png" and crm == []


async def test_an_image_reply_is_uploaded_too(deliver):
    png = httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})
    [call], _crm = await deliver([{"image": "/static/products/KI0000.png"}], [png])
    assert call.method == "sendPhoto" and call.files["photo"].size == len(PNG) and "caption" not in call.params
