"""Rasa's REST channel, made safe to retry and never silent.

Rasa's own `RestInput` answers `[]` when a custom action fails (the action server is down:
Rasa logs "the actions events are lost" and carries on), crashes with a 500 on a body that is
not UTF-8 JSON, and stores whatever text it gets (NUL characters break PostgreSQL). This
channel listens at the same address, `/webhooks/rest/webhook`, and:

- refuses bodies over `max_body_bytes` (413) and texts over `max_message_chars` (413), and
  anything that is not a JSON object with a string `sender` and `message` (400), with a JSON
  error instead of a stack trace;
- removes control characters (but newlines and tabs) and lone surrogates from the text;
- takes an optional client `message_id` (top level or in `metadata`): a message sent again
  with `"retry": true` whose id is already in the tracker gets the replies stored for it
  instead of being processed twice (first attempts skip that look-up: it costs a tracker read);
- answers with the domain's `utter_something_went_wrong` (also stored in the tracker) when
  Rasa produced no reply at all and the conversation is not paused for a human.

Configure it in credentials.yml in place of `rest:`:

    bot.channels.reliable_rest.ReliableRestInput:
      max_message_chars: 4000
"""

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_something_went_wrong"
FALLBACK_APOLOGY = "I'm sorry, something went wrong on our side. Please try again in a moment."
MAX_SENDER_CHARS = 255  # the SQL tracker store's sender_id column
MAX_MESSAGE_ID_CHARS = 255
# C0/C1 controls but \t and \n, DEL, and lone surrogates (not encodable as UTF-8).
_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def clean_text(text: str) -> str:
    """The text without characters that have no business in a chat message."""
    return _UNSAFE_CHARACTERS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


class ReliableRestInput(InputChannel):
    """POST /webhooks/rest/webhook: {"sender": ..., "message": ..., "metadata": {...}}."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "ReliableRestInput":
        credentials = credentials or {}
        return cls(
            max_message_chars=int(credentials.get("max_message_chars", 4000)),
            max_body_bytes=int(credentials.get("max_body_bytes", 64 * 1024)),
        )

    def __init__(self, max_message_chars: int = 4000, max_body_bytes: int = 64 * 1024) -> None:
        self.max_message_chars = max_message_chars
        self.max_body_bytes = max_body_bytes

    def parse(self, request: Request) -> dict[str, Any]:
        """sender, message, metadata and message_id of a request, or `BadRequest`."""
        body = request.body or b""
        if len(body) > self.max_body_bytes:
            raise BadRequest(413, "body_too_large", f"Request bodies are limited to {self.max_body_bytes} bytes.")
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise BadRequest(400, "invalid_json", "The body must be a JSON object in UTF-8.") from error
        if not isinstance(payload, dict):
            raise BadRequest(400, "invalid_json", "The body must be a JSON object in UTF-8.")
        sender, text = payload.get("sender"), payload.get("message")
        metadata = payload.get("metadata") or {}
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise BadRequest(400, "invalid_sender", f"`sender` must be a string of 1 to {MAX_SENDER_CHARS} characters.")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise BadRequest(400, "invalid_message", "`message` must be a string.")
        if len(text) > self.max_message_chars:
            raise BadRequest(413, "message_too_long", f"Messages are limited to {self.max_message_chars} characters.")
        if not isinstance(metadata, dict):
            raise BadRequest(400, "invalid_metadata", "`metadata` must be an object.")
        message_id = payload.get("message_id", metadata.get("message_id"))
        if message_id is not None and (not isinstance(message_id, (str, int)) or len(str(message_id)) > 255):
            raise BadRequest(400, "invalid_message_id", "`message_id` must be a short string.")
        return {
            "sender": clean_text(sender),
            "text": clean_text(text),
            "metadata": metadata,
            "message_id": None if message_id is None else clean_text(str(message_id)),
            "retry": bool(payload.get("retry") or metadata.get("retry")),
        }

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("reliable_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                parsed = self.parse(request)
            except BadRequest as error:
                return response.json({"error": {"code": error.code, "message": error.message}}, status=error.status)
            agent = getattr(request.app.ctx, "agent", None)
            sender, message_id = parsed["sender"], parsed["message_id"]
            if message_id is not None and parsed["retry"] and agent is not None:
                earlier = await replies_to(agent, sender, message_id)
                if earlier is not None:
                    logger.info("Replaying the replies to message %s of %s", message_id, sender)
                    return response.json(earlier)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        parsed["text"],
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=parsed["metadata"],
                        message_id=message_id,
                    )
                )
            except Exception:  # Rasa's own channel swallows these too; we at least apologise
                logger.exception("Rasa failed to handle a message of %s", sender)
            if not collector.messages and agent is not None and not await is_paused(agent, sender):
                apology = apology_text(agent)
                await store_apology(agent, sender, apology)
                collector.messages.append({"recipient_id": sender, "text": apology})
            return response.json(collector.messages)

        return webhook


def apology_text(agent: Any) -> str:
    try:
        return agent.domain.responses[APOLOGY_RESPONSE][0]["text"]
    except (AttributeError, KeyError, IndexError, TypeError):
        return FALLBACK_APOLOGY


async def is_paused(agent: Any, sender: str) -> bool:
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception:
        logger.exception("Could not read the tracker of %s", sender)
        return False
    return tracker is not None and tracker.is_paused()


async def store_apology(agent: Any, sender: str, text: str) -> None:
    """Add the apology to the conversation, so that transcripts show what the user saw."""
    try:
        async with agent.lock_store.lock(sender):
            tracker = await agent.tracker_store.retrieve(sender)
            if tracker is None:
                return
            tracker.update(BotUttered(text, metadata={"reliable_rest": "apology"}))
            await agent.tracker_store.save(tracker)
    except Exception:
        logger.exception("Could not store the apology in the tracker of %s", sender)


async def replies_to(agent: Any, sender: str, message_id: str) -> list[dict[str, Any]] | None:
    """The bot's messages stored after the user message `message_id`, or None if it is unknown."""
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception:
        logger.exception("Could not read the tracker of %s", sender)
        return None
    if tracker is None:
        return None
    replies: list[dict[str, Any]] | None = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            reply: dict[str, Any] = {"recipient_id": sender}
            if event.text:
                reply["text"] = event.text
            reply.update({key: value for key, value in (event.data or {}).items() if value})
            replies.append(reply)
    return replies
