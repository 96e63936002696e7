"""What every Concierge channel guarantees for one user message (runs inside Rasa, Python 3.10).

The REST channel (trusted servers), the Telegram bridge's channel and the widget's socket.io
channel all answer a message through these functions, so they behave the same way:

- the text is cleaned of control characters (but newlines and tabs) and lone surrogates
  (NUL breaks PostgreSQL), and longer texts than `protocol.limits.MAX_MESSAGE_CHARS` are
  refused with a clear error (`MessageRefused`) before Rasa sees them;
- only `protocol.metadata.client_metadata(...)` of the client's metadata reaches Rasa;
- a message sent again (`retry`) whose id is already in the tracker is answered with the
  replies stored for it, not processed twice (`stored_replies`);
- a typed `/intent{...}` is the user's words, not a command: only the payload of a button the
  bot sent in this conversation reaches Rasa as one; any other loses its leading slashes, so
  the NLU reads it like any text ("/restart" restarts nothing) (`screened_command`);
- when Rasa produced no reply at all and the conversation is not paused for a human, the
  user gets the domain's `utter_something_went_wrong`, also stored in the tracker
  (`apologise_if_silent`);
- while the conversation waits for a colleague (Rasa's pause), every message is still
  answered: `answer_while_paused` runs `action_handoff_waiting`, which asks the CRM for the
  place in the queue (or cancels the request and resumes the bot when the customer asks to);
- a message longer than the limit gets a text reply from the domain (`too_long_reply`), stored
  in the tracker, instead of a bare error.
"""

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from protocol.limits import MAX_CONVERSATION_ID_CHARS, MAX_MESSAGE_CHARS
from protocol.metadata import MESSAGE_ID, RETRY, client_metadata

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_something_went_wrong"
TOO_LONG_RESPONSE = "utter_message_too_long"
WAITING_ACTION = "action_handoff_waiting"
FALLBACK_APOLOGY = "I'm sorry, something went wrong on our side. Please try again in a moment."
MAX_MESSAGE_ID_CHARS = 255
INTENT_PREFIX = "/"  # rasa.shared.constants.INTENT_MESSAGE_PREFIX
# In the metadata of agents' messages (crm_backend/handoff/rasa.py): pushed on their own, never replayed.
AGENT_ID_KEY = "agent_id"
AGENT_NAME_KEY = "agent_name"  # with AGENT_ID_KEY on an agent's message (crm_backend/handoff/rasa.py)
REMEMBERED_TURNS = 2_000
REMEMBER_SECONDS = 15 * 60.0
MAX_KEPT_REPLIES = 50  # per message; more are still sent live
# C0/C1 controls but \t and \n, DEL, and lone surrogates (not encodable as UTF-8).
_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class MessageRefused(Exception):
    """A message a channel does not pass on: `status` (HTTP), `code` and a message for the client."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def clean_text(text: str) -> str:
    """The text without characters that have no business in a chat message."""
    return _UNSAFE_CHARACTERS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def checked_text(text: object) -> str:
    """The cleaned user text, or `MessageRefused` when it is not a string or is too long."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise MessageRefused(400, "invalid_message", "`message` must be a string.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageRefused(413, "message_too_long", f"Messages are limited to {MAX_MESSAGE_CHARS} characters.")
    return clean_text(text)


def checked_sender(sender: object) -> str:
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_CONVERSATION_ID_CHARS:
        raise MessageRefused(
            400, "invalid_sender", f"`sender` must be a string of 1 to {MAX_CONVERSATION_ID_CHARS} characters."
        )
    return clean_text(sender)


def checked_metadata(raw: object, *, message_id: object = None, retry: object = None) -> dict[str, Any]:
    """The client metadata a channel passes on, with `message_id` and `retry` given outside it."""
    if raw is not None and not isinstance(raw, dict):
        raise MessageRefused(400, "invalid_metadata", "`metadata` must be an object.")
    metadata = client_metadata(raw or {})
    if message_id is None:
        message_id = metadata.get(MESSAGE_ID)  # a string, if any
    if message_id is not None:
        if not isinstance(message_id, (str, int)) or isinstance(message_id, bool):
            raise MessageRefused(400, "invalid_message_id", "`message_id` must be a short string.")
        message_id = clean_text(str(message_id))
        if not 0 < len(message_id) <= MAX_MESSAGE_ID_CHARS:
            raise MessageRefused(400, "invalid_message_id", "`message_id` must be a short string.")
        metadata[MESSAGE_ID] = message_id
    else:
        metadata.pop(MESSAGE_ID, None)
    if retry is True:
        metadata[RETRY] = True
    return metadata


def response_text(agent: Any, name: str, default: str) -> str:
    try:
        return agent.domain.responses[name][0]["text"]
    except (AttributeError, KeyError, IndexError, TypeError):
        return default


def apology_text(agent: Any) -> str:
    return response_text(agent, APOLOGY_RESPONSE, FALLBACK_APOLOGY)


async def too_long_reply(agent: Any, sender: str, error: MessageRefused) -> str:
    """The domain's reply to a message over the limit, stored in the conversation (no user text is)."""
    text = response_text(agent, TOO_LONG_RESPONSE, error.message).replace("{limit}", str(MAX_MESSAGE_CHARS))
    if agent is not None:
        await store_bot_text(agent, sender, text, {"utter_action": TOO_LONG_RESPONSE}, create=True)
    return text


async def answer_while_paused(agent: Any, sender: str, output_channel: Any) -> None:
    """Run the waiting action for a message that Rasa stored without answering (paused for a
    colleague), then listen again as Rasa would, so that rules match the next message."""
    if agent is None or not await is_paused(agent, sender):
        return
    try:
        async with agent.lock_store.lock(sender):
            prediction = PolicyPrediction.for_action_name(agent.domain, WAITING_ACTION)
            tracker = await agent.processor.execute_action(
                sender, WAITING_ACTION, output_channel, agent.nlg, prediction
            )
            if tracker is not None:
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await agent.tracker_store.save(tracker)
    except Exception:
        logger.exception("Could not answer %s while it waits for a colleague", sender)


async def is_paused(agent: Any, sender: str) -> bool:
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception:
        logger.exception("Could not read the tracker of %s", sender)
        return False
    return tracker is not None and tracker.is_paused()


async def store_apology(agent: Any, sender: str, text: str) -> None:
    """Add the apology to the conversation, so that transcripts show what the user saw."""
    await store_bot_text(agent, sender, text, {"reliable_channel": "apology"})


async def store_bot_text(agent: Any, sender: str, text: str, metadata: dict[str, Any], create: bool = False) -> None:
    """Add a reply the channel made to the conversation, so that transcripts show what the user saw."""
    try:
        async with agent.lock_store.lock(sender):
            store = agent.tracker_store
            tracker = await (store.get_or_create_tracker(sender) if create else store.retrieve(sender))
            if tracker is None:
                return
            tracker.update(BotUttered(text, metadata=metadata))
            await store.save(tracker)
    except Exception:
        logger.exception("Could not store the channel's reply in the tracker of %s", sender)


async def apologise_if_silent(agent: Any, sender: str, replied: bool) -> str | None:
    """The apology to send (already stored) when Rasa said nothing and no human has the conversation."""
    if replied or agent is None or await is_paused(agent, sender):
        return None
    apology = apology_text(agent)
    await store_apology(agent, sender, apology)
    return apology


async def sent_payloads(agent: Any, sender: str) -> set[str]:
    """The payloads of the buttons the bot sent in the conversation's current session."""
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        return set()
    try:
        tracker = await tracker_store.retrieve(sender)
    except Exception:
        logger.exception("Could not read the tracker of %s", sender)
        return set()
    payloads: set[str] = set()
    for event in tracker.events if tracker is not None else ():
        if isinstance(event, BotUttered):
            for button in (event.data or {}).get("buttons") or ():
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    payloads.add(button["payload"].strip())
    return payloads


async def screened_command(agent: Any, sender: str, text: str) -> str:
    """The text Rasa may see: a message starting with "/" (which Rasa would take as an intent
    and entities) passes only if it is a payload of a button the bot sent in this conversation;
    otherwise its leading slashes are dropped and the NLU reads it as words."""
    stripped = text.strip()
    if not stripped.startswith(INTENT_PREFIX):
        return text
    if stripped in await sent_payloads(agent, sender):
        return stripped
    logger.info("A typed command in %s was read as text, not obeyed", sender)
    return stripped.lstrip(INTENT_PREFIX + " \t\n") or text.replace(INTENT_PREFIX, "")


async def stored_replies(agent: Any, sender: str, message_id: str) -> list[dict[str, Any]] | None:
    """The bot's replies stored for the user message `message_id` (`{"text", ...data}` each), or
    None when the tracker has no such message. Agents' messages are not part of a turn."""
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        return None
    try:
        tracker = await tracker_store.retrieve(sender)
    except Exception:
        logger.exception("Could not read the tracker of %s", sender)
        return None
    if tracker is None:
        return None
    found, replies = False, []
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == message_id
        elif found and isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
            break  # the turn is over
        elif found and isinstance(event, BotUttered) and AGENT_ID_KEY not in (event.metadata or {}):
            reply: dict[str, Any] = {"text": event.text} if event.text else {}
            reply.update({key: value for key, value in (event.data or {}).items() if value})
            replies.append(reply)
    return replies if found else None


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
