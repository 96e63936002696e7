"""The business rules the CRM owns: return window, loyalty tiers, retention offers, payment methods.

Pure rules are checked on plain objects; the return eligibility, which reads open returns,
runs on SQLite and PostgreSQL (through the parametrised `db_session`).
"""

from datetime import UTC, datetime, timedelta

import pytest

from crm_backend.customers.loyalty import TIERS, standing, tier_for
from crm_backend.customers.models import Customer, LoyaltyAccount
from crm_backend.insights.models import CustomerScore
from crm_backend.offers.service import RETENTION_PERCENT_OFF, greeting, retention_offer
from crm_backend.orders.models import OrderStatus
from crm_backend.payments.service import MethodVerdict, answer_about
from crm_backend.returns.policy import RETURN_WINDOW_DAYS, ReturnVerdict, return_eligibility
from crm_backend.returns.service import NotReturnable, create_return
from tests.factories import add_order

# --- return window -----------------------------------------------------------------------------


def test_a_recent_delivery_may_be_returned_until_the_window_ends(db_session):
    order = add_order(db_session, customer_id=240, status=OrderStatus.DELIVERED, delivered_days_ago=5)
    verdict = return_eligibility(db_session=db_session, order=order)
    assert verdict.eligible and verdict.verdict is ReturnVerdict.ELIGIBLE
    delivered = order.shipment.delivered_at
    delivered = delivered if delivered.tzinfo else delivered.replace(tzinfo=UTC)
    assert verdict.deadline == delivered + timedelta(days=RETURN_WINDOW_DAYS)
    assert verdict.window_days == 30


def test_the_window_closes_after_thirty_days(db_session):
    order = add_order(db_session, customer_id=240, status=OrderStatus.DELIVERED, delivered_days_ago=5)
    deadline = return_eligibility(db_session=db_session, order=order).deadline
    just_before = return_eligibility(db_session=db_session, order=order, now=deadline - timedelta(seconds=1))
    just_after = return_eligibility(db_session=db_session, order=order, now=deadline + timedelta(seconds=1))
    assert just_before.verdict is ReturnVerdict.ELIGIBLE
    assert just_after.verdict is ReturnVerdict.WINDOW_CLOSED and not just_after.eligible


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.SHIPPED])
def test_an_undelivered_order_cannot_be_returned_yet(db_session, status):
    order = add_order(db_session, customer_id=241, status=status, placed_days_ago=2)
    verdict = return_eligibility(db_session=db_session, order=order)
    assert verdict.verdict is ReturnVerdict.NOT_DELIVERED and verdict.deadline is None


def test_a_second_return_for_the_same_order_is_refused_and_the_workflow_agrees(db_session):
    order = add_order(db_session, customer_id=242, status=OrderStatus.DELIVERED, delivered_days_ago=3)
    create_return(db_session=db_session, order=order, reason="too big")
    db_session.commit()
    assert return_eligibility(db_session=db_session, order=order).verdict is ReturnVerdict.ALREADY_REQUESTED
    with pytest.raises(NotReturnable) as refused:
        create_return(db_session=db_session, order=order, reason="again")
    assert refused.value.code == "already_requested"


def test_the_workflow_refuses_exactly_what_the_policy_refuses(db_session):
    order = add_order(db_session, customer_id=243, status=OrderStatus.DELIVERED, delivered_days_ago=5)
    late = datetime.now(UTC) + timedelta(days=RETURN_WINDOW_DAYS)
    assert return_eligibility(db_session=db_session, order=order, now=late).verdict is ReturnVerdict.WINDOW_CLOSED
    with pytest.raises(NotReturnable) as refused:
        create_return(db_session=db_session, order=order, reason="late", now=late)
    assert refused.value.code == "window_closed"
    db_session.rollback()


# --- loyalty tiers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "tier"), [(0, "bronze"), (799, "bronze"), (800, "silver"), (1999, "silver"), (2000, "gold")]
)
def test_points_earn_tiers_at_the_thresholds(points, tier):
    assert tier_for(points) == tier


def test_standing_says_how_far_the_next_tier_is():
    assert standing(LoyaltyAccount(points=650, tier="bronze")).__dict__ == {
        "points": 650, "tier": "bronze", "next_tier": "silver", "points_to_next_tier": 150,
    }  # fmt: skip
    assert standing(LoyaltyAccount(points=1500, tier="silver")).points_to_next_tier == 500
    top = standing(LoyaltyAccount(points=5000, tier="gold"))
    assert top.tier == "gold" and top.next_tier is None and top.points_to_next_tier is None


def test_a_granted_tier_counts_but_never_below_what_points_earned():
    granted = standing(LoyaltyAccount(points=100, tier="gold"))
    assert granted.tier == "gold" and granted.next_tier is None
    lagging = standing(LoyaltyAccount(points=900, tier="bronze"))
    assert (lagging.tier, lagging.next_tier, lagging.points_to_next_tier) == ("silver", "gold", 1100)
    own = standing(LoyaltyAccount(points=10, tier="platinum"))
    assert (own.tier, own.next_tier) == ("platinum", None)


def test_tiers_rise_with_points():
    needed = [points for _, points in TIERS]
    assert needed == sorted(needed) and needed[0] == 0


# --- retention offers and greetings ------------------------------------------------------------


def score(**values) -> CustomerScore:
    defaults = {"model_version": "test-1", "segment": None, "churn_probability": None, "top_factors": None}
    return CustomerScore(**{**defaults, **values})


def test_a_likely_churner_gets_the_voucher_with_the_reason():
    factors = {"churn": ["recency = 200 raises churn risk by 0.3", "frequency = 9 lowers churn risk by 0.1"]}
    offer = retention_offer(score(churn_probability=0.82, top_factors=factors))
    assert offer.percent_off == RETENTION_PERCENT_OFF
    # Only the factors that raised the risk are named (issue 16).
    assert (
        offer.reason
        == "churn probability 0.82 >= 0.5 (model test-1); raised by: recency = 200 raises churn risk by 0.3"
    )


@pytest.mark.parametrize("segment", ["At risk", "Hibernating", "Cannot lose them"])
def test_an_at_risk_segment_gets_the_voucher(segment):
    offer = retention_offer(score(segment=segment, churn_probability=0.1))
    assert offer.percent_off == RETENTION_PERCENT_OFF and segment in offer.reason


@pytest.mark.parametrize("value", [None, score(churn_probability=0.49, segment="Loyal"), score(segment="Champions")])
def test_no_offer_for_customers_we_are_not_losing(value):
    offer = retention_offer(value)
    assert offer.percent_off is None and offer.reason


def test_silver_and_gold_members_get_the_vip_greeting_by_tier_only():
    gold = Customer(first_name="A", last_name="B", loyalty=LoyaltyAccount(points=3000, tier="gold"))
    silver = Customer(first_name="C", last_name="D", loyalty=LoyaltyAccount(points=900, tier="silver"))
    bronze = Customer(first_name="G", last_name="H", loyalty=LoyaltyAccount(points=10, tier="bronze"))
    assert greeting(gold, None).style == "vip" and greeting(gold, None).tier == "gold"
    assert greeting(silver, score(segment="Hibernating")).style == "vip"
    plain = greeting(bronze, score(segment="Champions"))  # a segment no longer makes a bronze member a VIP
    assert (plain.style, plain.reason) == ("personal", "loyalty tier bronze")
    assert greeting(Customer(first_name="E", last_name="F"), None).style == "personal"


# --- payment methods ---------------------------------------------------------------------------


def test_a_named_accepted_method_is_confirmed():
    answer = answer_about("paypal")
    assert answer.verdict is MethodVerdict.ACCEPTED and answer.method.label == "PayPal"
    assert answer_about("Apple Pay").method.key == "apple_pay"


def test_bank_transfer_is_not_accepted_and_an_unknown_method_is_unknown():
    assert answer_about("bank_transfer").verdict is MethodVerdict.NOT_ACCEPTED
    assert answer_about("cheque").verdict is MethodVerdict.UNKNOWN and answer_about(None).method is None
    keys = [m.key for m in answer_about(None).accepted]
    assert keys == ["credit_card", "debit_card", "paypal", "apple_pay", "google_pay", "klarna", "gift_card"]
