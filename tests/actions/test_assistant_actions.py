"""The assistant's actions against a real CRM service: forms, tickets, consents, personalisation."""

from datetime import UTC, datetime

from sqlalchemy import select

from actions.account import ActionNewsletter
from actions.conversation import ActionGreet, ActionHandleFallback
from actions.feedback import ActionComplaint
from actions.handoff import ActionHumanHandoff
from actions.orders import (
    ActionCancelOrder,
    ActionChangeAddress,
    ValidateCancelOrderForm,
    ValidateChangeAddressForm,
)
from actions.payments import ActionGetInvoice, ActionPaymentMethods
from actions.products import ActionProductInfo, ActionRecommendProducts
from actions.returns import ActionRefundStatus, ActionStartReturn, ValidateReturnForm
from actions.safe_forms import ActionAskConfirmed
from actions.sealed import is_sealed, unseal
from crm_backend.catalogue.models import Product
from crm_backend.conversations.models import BotDecision
from crm_backend.customers.models import Consent
from crm_backend.insights.models import CustomerScore
from crm_backend.orders.models import Order, OrderStatus
from crm_backend.returns.models import Return
from crm_backend.tickets.models import Ticket
from tests.actions.helpers import buttons_of, run, text_of, validate
from tests.factories import add_order


def order_entity(number: str) -> list[dict]:
    return [{"entity": "order_id", "value": number, "start": 0, "end": len(number)}]


# --- returns -------------------------------------------------------------------------------


async def test_return_form_accepts_a_recently_delivered_order(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=201, status=OrderStatus.DELIVERED, delivered_days_ago=5)
    tracker = tracker_for(order.number, "inform", customer_id=201, active_loop="return_form")
    messages, result = await validate(ValidateReturnForm(), "order_id", order.number, tracker)
    assert messages == [] and result == {
        "order_id": order.number, "confirmed": None, "confirm_retries": None, "return_items": ["KI0000"]
    }  # fmt: skip


async def test_return_form_refuses_an_order_outside_the_window(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=201, status=OrderStatus.DELIVERED, placed_days_ago=90, delivered_days_ago=80)
    tracker = tracker_for(order.number, "inform", customer_id=201, active_loop="return_form")
    messages, result = await validate(ValidateReturnForm(), "order_id", order.number, tracker)
    assert result == {"order_id": order.number, "request_refused": True}
    assert "return window for order" in text_of(messages[0]) and "closed on" in text_of(messages[0])
    refused = tracker_for("x", "inform", slots={"request_refused": True})
    assert await ValidateReturnForm().required_slots(["order_id", "return_reason"], None, refused, {}) == []


async def test_return_form_refuses_an_undelivered_order(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=202, status=OrderStatus.SHIPPED, placed_days_ago=3)
    tracker = tracker_for(order.number, "inform", customer_id=202, active_loop="return_form")
    messages, result = await validate(ValidateReturnForm(), "order_id", order.number, tracker)
    assert result["request_refused"] is True
    assert text_of(messages[0]).startswith(f"Order {order.number} is shipped, so it can't be returned yet")


async def test_return_form_asks_again_for_someone_elses_order(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=203, status=OrderStatus.DELIVERED, delivered_days_ago=3)
    tracker = tracker_for(order.number, "inform", customer_id=204, active_loop="return_form")
    messages, result = await validate(ValidateReturnForm(), "order_id", order.number, tracker)
    assert result == {"order_id": None}
    assert f"couldn't find an order {order.number}" in text_of(messages[0])


async def test_start_return_stores_it_and_tells_the_reference(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=205, status=OrderStatus.DELIVERED, delivered_days_ago=2)
    slots = {"order_id": order.number, "return_reason": "too small", "confirmed": "yes"}
    messages, events = await run(ActionStartReturn(), tracker_for("too small", "inform", customer_id=205, slots=slots))
    stored = crm_db.scalars(select(Return).where(Return.order_id == order.id)).one()
    assert stored.reason == "too small"
    assert f"Your return reference is {stored.reference}." in text_of(messages[0])
    assert {e["name"] for e in events} == {
        "order_id", "return_items", "return_reason", "request_refused", "confirmed", "confirm_retries", "form_aside",
        "context_order",
    }  # fmt: skip
    refunds = (await run(ActionRefundStatus(), tracker_for("refund?", "refund_status", customer_id=205)))[0]
    assert f"Return {stored.reference} (order {order.number}) is requested" in text_of(refunds[0])


# --- cancel and address change ----------------------------------------------------------------


async def test_cancel_flow_confirmed(action_env, tracker_for, crm_db):
    order = add_order(
        crm_db, customer_id=210, status=OrderStatus.PROCESSING, placed_days_ago=0, skus=("KI0000", "GA2001")
    )
    tracker = tracker_for(order.number, "cancel_order", customer_id=210, active_loop="cancel_order_form")
    assert (await validate(ValidateCancelOrderForm(), "order_id", order.number, tracker))[1] == {
        "order_id": order.number, "confirmed": None, "confirm_retries": None
    }  # fmt: skip
    asked = tracker_for(
        "", "cancel_order", customer_id=210, slots={"order_id": order.number}, active_loop="cancel_order_form"
    )
    question = (await run(ActionAskConfirmed(), asked))[0][0]
    assert text_of(question).startswith(
        f"Do you want me to cancel order {order.number} (1 × Ceramic teapot, 1 × Watering can"
    )
    assert question["response"] == "utter_ask_cancel_confirmed_order"
    assert [b["payload"] for b in buttons_of(question)] == ["/affirm", "/deny"]
    slots = {"order_id": order.number, "confirmed": "yes"}
    messages, _ = await run(ActionCancelOrder(), tracker_for("yes", "affirm", customer_id=210, slots=slots))
    assert text_of(messages[0]).startswith(f"Done: order {order.number} is cancelled.")
    crm_db.expire_all()
    assert crm_db.get(Order, order.id).status == "cancelled"


async def test_cancel_flow_denied_keeps_the_order(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=211, status=OrderStatus.PENDING, placed_days_ago=0)
    slots = {"order_id": order.number, "confirmed": "no"}
    messages, _ = await run(ActionCancelOrder(), tracker_for("no", "deny", customer_id=211, slots=slots))
    assert text_of(messages[0]) == f"All right, order {order.number} stays as it is."
    crm_db.expire_all()
    assert crm_db.get(Order, order.id).status == "pending"


async def test_cancel_of_a_shipped_order_is_refused_in_the_form(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=212, status=OrderStatus.SHIPPED, placed_days_ago=2)
    tracker = tracker_for(order.number, "cancel_order", customer_id=212, active_loop="cancel_order_form")
    messages, result = await validate(ValidateCancelOrderForm(), "order_id", order.number, tracker)
    assert result["request_refused"] is True and "can't be cancelled any more" in text_of(messages[0])
    refused_slots = {"order_id": order.number, "request_refused": True}
    assert (await run(ActionCancelOrder(), tracker_for("", "inform", customer_id=212, slots=refused_slots)))[0] == []


async def test_address_change_is_stored_before_dispatch(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=213, status=OrderStatus.PROCESSING, placed_days_ago=0)
    form_tracker = tracker_for("x", "inform", customer_id=213, active_loop="change_address_form")
    new_address = "10 Downing Street, London SW1A 2AA, United Kingdom"
    validated = (await validate(ValidateChangeAddressForm(), "new_address", new_address, form_tracker))[1]
    # It waits for the yes in Rasa's tracker store: sealed, never in the clear (actions/sealed.py).
    assert is_sealed(validated["new_address"]) and unseal(validated["new_address"]) == new_address
    bad = await validate(ValidateChangeAddressForm(), "new_address", "my house", form_tracker)
    assert bad[1] == {"new_address": None} and "incomplete" in text_of(bad[0][0])
    slots = {"order_id": order.number, "new_address": validated["new_address"], "confirmed": "yes"}
    messages, _ = await run(ActionChangeAddress(), tracker_for(new_address, "inform", customer_id=213, slots=slots))
    assert text_of(messages[0]) == f"Done: order {order.number} will be delivered to {new_address}."
    crm_db.expire_all()
    assert crm_db.get(Order, order.id).shipping_address == new_address


async def test_address_change_after_dispatch_is_refused(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=214, status=OrderStatus.DELIVERED, delivered_days_ago=1)
    tracker = tracker_for(order.number, "change_address", customer_id=214, active_loop="change_address_form")
    messages, result = await validate(ValidateChangeAddressForm(), "order_id", order.number, tracker)
    assert result["request_refused"] is True
    assert "can't change its address any more" in text_of(messages[0])


# --- tickets, personalisation, consents, catalogue -------------------------------------------------


async def test_complaint_opens_a_ticket_and_a_high_risk_customer_gets_an_offer(action_env, tracker_for, crm_db):
    crm_db.merge(
        CustomerScore(
            customer_id=220, model_version="test-1", scored_at=datetime.now(UTC), segment="At risk",
            churn_probability=0.82, top_factors={"churn": ["days since last order"]},
        )
    )  # fmt: skip
    crm_db.commit()
    text = "the vase arrived broken and nobody answers my emails, I'm fed up with this shop"
    messages, _ = await run(ActionComplaint(), tracker_for(text, "complaint", customer_id=220))
    ticket = crm_db.scalars(select(Ticket).where(Ticket.customer_id == 220, Ticket.category == "complaint")).one()
    assert ticket.messages[0].body == text and ticket.priority == "high"
    assert f"complaint #{ticket.id}" in text_of(messages[0])
    assert "STAY-" in text_of(messages[1])
    decision = crm_db.scalars(select(BotDecision).where(BotDecision.customer_id == 220)).one()
    assert decision.decision == "retention_offer" and "churn probability 0.82" in decision.reason


async def test_complaint_from_a_low_risk_customer_gets_no_offer(action_env, tracker_for, crm_db):
    messages, _ = await run(ActionComplaint(), tracker_for("late again", "complaint", customer_id=221))
    assert len(messages) == 1 and "STAY-" not in text_of(messages[0])
    assert crm_db.scalars(select(BotDecision).where(BotDecision.customer_id == 221)).first() is None


async def test_handoff_tells_the_place_in_the_queue_and_opens_its_ticket(action_env, tracker_for, crm_db):
    tracker = tracker_for("let me talk to a person", "human_handoff")
    messages, _ = await run(ActionHumanHandoff(), tracker)
    tickets = crm_db.scalars(select(Ticket).where(Ticket.conversation_id == tracker.sender_id)).all()
    assert [ticket.category for ticket in tickets] == ["handoff"]  # the console closes it with the handoff
    assert messages[0]["response"] in ("utter_handoff_queued", "utter_handoff_queued_eta")
    assert f"number {messages[0]['position']} in the queue" in text_of(messages[0])


async def test_newsletter_subscribe_and_unsubscribe_store_consent(action_env, tracker_for, crm_db):
    for intent, granted in (("newsletter_subscribe", True), ("newsletter_unsubscribe", False)):
        slots = {"consent_change": intent.removeprefix("newsletter_"), "confirmed": "yes"}
        messages, _ = await run(ActionNewsletter(), tracker_for("yes", "affirm", customer_id=222, slots=slots))
        crm_db.expire_all()
        consent = crm_db.scalars(select(Consent).where(Consent.customer_id == 222)).one()
        assert consent.granted is granted and consent.source == "chat"
        assert ("subscribed" if granted else "unsubscribed") in text_of(messages[0])


async def test_unverified_newsletter_request_asks_to_identify(action_env, tracker_for):
    slots = {"consent_change": "subscribe", "confirmed": "yes"}
    messages, _ = await run(ActionNewsletter(), tracker_for("yes", "affirm", slots=slots))
    assert messages[0]["response"] == "utter_ask_identify"


async def test_recommendations_are_catalogue_products_with_reasons(action_env, tracker_for, crm_db):
    tracker = tracker_for("what do you recommend?", "recommend_products", customer_id=1)
    messages, _ = await run(ActionRecommendProducts(), tracker)
    cards = messages[0]["custom"]["cards"]
    assert len(cards) == 3
    for card in cards:
        product = crm_db.scalars(select(Product).where(Product.sku == card["sku"])).one()
        assert product.name == card["name"] and product.in_stock and card["reason"]
        assert product.name in text_of(messages[0])
    decision = crm_db.scalars(select(BotDecision).where(BotDecision.conversation_id == tracker.sender_id)).one()
    assert all(card["sku"] in decision.reason for card in cards)


async def test_visitors_get_best_sellers(action_env, tracker_for):
    messages, _ = await run(ActionRecommendProducts(), tracker_for("suggestions?", "recommend_products"))
    assert text_of(messages[0]).startswith("Here are our best sellers right now")
    assert len(messages[0]["custom"]["cards"]) == 3


async def test_product_price_and_availability(action_env, tracker_for, crm_db):
    product = crm_db.scalars(select(Product).where(Product.name == "Cast iron skillet")).one()
    entity = [{"entity": "product", "value": "Cast iron skillet"}]
    price = (await run(ActionProductInfo(), tracker_for("how much", "product_price", entities=entity)))[0]
    assert text_of(price[0]) == f"The price of the Cast iron skillet is €{product.unit_price}."
    stock = (await run(ActionProductInfo(), tracker_for("in stock?", "product_availability", entities=entity)))[0]
    assert ("is in stock" if product.in_stock else "out of stock") in text_of(stock[0])
    unknown = [{"entity": "product", "value": "flux capacitor"}]
    missing = (await run(ActionProductInfo(), tracker_for("price?", "product_price", entities=unknown)))[0]
    assert 'couldn\'t find "flux capacitor"' in text_of(missing[0])


async def test_invoice_summary_for_own_order_only(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=230, status=OrderStatus.DELIVERED, delivered_days_ago=3)
    mine = await run(ActionGetInvoice(), tracker_for("invoice", "get_invoice", customer_id=230,
                                                     entities=order_entity(order.number)))  # fmt: skip
    assert f"Total: {order.total} EUR" in text_of(mine[0][0])
    theirs = await run(ActionGetInvoice(), tracker_for("invoice", "get_invoice", customer_id=231,
                                                       entities=order_entity(order.number)))  # fmt: skip
    assert "couldn't find an order" in text_of(theirs[0][0])


async def test_payment_methods_answer_about_the_named_method(action_env, tracker_for):
    everything = (
        "credit cards (Visa, Mastercard, American Express), debit cards (Maestro, Visa Debit), PayPal, Apple Pay, "
        "Google Pay, Klarna (pay later or in 3 instalments), our gift cards"
    )
    cleared = [{"event": "slot", "timestamp": None, "name": "payment_method", "value": None}]
    paypal = [{"entity": "payment_method", "value": "paypal"}]
    messages, events = await run(ActionPaymentMethods(), tracker_for("paypal?", "payment_methods", entities=paypal))
    assert messages[0]["response"] == "utter_payment_method_accepted" and events == cleared
    assert text_of(messages[0]) == f"Yes, you can pay with PayPal. We also accept {everything}."
    transfer = [{"entity": "payment_method", "value": "bank_transfer"}]
    messages = (await run(ActionPaymentMethods(), tracker_for("wire?", "payment_methods", entities=transfer)))[0]
    assert text_of(messages[0]) == f"Sorry, we don't accept bank transfer. You can pay with {everything}."
    messages = (await run(ActionPaymentMethods(), tracker_for("how can I pay?", "payment_methods")))[0]
    assert messages[0]["response"] == "utter_payment_methods"
    assert text_of(messages[0]) == f"You can pay with {everything}."


async def test_greeting_is_personal_for_verified_customers(action_env, tracker_for):
    assert (await run(ActionGreet(), tracker_for("hi", "greet")))[0][0]["response"] == "utter_greet"
    text = text_of((await run(ActionGreet(), tracker_for("hi", "greet", customer_id=1)))[0][0])
    assert "Ada" in text


async def test_fallback_offers_a_human_after_two_misses(tracker_for):
    first = (await run(ActionHandleFallback(), tracker_for("blorp", "nlu_fallback", earlier_intents=("greet",))))[0]
    assert first[0]["response"] == "utter_ask_rephrase"
    second = (
        await run(ActionHandleFallback(), tracker_for("blorp", "nlu_fallback", earlier_intents=("nlu_fallback",)))
    )[0]
    assert second[0]["response"] == "utter_offer_human"
