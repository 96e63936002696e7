"""Actions ask the CRM for its decision and only phrase it: returns, loyalty, offers, greetings.

Against a real CRM service (SQLite and PostgreSQL), replaying tracker states; each test
checks the response chosen, the values given and the text the customer would read.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from actions.conversation import ActionGreet
from actions.feedback import ActionComplaint
from actions.formatting import human_date
from actions.orders import ActionListOrders
from actions.payments import ActionGetInvoice
from actions.products import ActionLoyaltyPoints
from actions.returns import ActionRefundStatus, ActionStartReturn, ValidateReturnForm
from crm_backend.conversations.models import BotDecision
from crm_backend.customers.models import Customer, LoyaltyAccount
from crm_backend.insights.models import CustomerScore
from crm_backend.orders.models import OrderStatus
from crm_backend.returns.models import Refund, RefundStatus, Return
from crm_backend.returns.service import create_return
from tests.actions.helpers import run, text_of, validate
from tests.factories import add_order

RESPONSE_FIELDS = ("response", "text")


def set_loyalty(crm_db, customer_id: int, points: int | None, tier: str = "bronze") -> None:
    customer = crm_db.get(Customer, customer_id)
    if points is None:
        customer.loyalty = None
    elif customer.loyalty is None:
        customer.loyalty = LoyaltyAccount(points=points, tier=tier)
    else:
        customer.loyalty.points, customer.loyalty.tier = points, tier
    crm_db.commit()


def set_score(crm_db, customer_id: int, **values) -> None:
    crm_db.merge(CustomerScore(customer_id=customer_id, model_version="test-1", scored_at=datetime.now(UTC), **values))
    crm_db.commit()


# --- returns: the CRM's verdict, phrased ---------------------------------------------------------


async def test_the_return_window_in_the_refusal_is_the_crms(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=261, status=OrderStatus.DELIVERED, placed_days_ago=50, delivered_days_ago=31)
    tracker = tracker_for(order.number, "inform", customer_id=261, active_loop="return_form")
    messages, result = await validate(ValidateReturnForm(), "order_id", order.number, tracker)
    assert result == {"order_id": order.number, "request_refused": True}
    deadline = order.shipment.delivered_at + timedelta(days=30)
    assert [(m["response"], m["number"], m["window_days"]) for m in messages] == [
        ("utter_return_window_closed", order.number, 30)
    ]
    assert text_of(messages[0]) == (
        f"I'm sorry: the 30-day return window for order {order.number} closed on {human_date(deadline.isoformat())}."
    )


async def test_an_undelivered_order_is_refused_with_the_window_it_will_have(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=262, status=OrderStatus.PROCESSING, placed_days_ago=1)
    tracker = tracker_for(order.number, "inform", customer_id=262, active_loop="return_form")
    messages, result = await validate(ValidateReturnForm(), "order_id", order.number, tracker)
    assert result == {"order_id": order.number, "request_refused": True}
    assert text_of(messages[0]) == (
        f"Order {order.number} is processing, so it can't be returned yet. "
        "Once it's delivered you have 30 days to return it."
    )


async def test_a_second_return_is_refused_in_the_form_already(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=263, status=OrderStatus.DELIVERED, delivered_days_ago=2)
    create_return(db_session=crm_db, order=order, reason="first")
    crm_db.commit()
    tracker = tracker_for(order.number, "inform", customer_id=263, active_loop="return_form")
    messages, result = await validate(ValidateReturnForm(), "order_id", order.number, tracker)
    assert result == {"order_id": order.number, "request_refused": True}
    assert messages[0]["response"] == "utter_return_already_requested"
    assert text_of(messages[0]) == f"I couldn't start that return: a return for order {order.number} already exists."


async def test_a_return_opened_meanwhile_is_explained_at_the_end_of_the_form(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=264, status=OrderStatus.DELIVERED, delivered_days_ago=2)
    create_return(db_session=crm_db, order=order, reason="opened in the shop meanwhile")
    crm_db.commit()
    slots = {"order_id": order.number, "return_reason": "too small", "confirmed": "yes"}
    messages, events = await run(ActionStartReturn(), tracker_for("yes", "affirm", customer_id=264, slots=slots))
    assert [m["response"] for m in messages] == ["utter_return_already_requested"]
    discussed = {"event": "slot", "timestamp": None, "name": "context_order", "value": order.number}
    assert events == [discussed] + [
        {"event": "slot", "timestamp": None, "name": name, "value": None}
        for name in (
            "order_id",
            "return_items",
            "return_reason",
            "confirmed",
            "confirm_retries",
            "request_refused",
            "form_aside",
        )
    ]
    assert len(crm_db.scalars(select(Return).where(Return.order_id == order.id)).all()) == 1


async def test_refund_lines_follow_each_refunds_state(action_env, tracker_for, crm_db):
    done = add_order(crm_db, customer_id=265, status=OrderStatus.DELIVERED, delivered_days_ago=9)
    waiting = add_order(crm_db, customer_id=265, status=OrderStatus.DELIVERED, delivered_days_ago=8)
    paid_at = datetime.now(UTC) - timedelta(days=1)
    first = create_return(db_session=crm_db, order=done, reason="a", now=datetime.now(UTC) - timedelta(minutes=2))
    first.refunds.append(
        Refund(order=done, amount=Decimal("12.50"), status=RefundStatus.COMPLETED, completed_at=paid_at)
    )
    create_return(db_session=crm_db, order=waiting, reason="b", now=datetime.now(UTC) - timedelta(minutes=1))
    crm_db.commit()
    messages, _ = await run(ActionRefundStatus(), tracker_for("refund?", "refund_status", customer_id=265))
    assert messages[0]["response"] == "utter_returns_list"
    lines = text_of(messages[0]).split("\n")
    assert lines[0] == "Here is where your returns stand:"
    assert lines[1].endswith(f"(order {waiting.number}) is requested; the refund starts once we receive the parcel.")
    assert lines[2].endswith(
        f"(order {done.number}) is requested; 12.50 was refunded on {human_date(paid_at.isoformat())}."
    )


async def test_no_returns_is_said_by_name(action_env, tracker_for, crm_db):
    messages, _ = await run(ActionRefundStatus(), tracker_for("refund?", "refund_status", customer_id=266))
    name = crm_db.get(Customer, 266).first_name
    assert messages[0]["response"] == "utter_no_returns" and text_of(messages[0]).startswith(f"{name}, I can't see")


# --- loyalty: the CRM's tiers, phrased -----------------------------------------------------------


async def test_loyalty_points_to_the_next_tier_come_from_the_crm(action_env, tracker_for, crm_db):
    set_loyalty(crm_db, 267, points=650, tier="bronze")
    name = crm_db.get(Customer, 267).first_name
    messages, events = await run(ActionLoyaltyPoints(), tracker_for("my points?", "loyalty_points", customer_id=267))
    assert events == [] and messages[0]["response"] == "utter_loyalty_points_next_tier"
    assert text_of(messages[0]) == (
        f"{name}, you have 650 points and you're a bronze member. 150 more points and you'll be silver."
    )
    set_loyalty(crm_db, 267, points=2400, tier="gold")
    messages, _ = await run(ActionLoyaltyPoints(), tracker_for("my points?", "loyalty_points", customer_id=267))
    assert messages[0]["response"] == "utter_loyalty_points"
    assert text_of(messages[0]) == f"{name}, you have 2400 points and you're a gold member."


async def test_no_loyalty_account_is_invited_to_join(action_env, tracker_for, crm_db):
    set_loyalty(crm_db, 268, points=None)
    messages, _ = await run(ActionLoyaltyPoints(), tracker_for("points?", "loyalty_points", customer_id=268))
    name = crm_db.get(Customer, 268).first_name
    assert text_of(messages[0]) == f"{name}, you're not in our loyalty programme yet; your next order joins you."


# --- greetings and offers: the CRM's choice, phrased and logged ----------------------------------


async def test_a_gold_member_gets_the_vip_greeting_and_the_reason_is_logged(action_env, tracker_for, crm_db):
    set_loyalty(crm_db, 269, points=2500, tier="gold")
    tracker = tracker_for("hi", "greet", customer_id=269)
    messages, _ = await run(ActionGreet(), tracker)
    name = crm_db.get(Customer, 269).first_name
    assert messages[0]["response"] == "utter_greet_vip"
    assert text_of(messages[0]) == (
        f"Welcome back, {name}! Always a pleasure to help one of our gold members. What can I do for you today?"
    )
    decision = crm_db.scalars(select(BotDecision).where(BotDecision.customer_id == 269)).one()
    assert (
        decision.conversation_id == tracker.sender_id
        and decision.decision == "vip_greeting"
        and decision.reason.startswith("loyalty tier gold")
    )


async def test_a_valued_segment_without_a_vip_tier_gets_the_personal_greeting(action_env, tracker_for, crm_db):
    set_loyalty(crm_db, 270, points=None)
    set_score(crm_db, 270, segment="Champions", churn_probability=0.05)
    messages, events = await run(ActionGreet(), tracker_for("hi", "greet", customer_id=270))
    assert messages[0]["response"] == "utter_greet_personal"  # VIP wording by tier only (issue 16)
    assert events == [{"event": "slot", "timestamp": None, "name": "name_used", "value": True}]


async def test_a_plain_customer_gets_the_personal_greeting(action_env, tracker_for, crm_db):
    set_loyalty(crm_db, 271, points=100, tier="bronze")
    messages, _ = await run(ActionGreet(), tracker_for("hi", "greet", customer_id=271))
    name = crm_db.get(Customer, 271).first_name
    assert [m["response"] for m in messages] == ["utter_greet_personal"]
    assert text_of(messages[0]) == f"Hello {name}! How can I help you today?"


async def test_the_retention_voucher_is_the_crms(action_env, tracker_for, crm_db):
    set_score(crm_db, 272, segment="Hibernating", churn_probability=0.2)
    tracker = tracker_for("this is the third late parcel, I'm fed up", "complaint", customer_id=272)
    messages, _ = await run(ActionComplaint(), tracker)
    assert [m["response"] for m in messages] == ["utter_complaint_opened", "utter_retention_offer"]
    code = messages[1]["voucher_code"]
    assert code.startswith("STAY-") and messages[1]["percent_off"] == 15
    assert (
        text_of(messages[1]) == f"As a thank-you for your patience, here is a 15% voucher for your next order: {code}."
    )
    decision = crm_db.scalars(select(BotDecision).where(BotDecision.customer_id == 272)).one()
    assert (decision.decision, decision.reason) == ("retention_offer", "segment 'Hibernating' is at risk of leaving")


# --- lists put together from the domain's parts --------------------------------------------------


async def test_recent_orders_and_invoice_are_worded_by_the_domain(action_env, tracker_for, crm_db):
    order = add_order(crm_db, customer_id=273, status=OrderStatus.DELIVERED, delivered_days_ago=3,
                      skus=("KI0000", "GA2001"))  # fmt: skip
    name = crm_db.get(Customer, 273).first_name
    listed = (await run(ActionListOrders(), tracker_for("my orders", "list_orders", customer_id=273)))[0]
    assert listed[0]["response"] == "utter_recent_orders_named"  # the first reply of the conversation
    lines = text_of(listed[0]).split("\n")
    assert lines[0] == f"Hi {name}! Here are your most recent orders:"
    assert lines[-1] == "Ask me about any order by its number."
    assert 1 <= len(lines[1:-1]) <= 5 and all(line.startswith("- Order ") for line in lines[1:-1])
    entity = [{"entity": "order_id", "value": order.number}]
    invoice = await run(ActionGetInvoice(), tracker_for("invoice", "get_invoice", customer_id=273, entities=entity))
    lines = text_of(invoice[0][0]).split("\n")
    assert lines[1:3] == [f"- 1 × {item.product.name} at {item.unit_price}" for item in order.items]
    assert lines[3].startswith(f"Total: {order.total} EUR (VAT included).")
