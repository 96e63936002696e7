"""The Telegram bridge's own input channel: `/webhooks/telegram/webhook` (runs inside Rasa).

Which channel a message came in on is the name of the Rasa input channel that received it
(`tracker.get_latest_input_channel()`), never something a client writes into its metadata. So
the bridge (channels/telegram) posts here, not to the plain REST channel, and the actions see
"telegram": the handoff queues the conversation for the Telegram outbox, and the reply goes to
the chat in `protocol.metadata.CHANNEL_ADDRESS`.

The same guarantees and the same credential (`REST_CHANNEL_TOKEN`) as the reliable REST
channel; the conversation ids must be the bridge's keyed ones
(`protocol.conversations.telegram_conversation_id`).
"""

from bot.channels import turns
from bot.channels.reliable_rest import ReliableRestInput
from protocol.conversations import is_telegram_conversation_id
from protocol.metadata import TELEGRAM_CHANNEL


class TelegramBridgeInput(ReliableRestInput):
    """POST /webhooks/telegram/webhook, from the Telegram bridge only."""

    @classmethod
    def name(cls) -> str:
        return TELEGRAM_CHANNEL

    def check_sender(self, sender: str) -> str:
        if not is_telegram_conversation_id(sender):
            raise turns.MessageRefused(400, "invalid_sender", "`sender` must be a Telegram conversation id (tg-...).")
        return sender
