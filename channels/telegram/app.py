"""Building and running the bridge: `python -m channels.telegram`."""

import asyncio
import contextlib
import logging
import os
import sys

import httpx
from telegram import BotCommand, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from channels.telegram import handlers, render
from channels.telegram.clients import CRMClient, CRMUnavailable, RasaClient
from channels.telegram.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

OUTBOX_TASK_KEY = "outbox_task"
HTTP_KEY = "http"
COMMANDS = [
    BotCommand("help", "what I can do"),
    BotCommand("link", "link your shop account with a code"),
    BotCommand("unlink", "unlink your shop account"),
]
# Messages that carry no text we could understand (status updates such as joins are not answered).
NON_TEXT = filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL


def api_urls(base: str) -> tuple[str, str]:
    """PTB's base_url and base_file_url for a Bot API server root such as http://host:8081."""
    root = base.rstrip("/")
    root = root.removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def build_application(settings: Settings) -> Application:
    """The PTB application with its handlers; the HTTP clients are made in post_init."""
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(32)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.api_base_url:
        base_url, base_file_url = api_urls(settings.api_base_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url)
    application = builder.build()
    application.bot_data["settings"] = settings
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("link", handlers.link))
    application.add_handler(CommandHandler("unlink", handlers.unlink))
    application.add_handler(CommandHandler("help", handlers.show_help))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, handlers.on_text)
    )
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(MessageHandler(NON_TEXT, handlers.on_non_text))
    application.add_error_handler(handlers.error_handler)
    return application


async def _post_init(application: Application) -> None:
    """Create the HTTP clients, announce the commands and start delivering agents' replies."""
    settings: Settings = application.bot_data["settings"]
    http = httpx.AsyncClient()
    application.bot_data[HTTP_KEY] = http
    crm = CRMClient(http, settings.crm_url, settings.service_token)
    application.bot_data[handlers.SERVICES_KEY] = handlers.Services(
        rasa=RasaClient(http, settings.rasa_url, settings.rest_channel_token, timeout=settings.rasa_timeout),
        crm=crm,
        conversation_secret=settings.conversation_id_secret,
        image_base_url=settings.image_base_url,
    )
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as error:
        logger.warning("Could not set the command menu: %s", error)
    if settings.outbox_interval > 0:
        application.bot_data[OUTBOX_TASK_KEY] = asyncio.create_task(
            deliver_outbox(application, crm, settings.outbox_interval), name="telegram-outbox"
        )
    logger.info("Telegram bridge for @%s is up (%s mode)", application.bot.username, settings.mode)


async def _post_stop(application: Application) -> None:
    task = application.bot_data.pop(OUTBOX_TASK_KEY, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _post_shutdown(application: Application) -> None:
    http = application.bot_data.pop(HTTP_KEY, None)
    if http is not None:
        await http.aclose()


async def deliver_outbox(application: Application, crm: CRMClient, interval: float) -> None:
    """Every `interval` seconds, send agents' replies (live handoff) to their chats.

    Delivery is at least once: a message whose "delivered" mark fails is sent again.
    """
    crm_was_down = False
    while True:
        try:
            for message in await crm.outbox():
                if not await deliver_one(application, message):
                    break  # Telegram trouble: keep the order, try again next round
                await crm.delivered(message["id"])
            crm_was_down = False
        except CRMUnavailable as error:
            if not crm_was_down:
                logger.warning("Cannot read the outbox: %s", error)
            crm_was_down = True
        except Exception:
            logger.exception("Outbox delivery failed")
        await asyncio.sleep(interval)


async def deliver_one(application: Application, message: dict) -> bool:
    """Send one outbox message to its chat (`channel_address`), with its buttons; False if it
    should be tried again later."""
    try:
        chat_id = int(str(message.get("channel_address")))
    except ValueError:
        logger.error("Outbox message %s has no Telegram chat to go to; dropping it", message.get("id"))
        return True
    buttons = message.get("buttons")
    markup = render.keyboard(buttons) if isinstance(buttons, list) else None
    if markup is not None:
        application.bot_data[handlers.SERVICES_KEY].remember(markup.long_payloads)
    try:
        chunks = render.split_text(str(message.get("text") or "")) or ([handlers.CHOOSE] if markup else [])
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            await application.bot.send_message(chat_id, chunk, reply_markup=markup.markup if markup and last else None)
    except Forbidden as error:  # the user blocked the bot or left the group: it can never arrive
        logger.warning("Outbox message %s cannot reach chat %s: %s", message.get("id"), chat_id, error)
        return True
    except TelegramError as error:
        logger.warning("Outbox message %s not sent yet: %s", message.get("id"), error)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """Read the settings from the environment and run until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request line, and Telegram's URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    application = build_application(settings)
    allowed = [Update.MESSAGE, Update.CALLBACK_QUERY]
    if settings.mode == "webhook":
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=allowed,
        )
    else:
        application.run_polling(allowed_updates=allowed)
    return 0
