"""Rasa's socket.io channel, fixed for the web widget (runs inside Rasa, Python 3.10).

Two changes to `rasa.core.channels.socketio.SocketIOInput` (Rasa 3.6.21):

- Custom payloads reach the browser. Rasa's `SocketIOOutput.send_custom_json` passes the
  payload as keyword arguments to `AsyncServer.emit`, so `{"type": "product_cards", ...}`
  raises `TypeError` and the rest of the turn is lost. Here it is sent like the REST
  channel sends it: `{"custom": {...}}` on the bot message event.
- A message the widget sends twice is answered once. The widget gives every message an id
  (`message_id` next to the customer token in the metadata) and sends again what was not
  acknowledged before a dropped connection; an id already seen for the same conversation
  is ignored. The id also becomes the user event's `message_id` in the tracker.
- A reply is not lost while the widget reconnects. With `session_persistence` Rasa sends
  replies to the conversation's room; when nobody is in it (the connection dropped while
  the bot was answering), the reply is held and delivered when the widget asks for that
  session again. Held replies live in this process's memory, like socket.io's rooms.
"""

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

logger = logging.getLogger(__name__)

MESSAGE_ID_KEY = "message_id"
REMEMBERED_MESSAGE_IDS = 10_000
MAX_HELD_PER_CONVERSATION = 50
MAX_HELD_CONVERSATIONS = 1_000


class WidgetSocketIOOutput(SocketIOOutput):
    """Sends custom JSON as `{"custom": payload}`, and holds replies for an empty room."""

    def __init__(self, sio: Any, bot_message_evt: str, channel: "WidgetSocketIOInput | None" = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.channel = channel

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if self.channel is not None and self.channel.hold_if_absent(socket_id, response):
            return
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WidgetSocketIOInput(SocketIOInput):
    """`socketio` channel for the Concierge widget; same credentials as Rasa's own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._held: OrderedDict[str, list[Any]] = OrderedDict()

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WidgetSocketIOOutput(self.sio, self.bot_message_evt, self)

    def _first_time(self, sender_id: str, message_id: str) -> bool:
        key = (sender_id, message_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > REMEMBERED_MESSAGE_IDS:
            self._seen.popitem(last=False)
        return True

    def hold_if_absent(self, room: str, response: Any) -> bool:
        """Keep `response` for later if nobody is connected to the conversation's room."""
        if not self.session_persistence or self.sio is None:
            return False
        try:
            present = any(True for _ in self.sio.manager.get_participants(self.namespace or "/", room))
        except KeyError:
            present = False
        if present:
            return False
        held = self._held.setdefault(room, [])
        self._held.move_to_end(room)
        if len(held) < MAX_HELD_PER_CONVERSATION:
            held.append(response)
        while len(self._held) > MAX_HELD_CONVERSATIONS:
            self._held.popitem(last=False)
        logger.info("Holding a reply for conversation %s until it reconnects", room)
        return True

    async def _deliver_held(self, session_id: str) -> None:
        for response in self._held.pop(session_id, []):
            await self.sio.emit(self.bot_message_evt, response, room=session_id)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            message.output_channel = WidgetSocketIOOutput(self.sio, self.bot_message_evt, self)
            metadata = message.metadata if isinstance(message.metadata, dict) else {}
            client_id = metadata.get(MESSAGE_ID_KEY)
            if isinstance(client_id, str) and 0 < len(client_id) <= 100:
                if not self._first_time(str(message.sender_id), client_id):
                    logger.info("Ignoring message %s sent again to conversation %s", client_id, message.sender_id)
                    return
                message.message_id = client_id
            await on_new_message(message)

        blueprint = super().blueprint(handle)
        namespace = self.namespace or "/"
        session_request = self.sio.handlers[namespace]["session_request"]

        async def session_request_then_deliver(sid: str, data: dict | None) -> None:
            await session_request(sid, data)
            session_id = (data or {}).get("session_id")
            if self.session_persistence and isinstance(session_id, str):
                await self._deliver_held(session_id)

        self.sio.on("session_request", session_request_then_deliver, namespace=self.namespace)
        return blueprint
