"""Personal treatment, as the CRM decides it: the greeting and the retention offer.

The CRM chooses (/bot/profile's `greeting`, /bot/offers/retention) and gives its reason;
these functions only pick the reply and the decision to log with that reason (agents see
the reasons in the console).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.crm_client import CRMClient, CustomerNotVerified

# Leaving or frustration language, whatever the intent: "I'm done with you guys", "never ordering
# again", "I'll shop elsewhere", "fed up". With a high churn risk (the CRM's call) it earns an offer.
LEAVING = re.compile(
    r"\b(?:done with you|never (?:order|buy|shop|com)\w* (?:again|here|from you)|(?:shop|buy|go|order)\w* elsewhere"
    r"|take my (?:business|money) elsewhere|(?:switch|mov)\w* to (?:another|a different|your competitor)"
    r"|fed up|sick of|had enough|last time i (?:order|buy|shop)|close my account|worst (?:shop|service|company)"
    r"|(?:cancel|delete) my account|so disappointed|ridiculous|unacceptable|furious|quit(?:ting)? (?:this|your|you)"
    r"|(?:leave|leaving) (?:this|your) (?:shop|store))",
    re.IGNORECASE,
)


def sounds_like_leaving(text: str | None) -> bool:
    return bool(LEAVING.search(text or ""))


@dataclass(frozen=True)
class Choice:
    decision: str  # logged with /bot/decisions
    reason: str
    response: str
    values: dict[str, Any] = field(default_factory=dict)


def retention_offer(offer: dict[str, Any]) -> Choice | None:
    """The voucher reply for the CRM's retention answer, or None when no offer applies."""
    voucher = offer.get("voucher")
    if not offer.get("applies") or not voucher:
        return None
    values = {"voucher_code": voucher["code"], "percent_off": voucher["percent_off"]}
    return Choice("retention_offer", offer["reason"], "utter_retention_offer", values)


def greeting(profile: dict[str, Any]) -> Choice:
    """A personal welcome by name, with the tier where the CRM says it means something."""
    name = profile["customer"]["first_name"]
    chosen = profile["greeting"]
    if chosen["style"] == "vip":
        tier = chosen.get("tier")
        response = "utter_greet_vip" if tier else "utter_greet_vip_no_tier"
        return Choice("vip_greeting", chosen["reason"], response, {"first_name": name, "tier": tier})
    return Choice("personal_greeting", chosen["reason"], "utter_greet_personal", {"first_name": name})


async def offer_to_stay(dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient) -> bool:
    """The CRM's retention voucher (unique, expiring) for a verified customer it says we may lose;
    whether one was offered. The reason, with the factors that raised the risk, is logged."""
    if not crm.is_verified:
        return False
    try:
        offer = retention_offer(await crm.retention_offer())
    except CustomerNotVerified:
        return False
    if offer is None:
        return False
    dispatcher.utter_message(response=offer.response, **offer.values)
    await crm.log_decision(tracker.sender_id, offer.decision, offer.reason)
    return True
