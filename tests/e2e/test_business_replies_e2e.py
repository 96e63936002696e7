"""The CRM's rules, worded by the domain and filled in by the real Rasa (not by the actions).

Each message is phrased as in the NLU's training data, so the test is about the reply, not NLU
(a typed `/intent{...}` is no longer obeyed: bot/channels/turns.py, issue 16).
"""

import pytest

from crm_backend.customers.models import Customer, LoyaltyAccount
from crm_backend.orders.models import OrderStatus
from tests.factories import add_order
from tests.stack_fixtures import send_rest

pytestmark = pytest.mark.e2e

EVERYTHING = (
    "credit cards (Visa, Mastercard, American Express), debit cards (Maestro, Visa Debit), PayPal, Apple Pay, "
    "Google Pay, Klarna (pay later or in 3 instalments), our gift cards"
)


def test_payment_methods_come_from_the_crm_worded_by_the_domain(web_stack, say):
    assert say("can I pay by bank transfer?") == [
        f"Sorry, we don't accept bank transfer. You can pay with {EVERYTHING}."
    ]
    assert say("can I pay with paypal?") == [f"Yes, you can pay with PayPal. We also accept {EVERYTHING}."]


def test_loyalty_standing_is_the_crms(web_stack, say, token, crm):
    customer = crm.get(Customer, 46)
    customer.loyalty = customer.loyalty or LoyaltyAccount(points=0, tier="bronze")
    customer.loyalty.points, customer.loyalty.tier = 1234, "silver"
    crm.commit()
    assert say("how many loyalty points do I have?", token=token(46)) == [
        f"{customer.first_name}, you have 1234 points and you're a silver member. 766 more points and you'll be gold."
    ]


def test_a_late_return_is_refused_with_the_crms_window(web_stack, say, token, crm):
    order = add_order(crm, customer_id=47, status=OrderStatus.DELIVERED, placed_days_ago=70, delivered_days_ago=60)
    me = token(47)
    say("I want to return an item", token=me)
    replies = say(order.number, token=me)
    assert replies[0].startswith(f"I'm sorry: the 30-day return window for order {order.number} closed on ")
    assert "{" not in replies[0]


def test_domain_buttons_and_list_lines_reach_the_channel(web_stack, say, token, crm):
    order = add_order(crm, customer_id=48, status=OrderStatus.PROCESSING, placed_days_ago=0)
    me = token(48)
    send_rest(web_stack, f"e2e-buttons-{order.number}", "please cancel my order", me)
    replies = send_rest(web_stack, f"e2e-buttons-{order.number}", order.number, me)
    assert replies[0]["text"].startswith(f"Do you want me to cancel order {order.number} (1 × Ceramic teapot, ")
    assert [(b["title"], b["payload"]) for b in replies[0]["buttons"]] == [
        ("Yes, cancel it", "/affirm"), ("No, keep it", "/deny"),
    ]  # fmt: skip
    listed = say("show me my recent orders", token=me)
    first_name = crm.get(Customer, 48).first_name
    assert listed[0].startswith(f"Hi {first_name}! Here are your most recent orders:\n- Order ")
    assert f"- Order {order.number} (placed " in listed[0]


def test_a_product_answer_carries_words_and_cards(web_stack, crm):
    replies = send_rest(web_stack, "e2e-product-price", "what does the Cast iron skillet cost?")
    assert replies[0]["text"].startswith("The price of the Cast iron skillet is €")
    cards = next(reply["custom"]["cards"] for reply in replies if "custom" in reply)
    assert [card["name"] for card in cards] == ["Cast iron skillet"]
