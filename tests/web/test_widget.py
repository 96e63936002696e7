"""The chat widget on the demo shop page, in headless Chromium, against the real processes."""

import re
import time

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm_backend.customers.models import Customer
from crm_backend.orders.models import Order, OrderStatus
from tests.factories import add_order
from tests.stack_fixtures import BOT_REPLY_TIMEOUT_MS, WIDGET_INPUT, bot_texts, open_chat, say, wait_for_bot
from tests.web.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>"


def test_order_status_is_personal_and_survives_a_reload(page, web_stack, crm):
    ada = crm.get(Customer, 1)
    order = crm.scalars(select(Order).where(Order.customer_id == 1).order_by(Order.placed_at.desc())).first()
    open_chat(page)
    say(page, f"where is my order {order.number}")
    expect(page.locator(".cw-typing")).to_be_visible()
    replies = wait_for_bot(page, 2)
    assert ada.first_name in replies[1] and order.number in replies[1]
    assert str(order.status.value if hasattr(order.status, "value") else order.status) in replies[1]

    say(page, "recommend me something")
    expect(page.locator(".cw-cards .cw-card")).not_to_have_count(0, timeout=BOT_REPLY_TIMEOUT_MS)
    first_card_image = page.locator(".cw-card img").first
    expect(first_card_image).to_have_js_property("complete", True)
    assert first_card_image.evaluate("img => img.naturalWidth") > 0
    expect(page.locator(".cw-typing")).to_be_hidden(timeout=BOT_REPLY_TIMEOUT_MS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget.png"))

    before = page.locator(".cw-log > *").all_inner_texts()
    page.reload()
    expect(page.locator(".cw-launcher")).to_have_attribute("aria-expanded", "true")  # stays open
    assert page.locator(".cw-log > *").all_inner_texts() == before
    expect(page.locator(".cw-status")).to_be_hidden()
    # The same Rasa conversation goes on: the order number is remembered only there.
    say(page, "thanks")
    wait_for_bot(page, len(bot_texts(page)) + 1)
    assert page.locator(".cw-user").all_inner_texts()[-1] == "thanks"


def test_quick_reply_keeps_the_order(page, web_stack, crm):
    # A customer of its own: other tests of the shared stack ask about Ada's latest order.
    order = add_order(crm, customer_id=47, status=OrderStatus.PROCESSING, placed_days_ago=0)
    crm.commit()
    open_chat(page, "/demo/?customer=47")
    say(page, "cancel my order")
    wait_for_bot(page, 2)
    say(page, order.number)
    keep = page.get_by_role("button", name="No, keep it")
    expect(keep).to_be_visible(timeout=BOT_REPLY_TIMEOUT_MS)
    keep.click()
    expect(page.locator(".cw-user").last).to_have_text("No, keep it")  # the title, not "/deny"
    expect(keep).to_be_disabled()
    expect(page.locator(".cw-log")).to_contain_text(
        f"All right, order {order.number} stays as it is.", timeout=BOT_REPLY_TIMEOUT_MS
    )
    crm.expire_all()
    assert crm.get(Order, order.id).status == OrderStatus.PROCESSING


def test_forged_token_gets_no_personal_data(page, web_stack, crm):
    order = crm.scalars(select(Order).where(Order.customer_id == 1)).first()
    forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiYXVkIjoiY29uY2llcmdlLWNoYXQifQ.c2lnbmF0dXJl"
    page.route(
        "**/demo/token*",
        lambda route: route.fulfill(json={"customer_id": 1, "token": forged, "expires_in": 600}),
    )
    open_chat(page)
    say(page, f"where is my order {order.number}")
    replies = wait_for_bot(page, 2)
    assert "sign in" in replies[1]
    assert "Ada" not in " ".join(replies)


def test_long_and_html_messages(page, web_stack):
    open_chat(page)
    box = page.get_by_label(WIDGET_INPUT)
    box.fill("x" * 10_000)
    box.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"10000 characters long; the limit is 2000"))
    expect(page.locator(".cw-send")).to_be_disabled()
    assert page.locator(".cw-user").count() == 0  # nothing was sent
    box.fill("")
    expect(page.locator(".cw-send")).to_be_enabled()

    say(page, XSS)
    wait_for_bot(page, 2)
    expect(page.locator(".cw-user").first).to_have_text(XSS)
    assert page.locator(".cw-log img").count() == 0 and page.locator(".cw-log script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_reconnects_without_losing_or_repeating_messages(page, web_stack):
    open_chat(page)
    say(page, "hello")
    wait_for_bot(page, 2)
    # The transport drops (as on a network failure) and the user types on while it is down:
    # both messages are sent once, in order, after reconnecting. (A drop while the bot is
    # answering: test_a_drop_while_the_bot_answers_loses_and_repeats_nothing.)
    page.evaluate("ConciergeWidget.instance.socket.io.engine.close()")
    expect(page.locator(".cw-status")).to_contain_text("Reconnecting")
    say(page, "what are your opening hours")
    say(page, "thank you")
    expect(page.locator(".cw-status")).to_be_hidden(timeout=20_000)
    texts = wait_for_bot(page, 4)
    assert page.locator(".cw-user").all_inner_texts() == ["hello", "what are your opening hours", "thank you"]
    assert "open Monday to Friday" in texts[2] and len(set(texts)) == 4  # one answer each, none twice
    expect(page.locator(".cw-log .cw-bot")).to_have_count(4)
    assert page.evaluate("Object.values(sessionStorage).map(v => JSON.parse(v).outbox.length)") == [0]

    # Offline while typing: the message stays queued and goes out once, when back online.
    page.context.set_offline(True)
    page.evaluate("ConciergeWidget.instance.socket.io.engine.close()")
    say(page, "bye")
    page.wait_for_timeout(1500)
    page.context.set_offline(False)
    wait_for_bot(page, 5)
    assert page.locator(".cw-user").all_inner_texts().count("bye") == 1
    page.wait_for_timeout(1000)
    expect(page.locator(".cw-log .cw-bot")).to_have_count(5)


# Installed in the page: the connection dies when the next server packet matching `pattern`
# arrives, before the client reads it (the packet is lost with the connection), or, with
# `afterSending`, just after the widget's next message has been written to the socket (the
# server gets it, but the connection is gone before anything comes back).
DROP_CONNECTION = """([pattern, afterSending]) => {
  const engine = ConciergeWidget.instance.socket.io.engine;
  window.__drops = 0;
  const drop = () => { window.__drops += 1; engine.close(); };
  if (afterSending) {
    const onCreate = (packet) => {
      if (packet.type === "message" && /^2\\d*\\["user_uttered"/.test(packet.data)) {
        engine.off("packetCreate", onCreate);
        engine.once("flush", drop);
      }
    };
    engine.on("packetCreate", onCreate);
    return;
  }
  const onPacket = (packet) => {
    if (packet.type === "message" && new RegExp(pattern).test(packet.data)) {
      engine.off("packet", onPacket);
      drop();
    }
  };
  engine.on("packet", onPacket);
}"""


@pytest.mark.parametrize(
    ("pattern", "after_sending"),
    [
        (r'^2\d*\["bot_uttered"', False),  # the reply is lost on the way
        (r"^3\d+", False),  # the reply arrived, its acknowledgement is lost on the way
        (None, True),  # the message arrived, the connection is gone before the reply is sent
    ],
    ids=["reply-lost", "acknowledgement-lost", "dropped-after-sending"],
)
def test_a_drop_while_the_bot_answers_loses_and_repeats_nothing(page, web_stack, pattern, after_sending):
    open_chat(page)
    say(page, "hello")
    wait_for_bot(page, 2)
    page.evaluate(DROP_CONNECTION, [pattern, after_sending])
    say(page, "what are your opening hours")
    # Polled with `evaluate`: `wait_for_function` evaluates a string, which the demo page's
    # Content-Security-Policy (no 'unsafe-eval') rightly refuses.
    deadline = time.monotonic() + BOT_REPLY_TIMEOUT_MS / 1000
    while page.evaluate("window.__drops") != 1:
        assert time.monotonic() < deadline, "the connection was never dropped"
        page.wait_for_timeout(100)
    # The widget reconnects and sends the unacknowledged message again; the server does not
    # run the bot again but answers with the replies it kept, which the widget shows once.
    texts = wait_for_bot(page, 3)
    expect(page.locator(".cw-status")).to_be_hidden(timeout=20_000)
    page.wait_for_timeout(1500)  # a repeated reply would have arrived by now
    assert page.locator(".cw-user").all_inner_texts() == ["hello", "what are your opening hours"]
    assert "open Monday to Friday" in texts[2]
    expect(page.locator(".cw-log .cw-bot")).to_have_count(3)
    assert page.locator(".cw-log .cw-notice").count() == 0
    assert page.evaluate("Object.values(sessionStorage).map(v => JSON.parse(v).outbox.length)") == [0]
    # The conversation holds the message once, and the bot answered it once.
    page.reload()
    expect(page.locator(".cw-log .cw-bot")).to_have_count(3)
    say(page, "thank you")
    wait_for_bot(page, 4)
    assert page.locator(".cw-user").all_inner_texts() == ["hello", "what are your opening hours", "thank you"]


def test_unread_badge_when_closed(page, web_stack):
    open_chat(page)
    say(page, "hello")
    wait_for_bot(page, 2)
    page.keyboard.press("Escape")
    launcher = page.locator(".cw-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()
    expect(page.locator(".cw-badge")).to_be_hidden()
    # A reply that arrives while the chat is closed.
    page.evaluate("ConciergeWidget.instance.send('what are your opening hours', 'what are your opening hours')")
    expect(page.locator(".cw-badge")).to_have_text("1", timeout=BOT_REPLY_TIMEOUT_MS)
    expect(launcher).to_have_accessible_name("Open chat (1 unread)")
    launcher.click()
    expect(page.locator(".cw-badge")).to_be_hidden()


def test_unreachable_service_is_said_clearly(page, web_stack):
    page.route(re.compile(r".*/socket\.io/.*"), lambda route: route.abort())
    page.goto("/demo/")
    page.locator(".cw-launcher").click()
    expect(page.locator(".cw-status")).to_contain_text("can't be reached", timeout=20_000)


def test_demo_token_only_in_demo_mode(web_stack):
    crm_url = web_stack.config.crm_url
    assert httpx.get(f"{crm_url}/demo/token", params={"customer": 1}).json()["customer_id"] == 1
    assert httpx.get(f"{crm_url}/widget/concierge-widget.js").status_code == 200
    assert httpx.get(f"{crm_url}/static/products/KI0000.svg").headers["content-type"].startswith("image/svg+xml")
    png = httpx.get(f"{crm_url}/static/products/KI0000.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")
