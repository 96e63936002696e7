"""The widget's socket.io channel (runs in Rasa's environment)."""

import asyncio
from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.widget_channel import ReplyCache, WidgetSocketIOInput, WidgetSocketIOOutput


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
    channel.blueprint(on_new_message)
    emitted = []

    async def record(event, data=None, room=None, **kwargs):
        emitted.append((event, data, room))

    channel.sio.emit = record
    return channel, channel.sio.handlers["/"], emitted


def user_uttered(text, message_id=None, session="s1", retry=False):
    metadata = {} if message_id is None else {"message_id": message_id}
    if retry:
        metadata["retry"] = True
    return {"message": text, "session_id": session, "customData": metadata}


def test_custom_payloads_are_sent_under_custom_with_a_reply_id():
    sio = RecordingServer()
    payload = {"type": "product_cards", "cards": [{"sku": "KI0000"}]}
    asyncio.run(WidgetSocketIOOutput(sio, "bot_uttered").send_custom_json("session-1", payload))
    [(event, data, room)] = sio.emitted
    assert (event, room) == ("bot_uttered", "session-1")
    assert data["custom"] == payload and len(data["id"]) == 32  # a pushed message (an agent's): a random id


def test_a_message_sent_twice_is_handled_once_and_both_acknowledgements_carry_its_replies():
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append((message.sender_id, message.message_id, message.text))
        await message.output_channel.send_text_message(message.sender_id, f"You said {message.text}.\n\nAnything else?")

    channel, handlers, emitted = widget_channel(on_new_message)
    channel.hold_if_absent = lambda room, response: False  # as if the widget were connected

    async def conversation():
        first = await handlers["user_uttered"]("sid-1", user_uttered("hello", "m1"))
        again = await handlers["user_uttered"]("sid-2", user_uttered("hello", "m1", retry=True))  # after a reconnect
        other = await handlers["user_uttered"]("sid-1", user_uttered("hello", "m1", session="s2"))  # own conversation
        await handlers["user_uttered"]("sid-1", user_uttered("again", "m2"))
        return first, again, other

    first, again, other = asyncio.run(conversation())
    assert handled == [("s1", "m1", "hello"), ("s2", "m1", "hello"), ("s1", "m2", "again")]
    replies = [
        {"text": "You said hello.", "id": "m1#1", "reply_to": "m1"},
        {"text": "Anything else?", "id": "m1#2", "reply_to": "m1"},
    ]
    assert first == again == {"message_id": "m1", "replies": replies}
    assert other["replies"] == replies  # same ids in another conversation: the widget keeps them per conversation
    assert [data for _event, data, room in emitted if room == "s1"][:2] == replies  # also sent live, once
    assert len(emitted) == 6
    assert channel.metadata_key == "customData" and channel.session_persistence


def test_a_message_sent_again_while_it_is_answered_waits_for_the_first_attempt():
    handled = []
    release = asyncio.Event()

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "Looking that up...")
        await release.wait()  # e.g. a slow custom action
        await message.output_channel.send_custom_json(message.sender_id, {"type": "product_cards", "cards": []})

    _channel, handlers, _emitted = widget_channel(on_new_message)

    async def conversation():
        first = asyncio.create_task(handlers["user_uttered"]("sid-1", user_uttered("recommend", "m1")))
        await asyncio.sleep(0.01)
        again = asyncio.create_task(handlers["user_uttered"]("sid-2", user_uttered("recommend", "m1", retry=True)))
        await asyncio.sleep(0.01)
        assert not again.done()
        release.set()
        return await first, await again

    first, again = asyncio.run(conversation())
    assert handled == ["recommend"]
    assert first == again
    assert [reply["id"] for reply in again["replies"]] == ["m1#1", "m1#2"]
    assert again["replies"][1]["custom"] == {"type": "product_cards", "cards": []}


def test_a_retry_unknown_to_this_process_is_answered_from_the_tracker():
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "Fresh answer")

    channel, handlers, _emitted = widget_channel(on_new_message)
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    tracker = DialogueStateTracker.from_events(
        "s1",
        [
            UserUttered("cancel order 7", message_id="m1"),
            ActionExecuted("utter_ask_cancel"),
            BotUttered("Cancel order 7?\n\nIt has not left yet.", data={"buttons": buttons}),
            ActionExecuted("action_listen"),
            BotUttered("Hello, Grace from support here.", metadata={"agent_id": 3, "agent_name": "Grace"}),
        ],
    )
    channel._app = SimpleNamespace(
        ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=FakeTrackerStore({"s1": tracker})))
    )

    async def conversation():
        # Rasa restarted after answering m1, before the acknowledgement reached the widget.
        replayed = await handlers["user_uttered"]("sid-1", user_uttered("cancel order 7", "m1", retry=True))
        # A retry of a message that never arrived is processed; a first attempt is not looked up.
        unknown = await handlers["user_uttered"]("sid-1", user_uttered("hi", "m2", retry=True))
        return replayed, unknown

    replayed, unknown = asyncio.run(conversation())
    assert replayed == {
        "message_id": "m1",
        "replies": [
            # The same payloads and ids as Rasa's socket.io output sent live.
            {"text": "Cancel order 7?", "quick_replies": [], "id": "m1#1", "reply_to": "m1"},
            {
                "text": "It has not left yet.",
                "quick_replies": [{"content_type": "text", "title": "Yes", "payload": "/affirm"}],
                "id": "m1#2",
                "reply_to": "m1",
            },
        ],
    }
    assert handled == ["hi"] and unknown["replies"][0]["text"] == "Fresh answer"


def test_a_failure_is_acknowledged_as_such_and_not_processed_again():
    calls = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text)
        raise RuntimeError("tracker store down")

    _channel, handlers, _emitted = widget_channel(on_new_message)

    async def conversation():
        first = await handlers["user_uttered"]("sid-1", user_uttered("hello", "m1"))
        again = await handlers["user_uttered"]("sid-1", user_uttered("hello", "m1", retry=True))
        return first, again

    first, again = asyncio.run(conversation())
    assert first == again == {"message_id": "m1", "replies": [], "error": "failed"}
    assert calls == ["hello"]


def test_messages_without_an_id_are_answered_every_time():
    calls = []

    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text)

    _channel, handlers, _emitted = widget_channel(on_new_message)
    for metadata in ({}, {"message_id": ""}, {"message_id": "x" * 101}, {"message_id": 7}):
        data = {"message": "hi", "session_id": "s1", "customData": metadata}
        assert asyncio.run(handlers["user_uttered"]("sid-1", data)) == {"message_id": None, "replies": []}
    assert asyncio.run(handlers["user_uttered"]("sid-1", {"message": "hi", "customData": {}})) is None  # no session
    assert calls == ["hi"] * 4


def test_replies_for_an_empty_room_wait_for_the_session_to_come_back():
    async def on_new_message(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Hi there!")

    channel, handlers, emitted = widget_channel(on_new_message, metadata_key="metadata")
    # Nobody is in room "s1" (the widget's connection dropped): the reply is held...
    data = {"message": "hi", "session_id": "s1", "metadata": {"message_id": "m1"}}
    ack = asyncio.run(handlers["user_uttered"]("sid-1", data))
    assert emitted == []
    channel.sio.enter_room = lambda sid, room, namespace=None: None
    # ...and delivered once the widget asks for session s1 again, after the confirmation.
    asyncio.run(handlers["session_request"]("sid-2", {"session_id": "s1"}))
    reply = {"text": "Hi there!", "id": "m1#1", "reply_to": "m1"}
    assert emitted == [("session_confirm", "s1", "sid-2"), ("bot_uttered", reply, "s1")]
    assert ack["replies"] == [reply]  # the same id: the widget shows it once
    asyncio.run(handlers["session_request"]("sid-3", {"session_id": "s1"}))
    assert emitted[-1] == ("session_confirm", "s1", "sid-3")


def test_agents_messages_pushed_through_the_api_get_their_own_ids():
    channel, _handlers, emitted = widget_channel(lambda message: None)
    channel.hold_if_absent = lambda room, response: False
    output = channel.get_output_channel()
    asyncio.run(output.send_text_message("s1", "Grace here, how can I help?"))
    asyncio.run(output.send_text_message("s1", "Grace here, how can I help?"))
    [(_, first, room), (_, second, _)] = emitted
    assert room == "s1" and first["text"] == "Grace here, how can I help?" and "reply_to" not in first
    assert first["id"] != second["id"]


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
