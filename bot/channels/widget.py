"""Rasa's socket.io channel, fixed and secured for the web widget (runs inside Rasa, Python 3.10).

Changes to `rasa.core.channels.socketio.SocketIOInput` (Rasa 3.6.21):

- **A conversation belongs to the socket the server gave it to.** The server issues the
  session id (`protocol.conversations.new_widget_conversation_id`) with a `session_proof`
  (`session_confirm: {"session_id", "session_proof"}`, keyed with `CONVERSATION_ID_SECRET`).
  A `session_request` rejoins a session only if this socket created it or presents its proof;
  anything else gets a new session. Messages go to the socket's own session, whatever
  `session_id` they name, so replies (live, replayed or held) reach only their owner.
- **Browsers from other origins are refused** (403) before any handshake: Rasa builds the
  server with `cors_allowed_origins=[]`, which turns python-engineio's own check off. The
  allowed origins are `WIDGET_ORIGINS` (space-separated); CORS headers stay with Rasa's --cors.
- **The guarantees of `bot.channels.turns`:** cleaned text, the one `MAX_MESSAGE_CHARS` limit
  (a longer message gets `message_refused` and an acknowledgement with `error`, at once),
  client metadata filtered, and an apology when Rasa says nothing.
- Custom payloads reach the browser as `{"custom": {...}}` (Rasa's `send_custom_json` passes
  them as keyword arguments to `emit` and loses the rest of the turn).
- A message is answered at most once. Every reply carries `metadata.id` (`<message id>#<n>`, or
  a random one for agents' messages) and `metadata.reply_to`: under `metadata`, because stock
  Rasa clients (rasa-webchat 1.0.1) render a text only when it is the reply's one other key, and
  strip `metadata` first. Replies are sent live *and* together in the acknowledgement of
  `user_uttered`: `{"message_id": ..., "replies": [...]}`. A message sent
  again (`retry`) gets the kept replies (`turns.ReplyCache`, or the tracker after a restart).
- A reply sent while nobody is in the conversation's room is held and delivered when its
  owner rejoins (also agents' messages pushed through Rasa's HTTP API meanwhile).
"""

import asyncio
import json
import logging
import os
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sanic import response as sanic_response

from bot.channels import turns
from bot.channels.turns import ReplyCache, Turn
from protocol import conversations
from protocol.metadata import MESSAGE_ID, RETRY, WIDGET_CHANNEL

logger = logging.getLogger(__name__)

SECRET_ENV = "CONVERSATION_ID_SECRET"
ORIGINS_ENV = "WIDGET_ORIGINS"
SESSION_PROOF_KEY = "session_proof"
REFUSED_EVENT = "message_refused"
REPLY_METADATA = "metadata"  # where a reply's id and the message it answers travel
REPLY_ID = "id"
REPLY_TO = "reply_to"
REPLY_AT = "at"  # when the server sent it, seconds since the epoch
REPLY_AGENT = "agent"  # {"id", "name"} on a human agent's message
MAX_HELD_PER_CONVERSATION = 50
MAX_HELD_CONVERSATIONS = 1_000
# A re-sent message waits this long for its first attempt; the widget gives up after 60 s.
WAIT_FOR_FIRST_ATTEMPT_SECONDS = 50.0


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
        self._agent: dict[str, Any] | None = None

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Rasa's `send_response`, keeping who wrote the message: an agent's message, pushed
        through Rasa's HTTP API, carries `agent_id` and `agent_name` (crm_backend/handoff/rasa.py),
        which Rasa's socket.io output would drop."""
        name = message.get(turns.AGENT_NAME_KEY)
        self._agent = {"id": message.get(turns.AGENT_ID_KEY), "name": str(name)} if name else None
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._agent = None

    def stamp(self, response: Any) -> Any:
        """`response` with its reply id (and the message it answers), kept with the turn."""
        if not isinstance(response, dict):
            return response
        stamp: dict[str, Any] = {REPLY_ID: uuid.uuid4().hex}
        if self.turn is not None and self.message_id is not None:
            stamp = {REPLY_ID: self.turn.next_reply_id(self.message_id), REPLY_TO: self.message_id}
        stamp[REPLY_AT] = round(time.time(), 3)
        if self._agent is not None:
            stamp[REPLY_AGENT] = self._agent
        metadata = response.get(REPLY_METADATA)
        response = {**response, REPLY_METADATA: {**(metadata if isinstance(metadata, dict) else {}), **stamp}}
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


def parse_origins(value: str | None) -> frozenset[str]:
    return frozenset(origin.rstrip("/") for origin in (value or "").split() if origin.strip())


class WidgetSocketIOInput(SocketIOInput):
    """`socketio` channel for the Concierge widget; same credentials as Rasa's own, plus the
    optional `widget_origins` and `session_secret` (the environment wins)."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "WidgetSocketIOInput":
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.configure(
            os.environ.get(SECRET_ENV) or credentials.get("session_secret"),
            os.environ.get(ORIGINS_ENV) or credentials.get("widget_origins"),
        )
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.turns = ReplyCache()
        self._held: OrderedDict[str, list[Any]] = OrderedDict()
        self._app: Any = None  # the Sanic app, for the agent's tracker store
        self._session_of: dict[str, str] = {}  # socket id -> the conversation it may talk in
        self._created_by: dict[str, set[str]] = {}  # socket id -> conversations it was given
        self.secret = secrets.token_urlsafe(32)  # until `configure`: proofs last as long as this process
        self.origins: frozenset[str] = frozenset()

    def configure(self, secret: str | None, origins: str | None) -> None:
        if secret and len(secret) >= conversations.MIN_SECRET_CHARS:
            self.secret = secret
        else:
            logger.warning("%s is not set: widget sessions cannot be rejoined after a restart", SECRET_ENV)
        self.origins = parse_origins(origins)
        if not self.origins:
            logger.warning("%s is not set: the widget's socket.io accepts browsers from its own host only", ORIGINS_ENV)

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WidgetSocketIOOutput(self.sio, self.bot_message_evt, self)

    # --- who may connect, and to which conversation ------------------------------------

    def origin_allowed(self, origin: str | None, host: str | None) -> bool:
        """No Origin (not a browser) or one of WIDGET_ORIGINS; without any configured, same host only."""
        if not origin:
            return True
        origin = origin.rstrip("/")
        if self.origins:
            return origin in self.origins
        return bool(host) and origin.split("://", 1)[-1] == host

    def grant(self, sid: str, data: Any) -> str:
        """The conversation a `session_request` gets: the one asked for if this socket created it
        or its proof is valid, else a new one."""
        data = data if isinstance(data, dict) else {}
        wanted, proof = data.get("session_id"), data.get(SESSION_PROOF_KEY)
        created = self._created_by.setdefault(sid, set())
        if isinstance(wanted, str) and (
            wanted in created or conversations.proof_matches(wanted, proof, secret=self.secret)
        ):
            session_id = wanted
        else:
            if wanted:
                logger.info("A socket asked for a session it cannot prove; it gets a new one")
            session_id = conversations.new_widget_conversation_id()
            created.add(session_id)
        self._session_of[sid] = session_id
        return session_id

    def forget(self, sid: str) -> None:
        self._session_of.pop(sid, None)
        self._created_by.pop(sid, None)

    # --- held replies --------------------------------------------------------------------

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

    # --- one message ---------------------------------------------------------------------

    async def answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        text: str,
        metadata: dict[str, Any],
    ) -> dict[str, Any]:
        """Process one user message at most once; the acknowledgement with all its replies."""
        message_id = metadata.get(MESSAGE_ID)
        key = (sender_id, message_id or "")
        turn = self.turns.get(key) if message_id else None
        if turn is None and message_id and metadata.get(RETRY) is True:
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
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        text = await turns.screened_command(agent, sender_id, text)
        message = UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
        if message_id:
            message.message_id = message_id
        failed = False
        try:
            await on_new_message(message)
        except Exception:  # Rasa's own channel loses these silently; the widget tells the user
            logger.exception("Rasa failed to handle message %s of %s", message_id, sender_id)
            failed = True
        if turn.sent == 0:
            await turns.answer_while_paused(agent, sender_id, output)
        apology = await turns.apologise_if_silent(agent, sender_id, turn.sent > 0)
        if apology is not None:
            await output.send_text_message(sender_id, apology)
        self.turns.finish(turn, failed=failed)
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
        replies = await turns.stored_replies(agent, sender_id, message_id)
        if replies is None:
            return None
        turn = Turn()
        replay = _Replay(self.sio, self.bot_message_evt, self, turn, message_id)
        for reply in replies:
            await replay.send_response(sender_id, reply)
        self.turns.finish(turn)
        return turn

    async def refuse(self, sid: str, message_id: object, error: turns.MessageRefused) -> dict[str, Any]:
        """Tell the socket at once why its message was not passed on."""
        message_id = message_id if isinstance(message_id, str) else None
        await self.sio.emit(REFUSED_EVENT, {"message_id": message_id, **error.as_dict()}, room=sid)
        return {"message_id": message_id, "replies": [], "error": error.code, "message": error.message}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        handle_request = sio.eio.handle_request

        async def checked_request(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.origin_allowed(request.headers.get("origin"), request.headers.get("host")):
                logger.warning("Refused a socket.io request from origin %s", request.headers.get("origin"))
                return sanic_response.json({"error": {"code": "bad_origin", "message": "Not an allowed origin."}}, 403)
            return await handle_request(request, *args, **kwargs)

        sio.eio.handle_request = checked_request  # attached to the app after this returns

        async def session_request(sid: str, data: Any) -> None:
            session_id = self.grant(sid, data)
            if self.session_persistence:
                for room in sio.rooms(sid, namespace=self.namespace or "/"):
                    if room not in (sid, session_id):
                        sio.leave_room(sid, room, namespace=self.namespace or "/")
                sio.enter_room(sid, session_id, namespace=self.namespace or "/")
            proof = conversations.session_proof(session_id, secret=self.secret)
            await sio.emit("session_confirm", {"session_id": session_id, SESSION_PROOF_KEY: proof}, room=sid)
            if self.session_persistence:
                await self._deliver_held(session_id)

        async def disconnect(sid: str) -> None:
            self.forget(sid)

        async def handle_message(sid: str, data: Any) -> dict[str, Any] | None:
            """Rasa's `handle_message` for the socket's own session, answering with the acknowledgement."""
            if not isinstance(data, dict):
                return None
            sender_id = self._session_of.get(sid) if self.session_persistence else sid
            raw = data.get(self.metadata_key) or {}
            if isinstance(raw, str):
                try:
                    raw = json.loads(raw)
                except ValueError:
                    raw = {}
            raw = raw if isinstance(raw, dict) else {}
            if sender_id is None:
                error = turns.MessageRefused(409, "no_session", "Send session_request first.")
                return await self.refuse(sid, raw.get(MESSAGE_ID), error)
            try:
                text = turns.checked_text(data.get("message", ""))
                metadata = turns.checked_metadata(raw, retry=raw.get(RETRY))
            except turns.MessageRefused as error:
                return await self.refuse(sid, raw.get(MESSAGE_ID), error)
            return await self.answer(on_new_message, sender_id, text, metadata)

        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        blueprint.listener("before_server_start")(remember_app)
        return blueprint

    @classmethod
    def name(cls) -> str:
        return WIDGET_CHANNEL
