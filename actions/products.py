"""Products, recommendations and loyalty. Tiers and the points to the next one are the CRM's
(/bot/profile); the words are bot/domain/products.yml's."""

import re
from typing import Any

from actions.base import CRMAction, Events, latest_intent
from actions.context import CONTEXT_PRODUCT, slot
from actions.crm_client import CRMClient, CustomerNotVerified
from actions.phrasing import phrase
from protocol import payloads


def product_card(product: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
    """The channel-neutral card (protocol.payloads) that the widget and Telegram bridge render."""
    return payloads.product_card(
        {
            "sku": product["sku"],
            "name": product["name"],
            "price": product["unit_price"],
            "currency": "EUR",
            "image_url": product["image_url"],
            "in_stock": product["in_stock"],
            "reason": reason,
        }
    )


# The reply for each question, (out of stock, in stock).
DETAILS = ("utter_product_details_out_of_stock", "utter_product_details_in_stock")
REPLIES = {
    "product_price": ("utter_product_price", "utter_product_price"),
    "product_availability": ("utter_product_out_of_stock", "utter_product_in_stock"),
}


class ActionProductInfo(CRMAction):
    """Price, availability or details of the product the customer named; open to everyone."""

    reset_slots = ("product",)

    def name(self) -> str:
        return "action_product_info"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        query = next(tracker.get_latest_entity_values("product"), None) or tracker.get_slot("product")
        # "is it in stock?": the product being discussed (actions/context.py).
        query = query or tracker.get_slot(CONTEXT_PRODUCT)
        if not query or len(str(query).strip()) < 2:
            dispatcher.utter_message(response="utter_ask_which_product")
            return []
        matches = await crm.search_products(str(query), limit=1)
        if not matches:
            dispatcher.utter_message(response="utter_product_not_found", query=str(query))
            return []
        product = matches[0]
        response = REPLIES.get(latest_intent(tracker), DETAILS)[bool(product["in_stock"])]
        dispatcher.utter_message(
            response=response,
            product_name=product["name"],
            price=product["unit_price"],
            description=product["description"],
            json_message=payloads.product_cards([product_card(product)]),
        )
        return [slot(CONTEXT_PRODUCT, product["name"])]


# "under 20 euros", "max 60€", "less than €40", "up to 25 eur": the budget.
BUDGET = re.compile(
    r"\b(?:under|below|less than|max(?:imum)?|up to|no more than|within|at most)\s*(?:€|eur(?:os?)?\s*)?"
    r"(\d{1,5}(?:[.,]\d{1,2})?)",
    re.IGNORECASE,
)
# Who or what it is for, in words, and the catalogue category that serves them.
RECIPIENTS = (
    (re.compile(r"\b(?:garden\w*|plants?|balcony|patio|outdoors?)\b", re.I), "garden"),
    (
        re.compile(r"\b(?:niece|nephew|kids?|child(?:ren)?|toddler|baby|year[- ]old|son|daughter|grandchild)\b", re.I),
        "toys",
    ),
    (re.compile(r"\b(?:cook\w*|kitchen|bak(?:e|ing|er)|chef)\b", re.I), "kitchen"),
    (re.compile(r"\b(?:office|desk|writing|notebooks?|school)\b", re.I), "stationery"),
    (re.compile(r"\b(?:living room|decor\w*|home|flat|apartment)\b", re.I), "home decor"),
    (re.compile(r"\b(?:travel\w*|bags?|handbag)\b", re.I), "bags"),
)


def wish_of(tracker) -> dict[str, Any]:
    """The category and budget the request names ("for my garden", "under 20 euros")."""
    text = (tracker.latest_message or {}).get("text") or ""
    category = next(tracker.get_latest_entity_values("category"), None)
    if not category:
        category = next((name for pattern, name in RECIPIENTS if pattern.search(text)), None)
    budget = BUDGET.search(text)
    return {"category": category, "max_price": budget.group(1).replace(",", ".") if budget else None}


class ActionRecommendProducts(CRMAction):
    """Personal recommendations with their reasons, in the category and budget the customer
    named; best sellers for visitors."""

    def name(self) -> str:
        return "action_recommend_products"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        wish = wish_of(tracker)
        try:
            suggestions = await crm.recommendations(limit=3, **wish)
            response = "utter_recommendations"
        except CustomerNotVerified:
            suggestions = await crm.popular(limit=3, **wish)
            response = "utter_best_sellers"
        if not suggestions:
            dispatcher.utter_message(response="utter_no_suggestions")
            return []
        slots = tracker.current_slot_values()
        lines = [
            phrase(
                domain,
                slots,
                "utter_part_suggestion",
                product_name=s["product"]["name"],
                price=s["product"]["unit_price"],
                reason=s["reason"],
            )
            for s in suggestions
        ]
        cards = [product_card(s["product"], s["reason"]) for s in suggestions]
        dispatcher.utter_message(
            response=response, product_lines="\n".join(lines), json_message=payloads.product_cards(cards)
        )
        if crm.is_verified:
            reason = "; ".join(f"{s['product']['sku']}: {s['reason']} [{s['source']}]" for s in suggestions)
            await crm.log_decision(tracker.sender_id, "recommendations", reason)
        return []


class ActionLoyaltyPoints(CRMAction):
    def name(self) -> str:
        return "action_loyalty_points"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        profile = await crm.profile()
        name, loyalty = profile["customer"]["first_name"], profile.get("loyalty")
        if not loyalty:
            dispatcher.utter_message(response="utter_loyalty_not_member", first_name=name)
            return []
        response = "utter_loyalty_points_next_tier" if loyalty.get("next_tier") else "utter_loyalty_points"
        dispatcher.utter_message(
            response=response,
            first_name=name,
            points=loyalty["points"],
            tier=loyalty["tier"],
            next_tier=loyalty.get("next_tier"),
            points_to_next_tier=loyalty.get("points_to_next_tier"),
        )
        return []
