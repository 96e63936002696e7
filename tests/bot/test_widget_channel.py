"""The widget's socket.io channel (runs in Rasa's environment)."""

import asyncio

from rasa.core.channels.channel import UserMessage

from bot.widget_channel import WidgetSocketIOInput, WidgetSocketIOOutput


class RecordingServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None, **kwargs):
        self.emitted.append((event, data, room))


def test_custom_payloads_are_sent_under_custom():
    sio = RecordingServer()
    payload = {"type": "product_cards", "cards": [{"sku": "KI0000"}]}
    asyncio.run(WidgetSocketIOOutput(sio, "bot_uttered").send_custom_json("session-1", payload))
    assert sio.emitted == [("bot_uttered", {"custom": payload}, "session-1")]


def test_a_message_sent_twice_is_handled_once():
    channel = WidgetSocketIOInput.from_credentials({"session_persistence": True, "metadata_key": "customData"})
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append((message.sender_id, message.message_id, message.text))

    channel.blueprint(on_new_message)
    handler = channel.sio.handlers["/"]["user_uttered"]

    async def send(text, message_id, session="s1"):
        data = {"message": text, "session_id": session, "customData": {"message_id": message_id}}
        await handler("sid-1", data)

    async def conversation():
        await send("hello", "m1")
        await send("hello", "m1")  # re-sent after a dropped connection
        await send("hello", "m1", session="s2")  # another conversation may reuse an id
        await send("again", "m2")

    asyncio.run(conversation())
    assert handled == [("s1", "m1", "hello"), ("s2", "m1", "hello"), ("s1", "m2", "again")]
    assert channel.metadata_key == "customData" and channel.session_persistence


def test_replies_for_an_empty_room_wait_for_the_session_to_come_back():
    channel = WidgetSocketIOInput.from_credentials({"session_persistence": True})

    async def on_new_message(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Hi there!")

    channel.blueprint(on_new_message)
    emitted = []

    async def record(event, data=None, room=None, **kwargs):
        emitted.append((event, data, room))

    channel.sio.emit = record
    handlers = channel.sio.handlers["/"]
    # Nobody is in room "s1" (the widget's connection dropped): the reply is held...
    asyncio.run(handlers["user_uttered"]("sid-1", {"message": "hi", "session_id": "s1", "customData": {}}))
    assert emitted == []
    channel.sio.enter_room = lambda sid, room, namespace=None: None
    # ...and delivered once the widget asks for session s1 again, after the confirmation.
    asyncio.run(handlers["session_request"]("sid-2", {"session_id": "s1"}))
    assert emitted == [("session_confirm", "s1", "sid-2"), ("bot_uttered", {"text": "Hi there!"}, "s1")]
    asyncio.run(handlers["session_request"]("sid-3", {"session_id": "s1"}))
    assert emitted[-1] == ("session_confirm", "s1", "sid-3")
