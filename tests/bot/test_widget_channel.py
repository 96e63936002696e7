"""The widget's socket.io channel (runs in Rasa's environment): sessions, turns, limits."""

import asyncio
import time
from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.turns import ReplyCache
from bot.channels.widget import REFUSED_EVENT, WidgetSocketIOInput, WidgetSocketIOOutput
from protocol import conversations
from protocol.limits import MAX_MESSAGE_CHARS

SECRET = "s" * 40


class RecordingServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None, **kwargs):
        self.emitted.append((event, data, room))


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeTrackerStore:
    def __init__(self, trackers):
        self.trackers = trackers

    async def retrieve(self, sender_id):
        return self.trackers.get(sender_id)


def widget_channel(on_new_message, **credentials):
    """The channel with its socket.io handlers, emitting into a list (nobody is connected)."""
    channel = WidgetSocketIOInput.from_credentials(
        {"session_persistence": True, "metadata_key": "customData", **credentials}
    )
    channel.configure(SECRET, None)
    channel.blueprint(on_new_message)
    emitted, rooms = [], {}

    async def record(event, data=None, room=None, **kwargs):
        emitted.append((event, data, room))

    channel.sio.emit = record
    channel.sio.enter_room = lambda sid, room, namespace=None: rooms.setdefault(sid, set()).add(room)
    channel.sio.leave_room = lambda sid, room, namespace=None: rooms.get(sid, set()).discard(room)
    channel.sio.rooms = lambda sid, namespace=None: [sid, *rooms.get(sid, ())]
    channel.rooms = rooms
    return channel, channel.sio.handlers["/"], emitted


async def join(handlers, emitted, sid, session_id=None, proof=None) -> dict:
    """session_request from socket `sid`; the server's session_confirm."""
    await handlers["session_request"](sid, {"session_id": session_id, "session_proof": proof})
    return [data for event, data, room in emitted if event == "session_confirm" and room == sid][-1]


def untimed(replies):
    """`replies` without their send time, which every reply has (`metadata.at`)."""
    assert all(isinstance(reply["metadata"]["at"], float) for reply in replies)
    return [{**reply, "metadata": {k: v for k, v in reply["metadata"].items() if k != "at"}} for reply in replies]


def user_uttered(text, message_id=None, retry=False, session=None):
    metadata = {} if message_id is None else {"message_id": message_id}
    if retry:
        metadata["retry"] = True
    return {"message": text, "session_id": session, "customData": metadata}


def test_the_server_issues_sessions_and_only_their_proof_rejoins_them():
    channel, handlers, emitted = widget_channel(lambda message: None)

    async def sessions():
        first = await join(handlers, emitted, "sid-1")
        again = await join(handlers, emitted, "sid-1", first["session_id"])  # the socket that created it
        rejoined = await join(handlers, emitted, "sid-2", first["session_id"], first["session_proof"])
        outsider = await join(handlers, emitted, "sid-3", first["session_id"])  # knows the id, no proof
        forged = await join(handlers, emitted, "sid-4", first["session_id"], "0" * 64)
        chosen = await join(handlers, emitted, "sid-5", "my-own-id")
        return first, again, rejoined, outsider, forged, chosen

    first, again, rejoined, outsider, forged, chosen = asyncio.run(sessions())
    assert conversations.is_widget_conversation_id(first["session_id"])
    assert conversations.proof_matches(first["session_id"], first["session_proof"], secret=SECRET)
    assert again["session_id"] == rejoined["session_id"] == first["session_id"]
    for other in (outsider, forged, chosen):
        assert other["session_id"] != first["session_id"] and conversations.is_widget_conversation_id(
            other["session_id"]
        )
    assert channel.rooms["sid-3"] == {outsider["session_id"]}  # not the victim's room


def test_messages_go_to_the_sockets_own_session_whatever_they_name():
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message.sender_id)

    _channel, handlers, emitted = widget_channel(on_new_message)

    async def conversation():
        victim = await join(handlers, emitted, "sid-1")
        outsider = await join(handlers, emitted, "sid-2")
        await handlers["user_uttered"]("sid-2", user_uttered("hi", "m1", session=victim["session_id"]))
        refused = await handlers["user_uttered"]("sid-3", user_uttered("hi", "m2"))  # never asked for a session
        return victim, outsider, refused

    _victim, outsider, refused = asyncio.run(conversation())
    assert handled == [outsider["session_id"]]
    assert refused["error"] == "no_session"


def test_a_custom_payload_is_sent_under_custom_with_a_reply_id():
    sio = RecordingServer()
    payload = {"type": "product_cards", "cards": [{"sku": "KI0000"}]}
    asyncio.run(WidgetSocketIOOutput(sio, "bot_uttered").send_custom_json("session-1", payload))
    [(event, data, room)] = sio.emitted
    assert (event, room) == ("bot_uttered", "session-1")
    assert data["custom"] == payload and len(data["metadata"]["id"]) == 32  # a pushed message (an agent's): a random id


def test_a_message_sent_twice_is_handled_once_and_both_acknowledgements_carry_its_replies():
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append((message.sender_id, message.message_id, message.text))
        await message.output_channel.send_text_message(message.sender_id, f"You said {message.text}.\n\nAnything else?")

    channel, handlers, emitted = widget_channel(on_new_message)
    channel.hold_if_absent = lambda room, response: False  # as if the widget were connected

    async def conversation():
        mine = await join(handlers, emitted, "sid-1")
        first = await handlers["user_uttered"]("sid-1", user_uttered("hello", "m1"))
        # After a reconnect, with the proof: the same conversation.
        await join(handlers, emitted, "sid-2", mine["session_id"], mine["session_proof"])
        again = await handlers["user_uttered"]("sid-2", user_uttered("hello", "m1", retry=True))
        other = await join(handlers, emitted, "sid-3")  # someone else, same message id
        theirs = await handlers["user_uttered"]("sid-3", user_uttered("hello", "m1", retry=True))
        return mine["session_id"], other["session_id"], first, again, theirs

    mine, other, first, again, theirs = asyncio.run(conversation())
    assert handled == [(mine, "m1", "hello"), (other, "m1", "hello")]  # the outsider gets no replay
    replies = [
        {"text": "You said hello.", "metadata": {"id": "m1#1", "reply_to": "m1"}},
        {"text": "Anything else?", "metadata": {"id": "m1#2", "reply_to": "m1"}},
    ]
    assert first == again and first["message_id"] == "m1" and untimed(first["replies"]) == replies
    assert untimed(theirs["replies"]) == replies  # its own answer, in its own conversation
    assert [data for event, data, room in emitted if room == mine and event == "bot_uttered"] == first["replies"]


def test_a_message_sent_again_while_it_is_answered_waits_for_the_first_attempt():
    handled = []
    release = asyncio.Event()

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "Looking that up...")
        await release.wait()  # e.g. a slow custom action
        await message.output_channel.send_custom_json(message.sender_id, {"type": "product_cards", "cards": []})

    _channel, handlers, emitted = widget_channel(on_new_message)

    async def conversation():
        mine = await join(handlers, emitted, "sid-1")
        first = asyncio.create_task(handlers["user_uttered"]("sid-1", user_uttered("recommend", "m1")))
        await asyncio.sleep(0.01)
        await join(handlers, emitted, "sid-2", mine["session_id"], mine["session_proof"])
        again = asyncio.create_task(handlers["user_uttered"]("sid-2", user_uttered("recommend", "m1", retry=True)))
        await asyncio.sleep(0.01)
        assert not again.done()
        release.set()
        return await first, await again

    first, again = asyncio.run(conversation())
    assert handled == ["recommend"]
    assert first == again
    assert [reply["metadata"]["id"] for reply in again["replies"]] == ["m1#1", "m1#2"]
    assert again["replies"][1]["custom"] == {"type": "product_cards", "cards": []}


def test_a_retry_unknown_to_this_process_is_answered_from_the_tracker():
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "Fresh answer")

    channel, handlers, emitted = widget_channel(on_new_message)
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    trackers = {}
    channel._app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=FakeTrackerStore(trackers))))

    async def conversation():
        session_id = (await join(handlers, emitted, "sid-1"))["session_id"]
        trackers[session_id] = DialogueStateTracker.from_events(
            session_id,
            [
                UserUttered("cancel order 7", message_id="m1"),
                ActionExecuted("utter_ask_cancel"),
                BotUttered("Cancel order 7?\n\nIt has not left yet.", data={"buttons": buttons}),
                ActionExecuted("action_listen"),
                BotUttered("Hello, Grace from support here.", metadata={"agent_id": 3, "agent_name": "Grace"}),
            ],
        )
        # Rasa restarted after answering m1, before the acknowledgement reached the widget.
        replayed = await handlers["user_uttered"]("sid-1", user_uttered("cancel order 7", "m1", retry=True))
        # A retry of a message that never arrived is processed; a first attempt is not looked up.
        unknown = await handlers["user_uttered"]("sid-1", user_uttered("hi", "m2", retry=True))
        return replayed, unknown

    replayed, unknown = asyncio.run(conversation())
    assert replayed["message_id"] == "m1"
    assert untimed(replayed["replies"]) == (
        [
            # The same payloads and ids as Rasa's socket.io output sent live.
            {"text": "Cancel order 7?", "quick_replies": [], "metadata": {"id": "m1#1", "reply_to": "m1"}},
            {
                "text": "It has not left yet.",
                "quick_replies": [{"content_type": "text", "title": "Yes", "payload": "/affirm"}],
                "metadata": {"id": "m1#2", "reply_to": "m1"},
            },
        ]
    )
    assert handled == ["hi"] and unknown["replies"][0]["text"] == "Fresh answer"


def test_a_failure_is_acknowledged_as_such_and_not_processed_again():
    calls = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text)
        raise RuntimeError("tracker store down")

    _channel, handlers, emitted = widget_channel(on_new_message)

    async def conversation():
        await join(handlers, emitted, "sid-1")
        first = await handlers["user_uttered"]("sid-1", user_uttered("hello", "m1"))
        again = await handlers["user_uttered"]("sid-1", user_uttered("hello", "m1", retry=True))
        return first, again

    first, again = asyncio.run(conversation())
    assert first == again == {"message_id": "m1", "replies": [], "error": "failed"}
    assert calls == ["hello"]


def test_silence_gets_the_apology_and_text_is_cleaned():
    texts, stored = [], []

    async def on_new_message(message: UserMessage) -> None:
        texts.append(message.text)

    class Locks:
        def lock(self, sender):
            class Lock:
                async def __aenter__(self):
                    return self

                async def __aexit__(self, *exc):
                    return False

            return Lock()

    class Store(FakeTrackerStore):
        async def save(self, tracker):
            stored.append(tracker.events[-1])

    channel, handlers, emitted = widget_channel(on_new_message)
    channel.hold_if_absent = lambda room, response: False
    trackers = {}
    domain = SimpleNamespace(responses={"utter_something_went_wrong": [{"text": "Sorry, that went wrong."}]})
    channel._app = SimpleNamespace(
        ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=Store(trackers), lock_store=Locks(), domain=domain))
    )

    async def conversation():
        session_id = (await join(handlers, emitted, "sid-1"))["session_id"]
        trackers[session_id] = DialogueStateTracker.from_events(session_id, [])
        return await handlers["user_uttered"]("sid-1", user_uttered("hel\x00lo\ud800 there", "m1"))

    ack = asyncio.run(conversation())
    assert texts == ["hello there"]
    assert [reply["text"] for reply in ack["replies"]] == ["Sorry, that went wrong."]
    assert [event.text for event in stored] == ["Sorry, that went wrong."]


def test_a_message_over_the_limit_is_refused_at_once_with_an_error_event():
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message.text)

    _channel, handlers, emitted = widget_channel(on_new_message)

    async def conversation():
        await join(handlers, emitted, "sid-1")
        started = time.monotonic()
        ack = await handlers["user_uttered"]("sid-1", user_uttered("x" * 100_000, "m1"))
        return ack, time.monotonic() - started

    ack, seconds = asyncio.run(conversation())
    assert handled == [] and seconds < 0.5
    assert ack["error"] == "message_too_long" and str(MAX_MESSAGE_CHARS) in ack["message"]
    [(_event, data, room)] = [item for item in emitted if item[0] == REFUSED_EVENT]
    assert room == "sid-1" and data == {"message_id": "m1", "code": "message_too_long", "message": ack["message"]}


def test_messages_without_an_id_are_answered_every_time_and_bad_ids_refused():
    calls = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    channel, handlers, emitted = widget_channel(on_new_message)
    channel.hold_if_absent = lambda room, response: False
    asyncio.run(join(handlers, emitted, "sid-1"))
    for metadata in ({}, {"message_id": ""}, {"message_id": 7}):
        data = {"message": "hi", "customData": metadata}
        ack = asyncio.run(handlers["user_uttered"]("sid-1", data))
        assert ack["message_id"] is None and len(ack["replies"]) == 1
    assert calls == ["hi"] * 3
    long_id = asyncio.run(handlers["user_uttered"]("sid-1", {"message": "hi", "customData": {"message_id": "x" * 256}}))
    assert long_id["error"] == "invalid_message_id" and calls == ["hi"] * 3


def test_replies_for_an_empty_room_wait_for_their_owner_to_come_back():
    async def on_new_message(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Hi there!")

    _channel, handlers, emitted = widget_channel(on_new_message, metadata_key="metadata")

    async def conversation():
        mine = await join(handlers, emitted, "sid-1")
        # Nobody is in the room (the widget's connection dropped): the reply is held...
        ack = await handlers["user_uttered"]("sid-1", {"message": "hi", "metadata": {"message_id": "m1"}})
        before = list(emitted)
        # ...not given to an outsider who knows the id...
        await join(handlers, emitted, "sid-9", mine["session_id"])
        outsider = [item for item in emitted[len(before) :] if item[0] == "bot_uttered"]
        # ...and delivered once the owner asks for the session again, after the confirmation.
        await join(handlers, emitted, "sid-2", mine["session_id"], mine["session_proof"])
        return mine["session_id"], ack, before, outsider

    session_id, ack, before, outsider = asyncio.run(conversation())
    [reply] = ack["replies"]
    assert untimed([reply]) == [{"text": "Hi there!", "metadata": {"id": "m1#1", "reply_to": "m1"}}]
    assert [item for item in before if item[0] == "bot_uttered"] == [] and outsider == []
    assert emitted[-1] == ("bot_uttered", reply, session_id)  # the same id: the widget shows it once
    assert emitted[-2][0] == "session_confirm" and emitted[-2][1]["session_id"] == session_id


def test_agents_messages_pushed_through_the_api_get_their_own_ids():
    channel, _handlers, emitted = widget_channel(lambda message: None)
    channel.hold_if_absent = lambda room, response: False
    output = channel.get_output_channel()
    # What Rasa does with a BotUttered event appended with `execute_side_effects`.
    message = BotUttered("Grace here, how can I help?", metadata={"agent_id": 7, "agent_name": "Grace"}).message()
    asyncio.run(output.send_response("s1", dict(message)))
    asyncio.run(output.send_response("s1", dict(message)))
    asyncio.run(output.send_text_message("s1", "Thanks for waiting."))  # the bot's own
    [(_, first, room), (_, second, _), (_, bots, _)] = emitted
    assert room == "s1" and first["text"] == "Grace here, how can I help?" and "reply_to" not in first["metadata"]
    assert first["metadata"]["id"] != second["metadata"]["id"]
    assert first["metadata"]["agent"] == {"id": 7, "name": "Grace"} and "agent" not in bots["metadata"]
    assert set(first) == {"text", "metadata"}  # nothing else for stock clients to trip over


def test_browsers_only_from_the_widget_origins():
    channel, _handlers, _emitted = widget_channel(lambda message: None)
    channel.configure(SECRET, "https://shop.example.com http://localhost:8000/")
    assert channel.origin_allowed("https://shop.example.com", "chat.example.com")
    assert channel.origin_allowed("http://localhost:8000", "127.0.0.1:5005")
    assert not channel.origin_allowed("https://evil.example.net", "chat.example.com")
    assert channel.origin_allowed(None, "chat.example.com")  # not a browser: nothing to protect
    channel.configure(SECRET, None)  # none configured: its own host only
    assert channel.origin_allowed("http://chat.example.com", "chat.example.com")
    assert not channel.origin_allowed("https://shop.example.com", "chat.example.com")


def test_the_reply_cache_is_bounded_and_forgets_finished_turns():
    clock = FakeClock()
    cache = ReplyCache(max_turns=3, ttl=60, clock=clock)
    running = cache.start(("s1", "m1"))
    for message_id in ("m2", "m3"):
        cache.finish(cache.start(("s1", message_id)))
    clock.now += 61
    assert cache.get(("s1", "m2")) is None and len(cache) == 1  # finished long ago: forgotten
    assert cache.get(("s1", "m1")) is running  # still being answered: kept however long it takes
    cache.finish(running)
    for message_id in ("m4", "m5", "m6"):
        cache.finish(cache.start(("s1", message_id)))
    assert len(cache) == 3 and cache.get(("s1", "m1")) is None  # the oldest made room
    clock.now += 59
    assert cache.get(("s1", "m6")) is not None
