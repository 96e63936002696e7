"""Actions about orders."""

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.crm_client import CRMClient, CRMError, CRMUnavailable, CustomerNotVerified, OrderNotFound
from actions.formatting import describe_order
from actions.identity import customer_token

logger = logging.getLogger(__name__)

ORDER_NUMBER = re.compile(r"#?([A-Za-z0-9-]{1,40})")
NOT_AN_ORDER_NUMBER = "That doesn't look like one of our order numbers. It has six digits, like 702733."


class ActionOrderStatus(Action):
    """Tell a verified customer where one of their orders is."""

    def name(self) -> str:
        return "action_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        number = next(tracker.get_latest_entity_values("order_id"), None) or tracker.get_slot("order_id")
        client = CRMClient(customer_token(tracker))
        match = ORDER_NUMBER.fullmatch(str(number).strip()) if number else None
        if number and not match:
            dispatcher.utter_message(text=NOT_AN_ORDER_NUMBER)
            return [SlotSet("order_id", None)]
        try:
            if match:
                number = match.group(1)
                answer = await client.get_order(number)
                first_name = answer["customer"]["first_name"]
                dispatcher.utter_message(text=f"Hi {first_name}! {describe_order(answer['order'])}")
            else:
                await self._offer_recent_orders(client, dispatcher)
        except CustomerNotVerified:
            dispatcher.utter_message(response="utter_ask_identify")
        except OrderNotFound:
            dispatcher.utter_message(
                text=f"I couldn't find an order {number} on your account. Please check the number; "
                "it has six digits and is in your confirmation e-mail."
            )
        except CRMUnavailable:
            logger.exception("CRM unavailable while answering an order-status question")
            dispatcher.utter_message(response="utter_service_unavailable")
        except CRMError:
            logger.exception("CRM refused an order-status request")
            dispatcher.utter_message(text=NOT_AN_ORDER_NUMBER)
        return [SlotSet("order_id", None)]

    @staticmethod
    async def _offer_recent_orders(client: CRMClient, dispatcher: CollectingDispatcher) -> None:
        answer = await client.list_orders(limit=3)
        first_name, orders = answer["customer"]["first_name"], answer["orders"]
        if not orders:
            dispatcher.utter_message(text=f"Hi {first_name}! I can't see any orders on your account yet.")
            return
        lines = "\n".join(f"- {describe_order(order)}" for order in orders)
        dispatcher.utter_message(
            text=f"Hi {first_name}! Here are your most recent orders:\n{lines}\n"
            "Ask me about any order by its number."
        )
