"""Whole support conversations through the real Rasa, action and CRM processes."""

import pytest
from sqlalchemy import select

from crm_backend.catalogue.models import Product
from crm_backend.orders.models import Order, OrderStatus
from crm_backend.returns.models import Return
from tests.factories import add_order
from tests.stack_fixtures import send_rest

pytestmark = pytest.mark.e2e


def test_return_flow_creates_the_return_in_the_crm(web_stack, say, token, crm):
    order = add_order(crm, customer_id=40, status=OrderStatus.DELIVERED, delivered_days_ago=4)
    me = token(40)
    assert say("I want to return an item", token=me) == [
        "Which order is it about? The order number has six digits and is in your confirmation e-mail."
    ]
    assert say(order.number, token=me) == [
        "In a few words, why are you returning it? (For example: too small, damaged, not as described.)"
    ]
    assert say("the colour is not what I expected", token=me)[0].startswith(
        f"Shall I register a return of order {order.number}"
    )
    replies = say("/affirm", token=me)
    stored = crm.scalars(select(Return).where(Return.order_id == order.id)).one()
    assert stored.reason == "the colour is not what I expected" and stored.status == "requested"
    assert replies[0].startswith(f"Your return for order {order.number} is registered.")
    assert stored.reference in replies[0]


def test_return_can_be_stopped_midway(web_stack, say, token, crm):
    order = add_order(crm, customer_id=41, status=OrderStatus.DELIVERED, delivered_days_ago=4)
    me = token(41)
    say("I'd like to send something back", token=me)
    assert say("forget it", token=me) == ["All right, I've stopped that. What else can I do for you?"]
    assert crm.scalars(select(Return).where(Return.order_id == order.id)).first() is None


def test_address_change_after_dispatch_is_refused(web_stack, say, token, crm):
    order = add_order(crm, customer_id=42, status=OrderStatus.SHIPPED, placed_days_ago=2)
    me = token(42)
    say("I need to change the delivery address of my order", token=me)
    replies = say(order.number, token=me)
    assert any("can't change its address any more" in reply for reply in replies)
    crm.expire_all()
    assert crm.get(Order, order.id).shipping_address == "1 Test Street, Testville, United Kingdom"


def test_cancelling_someone_elses_order_is_refused(web_stack, say, token, crm):
    order = add_order(crm, customer_id=43, status=OrderStatus.PROCESSING, placed_days_ago=0)
    say("please cancel my order", token=token(44))
    replies = say(order.number, token=token(44))
    assert any(f"couldn't find an order {order.number}" in reply for reply in replies)
    crm.expire_all()
    assert crm.get(Order, order.id).status == "processing"


def test_cancelling_own_order_after_confirmation(web_stack, say, token, crm):
    order = add_order(crm, customer_id=45, status=OrderStatus.PROCESSING, placed_days_ago=0)
    me = token(45)
    say("please cancel my order", token=me)
    assert say(order.number, token=me)[0].startswith(f"Do you want me to cancel order {order.number}")
    assert say("/affirm", token=me)[0].startswith(f"Done: order {order.number} is cancelled.")
    crm.expire_all()
    assert crm.get(Order, order.id).status == "cancelled"


def test_recommendations_are_real_catalogue_products(web_stack, token, crm):
    replies = send_rest(web_stack, "e2e-recommend", "what would you recommend for me?", token(1))
    cards = next(reply["custom"]["cards"] for reply in replies if "custom" in reply)
    assert len(cards) == 3
    for card in cards:
        product = crm.scalars(select(Product).where(Product.sku == card["sku"])).one()
        assert product.name == card["name"] and product.in_stock and card["reason"]
