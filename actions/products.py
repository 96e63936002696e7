"""Products, recommendations and loyalty."""

from typing import Any

from actions.base import CRMAction, Events, latest_intent
from actions.crm_client import CRMClient, CustomerNotVerified
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


class ActionProductInfo(CRMAction):
    """Price, availability or details of the product the customer named; open to everyone."""

    reset_slots = ("product",)

    def name(self) -> str:
        return "action_product_info"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        query = next(tracker.get_latest_entity_values("product"), None) or tracker.get_slot("product")
        if not query or len(str(query).strip()) < 2:
            dispatcher.utter_message(response="utter_ask_which_product")
            return []
        matches = await crm.search_products(str(query), limit=1)
        if not matches:
            dispatcher.utter_message(text=f'I couldn\'t find "{query}" in our catalogue. Could you check the name?')
            return []
        product = matches[0]
        intent = latest_intent(tracker)
        stock = "in stock" if product["in_stock"] else "out of stock at the moment"
        if intent == "product_price":
            text = f"The {product['name']} costs €{product['unit_price']}."
        elif intent == "product_availability":
            text = f"The {product['name']} is {stock}."
            if not product["in_stock"]:
                text += " It's usually back within two weeks."
        else:
            text = f"{product['description']} It costs €{product['unit_price']} and is {stock}."
        dispatcher.utter_message(text=text, json_message=payloads.product_cards([product_card(product)]))
        return []


class ActionRecommendProducts(CRMAction):
    """Personal recommendations with their reasons; best sellers for visitors."""

    def name(self) -> str:
        return "action_recommend_products"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        try:
            suggestions = await crm.recommendations(limit=3)
            intro = "Here are a few things I think you'll like:"
        except CustomerNotVerified:
            suggestions = await crm.popular(limit=3)
            intro = "Here are our best sellers right now (sign in for personal suggestions):"
        if not suggestions:
            dispatcher.utter_message(text="I don't have suggestions right now; have a look at our new arrivals.")
            return []
        lines = [f"- {s['product']['name']} (€{s['product']['unit_price']}): {s['reason']}" for s in suggestions]
        cards = [product_card(s["product"], s["reason"]) for s in suggestions]
        dispatcher.utter_message(text="\n".join([intro, *lines]), json_message=payloads.product_cards(cards))
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
            dispatcher.utter_message(
                text=f"{name}, you're not in our loyalty programme yet; your next order joins you."
            )
            return []
        next_tier = {"bronze": ("silver", 800), "silver": ("gold", 2000)}.get(loyalty["tier"])
        text = f"{name}, you have {loyalty['points']} points and you're a {loyalty['tier']} member."
        if next_tier:
            text += f" {next_tier[1] - loyalty['points']} more points and you'll be {next_tier[0]}."
        dispatcher.utter_message(text=text)
        return []
