"""Account actions that change CRM data: newsletter consent."""

from actions.base import CRMAction, Events, latest_intent
from actions.crm_client import CRMClient


class ActionNewsletter(CRMAction):
    """Subscribe or unsubscribe, stored as a consent in the CRM."""

    def name(self) -> str:
        return "action_newsletter"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        subscribe = latest_intent(tracker) == "newsletter_subscribe"
        profile = await crm.set_consent("newsletter", subscribe)
        name = profile["customer"]["first_name"]
        if subscribe:
            dispatcher.utter_message(
                text=f"Done, {name}: you're subscribed to our newsletter. You can unsubscribe any time, here or "
                "from the link in every e-mail."
            )
        else:
            dispatcher.utter_message(
                text=f"Done, {name}: you're unsubscribed and won't receive our newsletter any more."
            )
        return []
