"""Rasa's REST channel for trusted servers, made safe to retry and never silent.

The REST webhook is for servers the shop runs (the Telegram bridge, a shop backend), not for
browsers (they use the widget's socket.io channel): every request needs the channel credential
`REST_CHANNEL_TOKEN` from the environment as `Authorization: Bearer <token>`, else 401. A server
that holds it chooses its conversation ids, so it may also have replies replayed.

Rasa's own `RestInput` answers `[]` when a custom action fails, crashes with a 500 on a body
that is not UTF-8 JSON, and stores whatever text it gets. This channel listens at the same
address, `/webhooks/rest/webhook`, and gives the guarantees of `bot.channels.turns`; it also
refuses bodies over `max_body_bytes` (413) and anything that is not a JSON object with a string
`sender` and `message` (400), with a JSON error instead of a stack trace.

Configure it in credentials.yml in place of `rest:`:

    bot.channels.reliable_rest.ReliableRestInput: {}
"""

import hmac
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import turns
from protocol.conversations import MIN_SECRET_CHARS
from protocol.metadata import MESSAGE_ID, REST_CHANNEL, RETRY

logger = logging.getLogger(__name__)

TOKEN_ENV = "REST_CHANNEL_TOKEN"
MAX_BODY_BYTES = 64 * 1024


def bearer_token(request: Request) -> str | None:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class ReliableRestInput(InputChannel):
    """POST /webhooks/rest/webhook: {"sender": ..., "message": ..., "metadata": {...}}."""

    @classmethod
    def name(cls) -> str:
        return REST_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "ReliableRestInput":
        credentials = credentials or {}
        return cls(
            token=os.environ.get(TOKEN_ENV, ""), max_body_bytes=int(credentials.get("max_body_bytes", MAX_BODY_BYTES))
        )

    def __init__(self, token: str = "", max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.token = token
        self.max_body_bytes = max_body_bytes
        if len(token) < MIN_SECRET_CHARS:
            logger.error(
                "%s is not set (or shorter than %s characters): the %s channel refuses every request",
                TOKEN_ENV,
                MIN_SECRET_CHARS,
                self.name(),
            )

    def authorised(self, request: Request) -> bool:
        presented = bearer_token(request)
        return (
            len(self.token) >= MIN_SECRET_CHARS
            and presented is not None
            and hmac.compare_digest(presented.encode(), self.token.encode())
        )

    def check_sender(self, sender: str) -> str:
        """Hook for channels with their own id scheme."""
        return sender

    def parse(self, request: Request) -> dict[str, Any]:
        """sender, text, metadata and message_id of a request, or `turns.MessageRefused`."""
        body = request.body or b""
        if len(body) > self.max_body_bytes:
            raise turns.MessageRefused(
                413, "body_too_large", f"Request bodies are limited to {self.max_body_bytes} bytes."
            )
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise turns.MessageRefused(400, "invalid_json", "The body must be a JSON object in UTF-8.") from error
        if not isinstance(payload, dict):
            raise turns.MessageRefused(400, "invalid_json", "The body must be a JSON object in UTF-8.")
        sender = self.check_sender(turns.checked_sender(payload.get("sender")))
        text = turns.checked_text(payload.get("message"))
        raw = payload.get("metadata")
        retry = payload.get(RETRY) is True or (isinstance(raw, dict) and raw.get(RETRY) is True)
        message_id = payload.get(MESSAGE_ID, raw.get(MESSAGE_ID) if isinstance(raw, dict) else None)
        metadata = turns.checked_metadata(raw, message_id=message_id, retry=retry)
        return {"sender": sender, "text": text, "metadata": metadata, "message_id": metadata.get(MESSAGE_ID)}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"reliable_{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authorised(request):
                error = {"code": "unauthorized", "message": f"This channel needs its credential ({TOKEN_ENV})."}
                return response.json({"error": error}, status=401, headers={"WWW-Authenticate": "Bearer"})
            try:
                parsed = self.parse(request)
            except turns.MessageRefused as error:
                if error.code == "message_too_long":  # a person wrote it: answer in words, never a bare 413
                    return response.json(await self.too_long(request, error))
                return response.json({"error": error.as_dict()}, status=error.status)
            return response.json(await self.answer(request, on_new_message, parsed))

        return webhook

    async def too_long(self, request: Request, error: turns.MessageRefused) -> list[dict[str, Any]]:
        """The reply to an overlong message, for a sender the body names (else only the text)."""
        try:
            payload = json.loads((request.body or b"").decode("utf-8"))
            sender = self.check_sender(turns.checked_sender(payload.get("sender")))
        except (UnicodeDecodeError, ValueError, AttributeError, turns.MessageRefused):
            return [{"text": error.message}]
        agent = getattr(request.app.ctx, "agent", None)
        return [{"recipient_id": sender, "text": await turns.too_long_reply(agent, sender, error)}]

    async def answer(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], parsed: dict[str, Any]
    ) -> list[dict[str, Any]]:
        agent = getattr(request.app.ctx, "agent", None)
        sender, message_id = parsed["sender"], parsed["message_id"]
        if message_id is not None and parsed["metadata"].get(RETRY):
            earlier = await turns.stored_replies(agent, sender, message_id)
            if earlier is not None:
                logger.info("Replaying the replies to message %s of %s", message_id, sender)
                return [{"recipient_id": sender, **reply} for reply in earlier]
        collector = CollectingOutputChannel()
        text = await turns.screened_command(agent, sender, parsed["text"])
        try:
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender,
                    input_channel=self.name(),
                    metadata=parsed["metadata"],
                    message_id=message_id,
                )
            )
        except Exception:  # Rasa's own channel swallows these too; we at least apologise
            logger.exception("Rasa failed to handle a message of %s", sender)
        if not collector.messages:
            await turns.answer_while_paused(agent, sender, collector)
        apology = await turns.apologise_if_silent(agent, sender, bool(collector.messages))
        if apology is not None:
            collector.messages.append({"recipient_id": sender, "text": apology})
        return collector.messages
