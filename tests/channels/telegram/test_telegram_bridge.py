"""Telegram users talking to the real assistant through the bridge, in polling mode."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import crm_backend.models  # noqa: F401 - every table, for the foreign keys
from channels.telegram import handlers
from crm_backend.links.service import issue_link_code
from crm_backend.orders.models import Order, OrderStatus
from protocol.conversations import telegram_conversation_id
from tests.channels.conftest import RASA_DOWN_TOKEN, USERNAME
from tests.channels.telegram.fake_telegram import callback_update, mention_entity
from tests.factories import add_order
from tests.stack_fixtures import tracker_texts

pytestmark = pytest.mark.e2e


def conversation_of(telegram_stack, chat) -> str:
    """The keyed conversation id the bridge uses for this user in this chat."""
    secret = telegram_stack.stack.child_env()["CONVERSATION_ID_SECRET"]
    return telegram_conversation_id(chat.chat_id, chat.user_id, secret=secret)


def latest_order(crm, customer_id: int) -> Order:
    statement = select(Order).where(Order.customer_id == customer_id).order_by(Order.placed_at.desc()).limit(1)
    return crm.scalars(statement).one()


def test_deep_link_links_the_account_and_orders_are_answered_personally(chat_with, link_code, crm):
    me = chat_with(user_id=5001)
    assert me.ask(f"/start {link_code(1)}") == [handlers.LINKED.format(name="Ada")]
    order = latest_order(crm, customer_id=1)
    answer = me.ask(f"where is order {order.number}")
    assert answer[0].startswith(f"Hi Ada! Order {order.number}") and order.status in answer[0]


def test_link_command_accepts_a_typed_code(chat_with, link_code):
    code = link_code(2)
    me = chat_with(user_id=5002)
    assert me.ask(f"/link {code[:5].lower()} {code[5:]}")[0].startswith("Welcome, ")
    assert me.ask("/unlink") == [handlers.UNLINKED]
    assert me.ask("/unlink") == [handlers.NOT_LINKED]


def test_unlinked_user_asking_about_an_order_is_asked_to_identify(chat_with, crm):
    order = latest_order(crm, customer_id=1)
    answer = chat_with(user_id=5003).ask(f"where is order {order.number}")
    assert len(answer) == 1
    assert "only do that for signed-in customers" in answer[0] and "link your account in Telegram" in answer[0]
    assert order.status not in answer[0]


def test_expired_and_reused_codes_are_refused_clearly(chat_with, link_code, crm):
    expired = issue_link_code(crm, 3, "telegram", 60, now=datetime.now(UTC) - timedelta(minutes=10))
    crm.commit()
    me = chat_with(user_id=5004)
    assert me.ask(f"/start {expired}") == [handlers.LINK_REFUSALS["expired_code"]]

    code = link_code(3)
    assert me.ask(f"/link {code}")[0].startswith("Welcome, ")
    someone_else = chat_with(user_id=5005)
    assert someone_else.ask(f"/link {code}") == [handlers.LINK_REFUSALS["used_code"]]
    assert someone_else.ask("/link ABCDEFGHJK") == [handlers.LINK_REFUSALS["invalid_code"]]
    assert someone_else.ask("/link") == [handlers.LINK_USAGE]


def test_guessing_codes_is_stopped(chat_with, link_code):
    guesser = chat_with(user_id=5006)
    for _ in range(5):
        assert guesser.ask("/link ABCDEFGHJK") == [handlers.LINK_REFUSALS["invalid_code"]]
    assert guesser.ask(f"/link {link_code(4)}") == [handlers.LINK_REFUSALS["too_many_attempts"]]


def test_button_press_is_answered_and_its_payload_forwarded(chat_with, link_code, crm, telegram_stack):
    order = add_order(crm, customer_id=46, status=OrderStatus.PROCESSING, placed_days_ago=0)
    crm.commit()
    me = chat_with(user_id=5007)
    me.ask(f"/start {link_code(46)}")
    me.ask("please cancel my order")
    [question] = me.answers(me.send(order.number))
    assert question.text.startswith(f"Do you want me to cancel order {order.number}")
    keyboard = question.params["reply_markup"]["inline_keyboard"]
    assert [[button["callback_data"] for button in row] for row in keyboard] == [["/affirm"], ["/deny"]]

    fake = telegram_stack.fake
    mark = me.push(callback_update(me.chat_id, me.user_id, "/affirm", question.result))
    [done] = me.answers(mark)
    assert done.text.startswith(f"Done: order {order.number} is cancelled.")
    answered = [call for call in fake.calls(me.token, "answerCallbackQuery")[-1:]]
    assert answered and answered[0].params["callback_query_id"]
    # The question keeps the chosen title and loses its buttons.
    [edit] = [
        call
        for call in fake.calls(me.token, "editMessageText")
        if call.params.get("message_id") == question.result["message_id"]
    ]
    assert edit.text == f"{question.text}\n\n\u2713 Yes, cancel it" and "inline_keyboard" not in str(
        edit.params.get("reply_markup")
    )
    crm.expire_all()
    assert crm.get(Order, order.id).status == "cancelled"

    # A second press on the used button is not processed again.
    sender = conversation_of(telegram_stack, me)
    before = tracker_texts(telegram_stack.stack, sender, "user")
    me.push(callback_update(me.chat_id, me.user_id, "/affirm", question.result))
    [answered] = fake.wait_for(
        me.token,
        lambda call: call.method == "answerCallbackQuery" and call.params.get("text") == handlers.ALREADY_CHOSEN,
    )
    assert answered.params["show_alert"] in (True, "true")
    assert tracker_texts(telegram_stack.stack, sender, "user") == before


def test_in_a_group_a_linked_customer_gets_no_personal_data_but_a_private_chat_link(
    chat_with, link_code, crm, telegram_stack
):
    order = latest_order(crm, customer_id=5)
    me = chat_with(user_id=5021)
    assert me.ask(f"/start {link_code(5)}")[0].startswith("Welcome, ")
    in_group = chat_with(user_id=5021, chat_id=-100600)
    text = f"@{USERNAME} where is my order {order.number}"
    answers = in_group.answers(in_group.send(text, entities=[mention_entity(text, USERNAME)]), count=2)
    assert all(order.status not in call.text and "Hi " not in call.text for call in answers)
    offer = answers[-1]
    assert offer.text == handlers.PRIVATE_CHAT
    [[button]] = offer.params["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{USERNAME}" and button["text"] == handlers.PRIVATE_CHAT_BUTTON
    # In the private chat the same customer gets the answer.
    assert order.number in me.ask(f"where is my order {order.number}")[0]


def test_a_message_longer_than_the_assistant_reads_is_answered_clearly(chat_with, telegram_stack):
    me = chat_with(user_id=5022)
    assert me.ask("a" * 4096) == [handlers.TOO_LONG.format(length=4096, limit=4000)]
    assert tracker_texts(telegram_stack.stack, conversation_of(telegram_stack, me), "user") == []


def test_product_cards_become_photos_uploaded_from_the_crm(chat_with, link_code, telegram_stack):
    me = chat_with(user_id=5008)
    me.ask(f"/start {link_code(1)}")
    intro, *cards = me.answers(me.send("what would you recommend for me?"), count=4)
    assert intro.method == "sendMessage" and "parse_mode" not in intro.params
    for card in cards:
        # The demo shop's pictures are relative paths on the CRM, which Telegram cannot reach:
        # the bridge fetches each PNG from the CRM and uploads it, with the card as caption.
        assert card.method == "sendPhoto", card.params
        assert card.params["parse_mode"] == "HTML"
        assert card.text.startswith("<b>") and " EUR" in card.text and "<i>" in card.text
        upload = card.files["photo"]
        assert upload.content_type == "image/png" and upload.png_size == (640, 480) and upload.size > 1000
        assert card.result["photo"][0]["file_size"] == upload.size
    assert len({card.files["photo"].data for card in cards}) == 3  # one picture per product


def test_group_chatter_is_ignored_but_mentions_and_replies_are_answered(chat_with, telegram_stack):
    member = chat_with(user_id=5009, chat_id=-100500)
    mark = member.send("hello everyone, anyone tried the new mugs?")
    mention = f"@{USERNAME} hello"
    [greeting] = member.answers(member.send(mention, entities=[mention_entity(mention, USERNAME)]))
    assert greeting.text.startswith("Hello! I'm Concierge")
    assert greeting.params["reply_parameters"]["message_id"]
    sender = conversation_of(telegram_stack, member)
    assert tracker_texts(telegram_stack.stack, sender, "user") == ["hello"]
    assert tracker_texts(telegram_stack.stack, f"tg-{member.chat_id}-{member.user_id}", "user") == []  # guessable
    sent = telegram_stack.fake.calls(member.token, "sendMessage")
    assert len([call for call in sent if call.chat_id == member.chat_id]) == 1
    # A reply to one of the bot's messages needs no mention; another member has a conversation of their own.
    other = chat_with(user_id=5010, chat_id=-100500)
    [answer] = other.answers(other.send("hi", reply_to=greeting.result))
    assert answer.text.startswith("Hello! I'm Concierge") and mark < telegram_stack.fake.mark(member.token)
    assert tracker_texts(telegram_stack.stack, conversation_of(telegram_stack, other), "user") == ["hi"]


@pytest.mark.parametrize(
    "content",
    [
        {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512, "height": 512,
                     "is_animated": False, "is_video": False}},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
        {"location": {"latitude": 51.5, "longitude": -0.12}},
    ],
    ids=["sticker", "voice", "location"],
)  # fmt: skip
def test_non_text_messages_get_a_clear_answer(chat_with, content):
    me = chat_with(user_id=5011)
    assert [call.text for call in me.answers(me.send(**content))] == [handlers.TEXT_ONLY]


def test_user_is_told_when_rasa_is_down(chat_with):
    me = chat_with(user_id=5013, token=RASA_DOWN_TOKEN)
    assert me.ask("hello") == [handlers.RASA_DOWN]
