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
        response = "utter_newsletter_subscribed" if subscribe else "utter_newsletter_unsubscribed"
        dispatcher.utter_message(response=response, first_name=profile["customer"]["first_name"])
        return []
