"""Rasa's socket.io channel, fixed for the web widget (runs inside Rasa, Python 3.10).

Changes to `rasa.core.channels.socketio.SocketIOInput` (Rasa 3.6.21):

- Custom payloads reach the browser. Rasa's `SocketIOOutput.send_custom_json` passes the
  payload as keyword arguments to `AsyncServer.emit`, so `{"type": "product_cards", ...}`
  raises `TypeError` and the rest of the turn is lost. Here it is sent like the REST
  channel sends it: `{"custom": {...}}` on the bot message event.
- A message is answered at most once, and its answer is not lost when the connection drops.
  The widget gives every message an id (`message_id` next to the customer token in the
  metadata; it also becomes the user event's `message_id` in the tracker). Every reply
  carries an `id` (`<message id>#<n>`, or a random one for messages pushed by agents) and
  `reply_to`; replies are sent live as Rasa produces them *and* all together in the
  acknowledgement of `user_uttered`: `{"message_id": ..., "replies": [...]}`. The replies of
  recent messages are kept (`ReplyCache`, bounded and time-limited, in this process), so a
  message sent again (the widget re-sends whatever was not acknowledged before a dropped
  connection, marked `retry`) is not processed again: its acknowledgement carries the kept
  replies, after waiting for the first attempt if that is still running. A retried id that
  this process does not know (Rasa restarted, or the entry expired) is looked up in the
  tracker before it is processed. The widget shows each reply id once.
- A reply sent while nobody is in the conversation's room (with `session_persistence`) is
  held and delivered when the widget asks for that session again; that also covers agents'
  messages pushed through Rasa's HTTP API while the widget is reconnecting.
"""

import asyncio
import json
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from sanic import Blueprint

logger = logging.getLogger(__name__)

MESSAGE_ID_KEY = "message_id"
RETRY_KEY = "retry"
AGENT_ID_KEY = "agent_id"  # in the metadata of agents' messages (crm_backend/handoff/rasa.py)
MAX_MESSAGE_ID_CHARS = 100
MAX_HELD_PER_CONVERSATION = 50
MAX_HELD_CONVERSATIONS = 1_000
REMEMBERED_TURNS = 2_000
REMEMBER_SECONDS = 15 * 60.0
MAX_KEPT_REPLIES = 50  # per message; more are still sent live
# A re-sent message waits this long for its first attempt; the widget gives up after 60 s.
WAIT_FOR_FIRST_ATTEMPT_SECONDS = 50.0


@dataclass
class Turn:
    """One user message being answered, or answered: the replies sent for it so far."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    failed: bool = False
    finished_at: float | None = None
    sent: int = 0  # replies numbered so far (also those beyond MAX_KEPT_REPLIES)

    def next_reply_id(self, message_id: str) -> str:
        self.sent += 1
        return f"{message_id}#{self.sent}"

    def keep(self, reply: dict[str, Any]) -> None:
        if len(self.replies) < MAX_KEPT_REPLIES:
            self.replies.append(reply)

    def finish(self, now: float, failed: bool = False) -> None:
        self.failed, self.finished_at = failed, now
        self.done.set()


class ReplyCache:
    """Turns by (conversation, message id), oldest first; at most `max_turns`, and a finished
    turn for `ttl` seconds. Per process, like socket.io's rooms."""

    def __init__(
        self,
        max_turns: int = REMEMBERED_TURNS,
        ttl: float = REMEMBER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_turns, self.ttl, self.clock = max_turns, ttl, clock
        self._turns: OrderedDict[tuple[str, str], Turn] = OrderedDict()

    def __len__(self) -> int:
        return len(self._turns)

    def get(self, key: tuple[str, str]) -> Turn | None:
        self._expire()
        return self._turns.get(key)

    def start(self, key: tuple[str, str]) -> Turn:
        """A new turn for `key` (which must not be running), evicting the oldest beyond the bound."""
        self._expire()
        turn = self._turns[key] = Turn()
        self._turns.move_to_end(key)
        while len(self._turns) > self.max_turns:
            self._turns.popitem(last=False)
        return turn

    def finish(self, turn: Turn, failed: bool = False) -> None:
        turn.finish(self.clock(), failed)

    def _expire(self) -> None:
        """Forget finished turns older than `ttl`, oldest first; running turns stay however long
        they take. Stops at the first recent one (a turn that finished before an older one may
        stay a little longer: `max_turns` bounds them all)."""
        now = self.clock()
        expired = []
        for key, turn in self._turns.items():
            if turn.finished_at is None:
                continue
            if now - turn.finished_at <= self.ttl:
                break
            expired.append(key)
        for key in expired:
            del self._turns[key]


class WidgetSocketIOOutput(SocketIOOutput):
    """Sends custom JSON as `{"custom": payload}`, gives every reply an id, keeps the replies of
    `turn` and holds replies for an empty room."""

    def __init__(
        self,
        sio: Any,
        bot_message_evt: str,
        channel: "WidgetSocketIOInput | None" = None,
        turn: Turn | None = None,
        message_id: str | None = None,
    ) -> None:
        super().__init__(sio, bot_message_evt)
        self.channel = channel
        self.turn = turn
        self.message_id = message_id

    def stamp(self, response: Any) -> Any:
        """`response` with its reply id (and the message it answers), kept with the turn."""
        if not isinstance(response, dict):
            return response
        if self.turn is not None and self.message_id is not None:
            response = {**response, "id": self.turn.next_reply_id(self.message_id), "reply_to": self.message_id}
        else:
            response = {**response, "id": uuid.uuid4().hex}
        if self.turn is not None:
            self.turn.keep(response)
        return response

    async def _send_message(self, socket_id: str, response: Any) -> None:
        response = self.stamp(response)
        if self.channel is not None and self.channel.hold_if_absent(socket_id, response):
            return
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class _Replay(WidgetSocketIOOutput):
    """Records the replies of a turn without sending them (replies read back from the tracker)."""

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.stamp(response)


class WidgetSocketIOInput(SocketIOInput):
    """`socketio` channel for the Concierge widget; same credentials as Rasa's own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.turns = ReplyCache()
        self._held: OrderedDict[str, list[Any]] = OrderedDict()
        self._app: Any = None  # the Sanic app, for the agent's tracker store

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WidgetSocketIOOutput(self.sio, self.bot_message_evt, self)

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

    async def answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        text: str,
        metadata: dict[str, Any],
    ) -> dict[str, Any]:
        """Process one user message at most once; the acknowledgement with all its replies."""
        message_id = metadata.get(MESSAGE_ID_KEY)
        if not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_MESSAGE_ID_CHARS:
            message_id = None
        key = (sender_id, message_id or "")
        turn = self.turns.get(key) if message_id else None
        if turn is None and message_id and metadata.get(RETRY_KEY) is True:
            turn = await self._turn_from_tracker(sender_id, message_id) or self.turns.get(key)
        if turn is not None:
            logger.info("Message %s of %s was sent again; answering with its replies", message_id, sender_id)
            try:
                await asyncio.wait_for(turn.done.wait(), WAIT_FOR_FIRST_ATTEMPT_SECONDS)
            except asyncio.TimeoutError:
                return self.acknowledgement(message_id, turn, pending=True)
            return self.acknowledgement(message_id, turn)

        turn = self.turns.start(key) if message_id else Turn()
        output = WidgetSocketIOOutput(self.sio, self.bot_message_evt, self, turn, message_id)
        message = UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
        if message_id:
            message.message_id = message_id
        try:
            await on_new_message(message)
        except Exception:  # Rasa's own channel loses these silently; the widget tells the user
            logger.exception("Rasa failed to handle message %s of %s", message_id, sender_id)
            self.turns.finish(turn, failed=True)
        else:
            self.turns.finish(turn)
        return self.acknowledgement(message_id, turn)

    @staticmethod
    def acknowledgement(message_id: str | None, turn: Turn, pending: bool = False) -> dict[str, Any]:
        ack: dict[str, Any] = {"message_id": message_id, "replies": list(turn.replies)}
        if turn.failed:
            ack["error"] = "failed"
        if pending:
            ack["pending"] = True  # still being answered: the rest comes live
        return ack

    async def _turn_from_tracker(self, sender_id: str, message_id: str) -> Turn | None:
        """The replies stored in the tracker for message `message_id`, or None if it is not there."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        tracker_store = getattr(agent, "tracker_store", None)
        if tracker_store is None:
            return None
        try:
            tracker = await tracker_store.retrieve(sender_id)
        except Exception:
            logger.exception("Could not read the tracker of %s", sender_id)
            return None
        if tracker is None:
            return None
        found, bot_events = False, []
        for event in tracker.events:
            if isinstance(event, UserUttered):
                if found:
                    break
                found = event.message_id == message_id
            elif found and isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
                break  # the turn is over
            elif found and isinstance(event, BotUttered) and AGENT_ID_KEY not in (event.metadata or {}):
                bot_events.append(event)  # agents' messages (handoff) were pushed on their own
        if not found:
            return None
        turn = Turn()
        replay = _Replay(self.sio, self.bot_message_evt, self, turn, message_id)
        for event in bot_events:
            await replay.send_response(sender_id, {"text": event.text, **(event.data or {})})
        self.turns.finish(turn)
        return turn

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        namespace = self.namespace or "/"
        session_request = self.sio.handlers[namespace]["session_request"]

        async def session_request_then_deliver(sid: str, data: dict | None) -> None:
            await session_request(sid, data)
            session_id = (data or {}).get("session_id")
            if self.session_persistence and isinstance(session_id, str):
                await self._deliver_held(session_id)

        async def handle_message(sid: str, data: Any) -> dict[str, Any] | None:
            """Rasa's `handle_message`, answering with the acknowledgement."""
            if not isinstance(data, dict):
                return None
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("Ignoring a message without a session_id (send session_request first)")
                    return None
                sender_id = str(data["session_id"])
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            return await self.answer(on_new_message, sender_id, str(data.get("message", "")), metadata)

        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        self.sio.on("session_request", session_request_then_deliver, namespace=self.namespace)
        self.sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        blueprint.listener("before_server_start")(remember_app)
        return blueprint
