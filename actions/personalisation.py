"""Choosing tone and offers from what the CRM knows, and saying why.

Pure functions over the /bot/profile answer, so that every choice is easy to test and to
log with its reason (the agents see the reasons in the console).
"""

from dataclasses import dataclass
from typing import Any

HIGH_CHURN_RISK = 0.5
AT_RISK_SEGMENTS = frozenset({"At risk", "Hibernating", "Cannot lose them"})
VALUED_SEGMENTS = frozenset({"Champions", "Loyal"})
RETENTION_OFFER = "As a thank-you for your patience, here is a 15% voucher for your next order: SORRY15."


@dataclass(frozen=True)
class Choice:
    decision: str
    reason: str
    text: str


def retention_offer(profile: dict[str, Any]) -> Choice | None:
    """A voucher for an unhappy customer whom we are likely to lose."""
    insights = profile.get("insights") or {}
    churn = insights.get("churn_probability")
    segment = insights.get("segment")
    if churn is not None and churn >= HIGH_CHURN_RISK:
        reason = f"churn probability {churn:.2f} >= {HIGH_CHURN_RISK} (model {insights.get('model_version')})"
        return Choice("retention_offer", reason + _factors(insights), RETENTION_OFFER)
    if segment in AT_RISK_SEGMENTS:
        return Choice("retention_offer", f"segment '{segment}' is at risk of leaving", RETENTION_OFFER)
    return None


def greeting(profile: dict[str, Any]) -> Choice:
    """A personal welcome: by name, with the loyalty tier where it means something."""
    name = profile["customer"]["first_name"]
    loyalty = profile.get("loyalty") or {}
    segment = (profile.get("insights") or {}).get("segment")
    if loyalty.get("tier") == "gold" or segment in VALUED_SEGMENTS:
        why = f"loyalty tier {loyalty.get('tier')}, segment {segment}"
        return Choice(
            "vip_greeting",
            why,
            f"Welcome back, {name}! Always a pleasure to help one of our {loyalty.get('tier', 'valued')} members. "
            "What can I do for you today?",
        )
    return Choice("personal_greeting", "verified customer", f"Hello {name}! How can I help you today?")


def _factors(insights: dict[str, Any]) -> str:
    factors = insights.get("top_factors")
    if isinstance(factors, dict) and factors:
        churn_factors = factors.get("churn", factors)
        if isinstance(churn_factors, list | dict) and churn_factors:
            return f"; top factors: {churn_factors}"
    return ""
