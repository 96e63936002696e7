"""Rich content in the widget: a safe subset of Markdown with clickable links, and product cards
sent once, with "View" buttons, carousel arrows and prices written one way."""

import re

import pytest
from playwright.sync_api import expect

from crm_backend.handoff.rasa import RasaClient
from crm_backend.orders.models import Order, OrderStatus
from tests.actions.helpers import domain
from tests.factories import add_order
from tests.stack_fixtures import BOT_REPLY_TIMEOUT_MS, open_chat, say, wait_for_bot

pytestmark = pytest.mark.e2e

MARKDOWN = (
    "Your parcel: **on its way**, see https://track.example.com/p?id=7. "
    "Or [our help page](https://shop.example.com/help) and `RMA-12`. "
    "[click](javascript:window.__xss=1) <img src=x onerror=window.__xss=2> *thanks*"
)


def test_markdown_and_links_are_rendered_safely(page, web_stack):
    open_chat(page)
    conversation_id = page.evaluate("ConciergeWidget.instance.state.sessionId")
    rasa = RasaClient(web_stack.config.rasa_url, web_stack.child_env()["RASA_API_TOKEN"])
    rasa.send_agent_message(conversation_id, MARKDOWN, channel="socketio", agent_id=1, agent_name="Ada")
    message = page.locator(".cw-from-agent").last
    expect(message).to_be_visible(timeout=15_000)
    expect(message.locator("strong")).to_have_text("on its way")
    expect(message.locator("em")).to_have_text("thanks")
    expect(message.locator("code")).to_have_text("RMA-12")
    links = message.locator("a")
    expect(links).to_have_count(2)
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [
        "https://track.example.com/p?id=7",  # the full stop is not part of the link
        "https://shop.example.com/help",
    ]
    assert {links.nth(i).get_attribute("rel") for i in range(2)} == {"noopener noreferrer"}
    # The rest is text: no javascript: link, no element from the message's markup.
    assert message.locator("img, script, a[href^=javascript]").count() == 0
    expect(message).to_contain_text("<img src=x onerror=window.__xss=2>")
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_recommendations_are_cards_sent_once_with_view_buttons_and_arrows(page, web_stack):
    open_chat(page, "/demo/?customer=3")
    say(page, "recommend me something")
    cards = page.locator(".cw-cards .cw-card")
    expect(cards).not_to_have_count(0, timeout=BOT_REPLY_TIMEOUT_MS)
    texts = wait_for_bot(page, 2)
    assert texts[1] in (
        "Here are a few things I think you'll like:",
        "Here are our best sellers right now (sign in for personal suggestions):",
    )
    names = cards.locator(".cw-card-name").all_inner_texts()
    assert not any(name in texts[1] for name in names)  # no text list repeating the cards

    prices = cards.locator(".cw-card-price").all_inner_texts()
    assert prices and all(re.fullmatch(r"€\d{1,3}(,\d{3})*\.\d{2}", price) for price in prices), prices
    view = cards.first.get_by_role("link", name=f"View {names[0]}")
    assert view.get_attribute("href").endswith(
        "/demo/#product-"
        + page.evaluate("ConciergeWidget.instance.state.messages.filter(m => m.kind === 'cards').pop().cards[0].sku")
    )

    row = page.locator(".cw-cards").last
    previous = page.get_by_role("button", name="Previous products").last
    following = page.get_by_role("button", name="Next products").last
    assert len(names) == 3  # more than the panel shows at once
    expect(previous).to_be_hidden()
    expect(following).to_be_visible()
    following.click()
    expect(previous).to_be_visible()
    assert row.evaluate("el => el.scrollLeft") > 0


def test_suggested_replies_stop_working_once_the_customer_moves_on(page, web_stack, crm):
    order = add_order(crm, customer_id=51, status=OrderStatus.PROCESSING, placed_days_ago=0)
    crm.commit()
    open_chat(page, "/demo/?customer=51")
    say(page, "cancel my order")
    wait_for_bot(page, 2)
    say(page, order.number)
    cancel = page.locator(".cw-quick-reply").first
    expect(cancel).to_be_enabled(timeout=BOT_REPLY_TIMEOUT_MS)
    # Typed instead of choosing. Not a question: the form answers a question and asks for the
    # confirmation again, with new (working) buttons; "never mind" leaves it, with no new ones.
    say(page, "never mind")
    expect(page.locator(".cw-quick-reply")).to_have_count(2)
    for button in page.locator(".cw-quick-reply").all():
        expect(button).to_be_disabled()
    assert wait_for_bot(page, 4)[-1] == domain()["responses"]["utter_form_stopped"][0]["text"]
    expect(page.locator(".cw-quick-reply")).to_have_count(2)
    for button in page.locator(".cw-quick-reply").all():
        expect(button).to_be_disabled()
    page.reload()
    expect(page.locator(".cw-quick-reply").first).to_be_disabled()  # still, from the widget's storage
    crm.expire_all()
    assert crm.get(Order, order.id).status == OrderStatus.PROCESSING
