"""The bridge's update handlers: commands, text, buttons, and everything it cannot read."""

import asyncio
import logging
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    Bot,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from channels.telegram import render
from channels.telegram.clients import (
    CRMClient,
    CRMUnavailable,
    LinkRefused,
    PictureUnavailable,
    RasaClient,
    RasaUnavailable,
)
from protocol.conversations import telegram_conversation_id
from protocol.limits import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)

SERVICES_KEY = "services"
MAX_LONG_PAYLOADS = 10_000
MAX_REMEMBERED = 10_000  # pressed button messages, and users told about the private chat

HELP_TEXT = (
    "I'm the shop's assistant. Ask me about your orders, deliveries, returns, payments or our products.\n\n"
    "/link CODE – link your shop account, so I can look at your orders (the shop gives you the code)\n"
    "/unlink – unlink this Telegram account from your shop account\n"
    "/help – this message\n\n"
    "In a group, mention me or reply to one of my messages."
)
LINK_USAGE = "Please send the code that the shop gave you, like this: /link ABCD23EFGH"
LINK_IN_GROUP = "For your privacy, please link your account in a private chat with me, not in a group."
LINKED = (
    "Welcome, {name}! Your Telegram account is now linked to your shop account, "
    'so I can help you with your orders. Try: "where is my order?"'
)
LINK_REFUSALS = {
    "invalid_code": "That code isn't valid. Please check it, or ask the shop for a new one.",
    "expired_code": "That code has expired. Please ask the shop for a new one.",
    "used_code": "That code has already been used. Please ask the shop for a new one.",
    "too_many_attempts": "Too many wrong codes. Please wait 15 minutes, then try again.",
}
UNLINKED = "Done: this Telegram account is no longer linked to your shop account."
NOT_LINKED = "This Telegram account isn't linked to a shop account."
TEXT_ONLY = "Sorry, I can only read text messages. Please type your question."
CRM_DOWN = "Sorry, I can't reach our customer system right now. Please try again in a few minutes."
RASA_DOWN = "Sorry, I can't answer right now because of a problem on our side. Please try again in a few minutes."
FAILED = "Sorry, something went wrong on our side and I couldn't answer. Please try again."
CHOOSE = "Please choose:"
BUTTON_EXPIRED = "This button has expired; please type your answer instead."
NOT_YOUR_BUTTONS = "These buttons belong to someone else's conversation."
ALREADY_CHOSEN = "You have already chosen; please type if you want something else."
TOO_LONG = (
    "Your message is {length:,} characters long; I can read up to {limit:,} at a time. "
    "Please send it again in shorter parts."
)
PRIVATE_CHAT = (
    "Your account is linked, but in a group I answer without it, so that nobody here sees your orders. "
    "For your orders, talk to me in a private chat."
)
PRIVATE_CHAT_BUTTON = "Open a private chat"


@dataclass
class Services:
    """What the handlers use, kept in `application.bot_data` (created in post_init)."""

    rasa: RasaClient
    crm: CRMClient
    conversation_secret: str = field(default="", repr=False)  # CONVERSATION_ID_SECRET
    image_base_url: str | None = None  # public base for relative image URLs (else fetched from the CRM)
    locks: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)
    long_payloads: dict[str, str] = field(default_factory=dict)
    pressed: OrderedDict = field(default_factory=OrderedDict)  # (chat id, message id) of used buttons
    told_private: OrderedDict = field(default_factory=OrderedDict)  # (chat id, user id) shown the link

    def conversation_id(self, chat_id: int, user_id: int) -> str:
        """The Rasa conversation of one Telegram user in one chat (private or group): a keyed hash."""
        return telegram_conversation_id(chat_id, user_id, secret=self.conversation_secret)

    def lock(self, sender: str) -> asyncio.Lock:
        """One lock per conversation, so a user's messages reach Rasa in the order sent."""
        lock = self.locks.get(sender)
        if lock is None:
            lock = self.locks[sender] = asyncio.Lock()
        return lock

    @staticmethod
    def first_time(seen: OrderedDict, key: tuple[int, int]) -> bool:
        """Whether `key` is new to `seen` (which then holds it, bounded)."""
        if key in seen:
            return False
        seen[key] = True
        while len(seen) > MAX_REMEMBERED:
            seen.popitem(last=False)
        return True

    def remember(self, payloads: dict[str, str]) -> None:
        self.long_payloads.update(payloads)
        while len(self.long_payloads) > MAX_LONG_PAYLOADS:
            self.long_payloads.pop(next(iter(self.long_payloads)))


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


def is_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def replies_to_bot(message: Message, bot: Bot) -> bool:
    original = message.reply_to_message
    return original is not None and original.from_user is not None and original.from_user.id == bot.id


def addressed_text(message: Message, bot: Bot) -> str | None:
    """The text meant for the bot, without the @mention; None for group chatter not for us."""
    text = message.text or ""
    if not is_group(message.chat):
        return text
    mentioned = False
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        is_us = (
            entity.type == MessageEntity.MENTION and value.lstrip("@").lower() == (bot.username or "").lower()
        ) or (entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id)
        if is_us:
            mentioned = True
            text = text.replace(value, " ")
    if not mentioned and not replies_to_bot(message, bot):
        return None
    return " ".join(text.split())


async def say(context: ContextTypes.DEFAULT_TYPE, update: Update, text: str, **options: Any) -> None:
    """Send one plain text to the update's chat; in groups as a reply to the user's message."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    if is_group(chat) and message is not None:
        options.setdefault(
            "reply_parameters", ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
        )
    await context.bot.send_message(chat.id, text, **options)


async def deliver(context: ContextTypes.DEFAULT_TYPE, update: Update, replies: list[dict[str, Any]]) -> None:
    """Show Rasa's replies: texts (split), buttons, images and product cards."""
    chat = update.effective_chat
    if chat is None:
        return
    for reply in replies:
        text, buttons = reply.get("text"), reply.get("buttons")
        markup = render.keyboard(buttons) if isinstance(buttons, list) else None
        if markup is not None:
            services(context).remember(markup.long_payloads)
        has_text = isinstance(text, str) and bool(text.strip())
        if has_text or markup is not None:
            chunks = render.split_text(text) if has_text else [CHOOSE]
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                await say(context, update, chunk, reply_markup=markup.markup if markup and last else None)
        base_url = services(context).image_base_url
        if reply.get("image"):
            photo = render.photo_source(reply["image"], base_url)
            if photo is None:
                logger.warning("Cannot show image %r in Telegram", reply["image"])
            else:
                await send_photo(context, update, photo, caption=None, fallback=str(reply["image"]))
        for card in render.product_cards(reply):
            caption = render.card_caption(card)
            photo = render.photo_source(card.get("image_url"), base_url)
            if photo is None:
                await say(context, update, caption, parse_mode=ParseMode.HTML)
            else:
                await send_photo(context, update, photo, caption=caption, fallback=caption)


async def send_photo(
    context: ContextTypes.DEFAULT_TYPE, update: Update, photo: render.Photo, caption: str | None, fallback: str
) -> None:
    """A photo, by its public URL or uploaded from the CRM; if that fails, `fallback` as text.

    `fallback` is the caption (HTML) when there is one, else the picture's address (plain text).
    """
    chat, message = update.effective_chat, update.effective_message
    options: dict[str, Any] = {}
    if is_group(chat) and message is not None:
        options["reply_parameters"] = ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
    source: str | InputFile
    if photo.url is not None:
        source = photo.url
    else:
        try:
            picture = await services(context).crm.picture(photo.crm_path or "")
        except PictureUnavailable as error:
            logger.warning("Cannot fetch the picture %s from the CRM: %s", photo.crm_path, error)
            await say(context, update, fallback, parse_mode=ParseMode.HTML if caption else None)
            return
        source = InputFile(picture.data, filename=picture.filename)
    try:
        await context.bot.send_photo(chat.id, source, caption=caption, parse_mode=ParseMode.HTML, **options)
    except BadRequest as error:
        logger.warning("Telegram could not send the photo %s: %s", photo.url or photo.crm_path, error)
        await say(context, update, fallback, parse_mode=ParseMode.HTML if caption else None)


async def converse(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Send `text` to Rasa as this user's message in this chat, and show the answers."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or not text.strip():
        return
    found = services(context)
    sender = found.conversation_id(chat.id, user.id)
    async with found.lock(sender):
        try:
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        except TelegramError as error:  # only cosmetic
            logger.debug("typing indicator failed: %s", error)
        try:
            token = await found.crm.customer_token(user.id)
        except CRMUnavailable as error:
            logger.error("No customer token for %s: %s", sender, error)
            await say(context, update, CRM_DOWN)
            return
        # In a group everyone reads the answers: never as the linked customer.
        group = is_group(chat)
        try:
            replies = await found.rasa.send(sender, text, None if group else token, chat_id=chat.id)
        except RasaUnavailable as error:
            logger.error("Rasa did not answer %s: %s", sender, error)
            await say(context, update, RASA_DOWN)
            return
        await deliver(context, update, replies)
        if group and token and found.first_time(found.told_private, (chat.id, user.id)):
            await offer_private_chat(context, update)


async def offer_private_chat(context: ContextTypes.DEFAULT_TYPE, update: Update) -> None:
    """A button that opens a private chat with the bot (a deep link), for personal questions."""
    url = f"https://t.me/{context.bot.username}"
    button = InlineKeyboardMarkup([[InlineKeyboardButton(PRIVATE_CHAT_BUTTON, url=url)]])
    await say(context, update, PRIVATE_CHAT, reply_markup=button)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start <code>` from a deep link links the account; a bare /start greets."""
    if context.args:
        await link_with_code(update, context, context.args[0])
    else:
        await converse(update, context, "hello")


async def link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/link <code>`: link this Telegram account to a customer with a one-time code."""
    if not context.args:
        await say(context, update, LINK_USAGE)
        return
    await link_with_code(update, context, "".join(context.args))


async def link_with_code(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    """Redeem the code at the CRM and welcome the customer by first name."""
    if is_group(update.effective_chat):
        await say(context, update, LINK_IN_GROUP)
        return
    try:
        first_name = await services(context).crm.redeem(update.effective_user.id, code)
    except LinkRefused as refusal:
        await say(context, update, LINK_REFUSALS.get(refusal.code, LINK_REFUSALS["invalid_code"]))
        return
    except CRMUnavailable as error:
        logger.error("Linking failed: %s", error)
        await say(context, update, CRM_DOWN)
        return
    await say(context, update, LINKED.format(name=first_name))


async def unlink(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/unlink`: forget the link between this Telegram account and the customer."""
    try:
        removed = await services(context).crm.unlink(update.effective_user.id)
    except CRMUnavailable as error:
        logger.error("Unlinking failed: %s", error)
        await say(context, update, CRM_DOWN)
        return
    await say(context, update, UNLINKED if removed else NOT_LINKED)


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/help`: what the bot does and its commands."""
    await say(context, update, HELP_TEXT)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: to Rasa, unless it is group chatter that does not address the bot."""
    text = addressed_text(update.effective_message, context.bot)
    if text is None:
        return
    if len(text) > MAX_MESSAGE_CHARS:  # Telegram allows 4,096; Rasa would refuse it
        await say(context, update, TOO_LONG.format(length=len(text), limit=MAX_MESSAGE_CHARS))
        return
    await converse(update, context, text)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press: answer the callback query, then send its payload to Rasa."""
    query = update.callback_query
    data = query.data or ""
    payload = services(context).long_payloads.get(data) if data.startswith(render.LONG_PAYLOAD_PREFIX) else data
    if not payload:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    if message is not None and is_group(message.chat):
        asker = message.reply_to_message.from_user if message.reply_to_message else None
        if asker is not None and asker.id != query.from_user.id:
            await query.answer(NOT_YOUR_BUTTONS, show_alert=True)
            return
    found = services(context)
    if message is not None and not found.first_time(found.pressed, (message.chat.id, message.message_id)):
        await query.answer(ALREADY_CHOSEN, show_alert=True)  # a second press, or a stale button
        return
    await query.answer()
    if message is not None:
        await show_choice(query, message, data)
    await converse(update, context, payload)


async def show_choice(query: Any, message: Message, data: str) -> None:
    """A choice is made once: the buttons go, and the chosen title stays under the question."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    title = next((button.text for row in rows for button in row if button.callback_data == data), None)
    try:
        if title and message.text:
            await query.edit_message_text(f"{message.text}\n\n\u2713 {title}", reply_markup=None)
        else:
            await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as error:
        logger.debug("could not remove the buttons: %s", error)


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice, files, photos, locations...: say that only text is understood."""
    message = update.effective_message
    if is_group(message.chat) and not replies_to_bot(message, context.bot):
        return
    await say(context, update, TEXT_ONLY)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every unhandled error with its traceback, and tell the user if there is one."""
    logger.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None and not isinstance(context.error, Forbidden):
        try:
            await context.bot.send_message(update.effective_chat.id, FAILED)
        except TelegramError:
            logger.exception("Could not tell the user about the error either")
