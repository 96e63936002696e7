"""Whom the bot treats specially, with what, and why: retention vouchers and VIP greetings.

Decided from the analytics scores and the loyalty tier, here only; the bot phrases the
answer and logs the reason it is given (agents read the reasons in the console).
"""

from dataclasses import dataclass

from crm_backend.customers.loyalty import TOP_TIER
from crm_backend.customers.models import Customer
from crm_backend.insights.models import CustomerScore

HIGH_CHURN_RISK = 0.5
AT_RISK_SEGMENTS = frozenset({"At risk", "Hibernating", "Cannot lose them"})
VALUED_SEGMENTS = frozenset({"Champions", "Loyal"})


@dataclass(frozen=True)
class Voucher:
    code: str
    percent_off: int


RETENTION_VOUCHER = Voucher(code="SORRY15", percent_off=15)


@dataclass(frozen=True)
class RetentionOffer:
    voucher: Voucher | None  # None: no offer applies
    reason: str


@dataclass(frozen=True)
class Greeting:
    style: str  # "vip" or "personal"
    reason: str
    tier: str | None


def retention_offer(score: CustomerScore | None) -> RetentionOffer:
    """A voucher for an unhappy customer whom we are likely to lose, and why (or why not)."""
    if score is None:
        return RetentionOffer(None, "no analytics score yet")
    churn, segment = score.churn_probability, score.segment
    if churn is not None and churn >= HIGH_CHURN_RISK:
        reason = f"churn probability {churn:.2f} >= {HIGH_CHURN_RISK} (model {score.model_version})"
        return RetentionOffer(RETENTION_VOUCHER, reason + _factors(score))
    if segment in AT_RISK_SEGMENTS:
        return RetentionOffer(RETENTION_VOUCHER, f"segment '{segment}' is at risk of leaving")
    churn_text = "unknown" if churn is None else f"{churn:.2f}"
    return RetentionOffer(None, f"churn probability {churn_text} < {HIGH_CHURN_RISK}, segment {segment}")


def greeting(customer: Customer, score: CustomerScore | None) -> Greeting:
    """A VIP welcome for top-tier members and valued segments; a personal one otherwise."""
    tier = customer.loyalty.tier if customer.loyalty else None
    segment = score.segment if score else None
    if tier == TOP_TIER or segment in VALUED_SEGMENTS:
        return Greeting("vip", f"loyalty tier {tier}, segment {segment}", tier)
    return Greeting("personal", "verified customer", tier)


def _factors(score: CustomerScore) -> str:
    factors = score.top_factors
    if isinstance(factors, dict) and factors:
        churn_factors = factors.get("churn", factors)
        if isinstance(churn_factors, list | dict) and churn_factors:
            return f"; top factors: {churn_factors}"
    return ""
