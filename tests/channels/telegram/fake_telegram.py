"""A local stand-in for Telegram's Bot API that serves queued updates and records what bots send.

One server hosts any number of bots, told apart by the token in the URL
(`/bot<token>/<method>`). python-telegram-bot posts form-encoded bodies whose values are
JSON-encoded, and multipart bodies when it uploads a file (recorded in `Call.files`); the
answers follow the Bot API's `{"ok": true, "result": ...}` shape.
"""

import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import HeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

LONG_POLL_SECONDS = 0.5
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ids = itertools.count(7000)


@dataclass(frozen=True)
class Upload:
    """A file a bot uploaded (a multipart part with a file name)."""

    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def png_size(self) -> tuple[int, int] | None:
        """(width, height) from a PNG's header, or None if it is not a PNG."""
        if not self.data.startswith(PNG_SIGNATURE) or self.data[12:16] != b"IHDR":
            return None
        return int.from_bytes(self.data[16:20], "big"), int.from_bytes(self.data[20:24], "big")


@dataclass
class Call:
    """One Bot API request that a bot made."""

    method: str
    params: dict[str, Any]
    result: Any = None
    files: dict[str, Upload] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")


@dataclass
class FakeBot:
    token: str
    id: int
    username: str
    updates: list[dict] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    next_update_id: int = 1
    webhook_url: str = ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A bridge that stopped while its long poll was open: nobody is left to answer.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeTelegram:
    """The server, run in a thread; `push` queues updates, `wait_for` waits for a bot's calls."""

    def __init__(self) -> None:
        self.bots: dict[str, FakeBot] = {}
        self.unfetchable_photo_urls: set[str] = set()  # sendPhoto with one of these answers 400, like Telegram
        self.condition = threading.Condition()
        self.server = _Server(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-telegram", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTelegram":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_bot(self, token: str, username: str) -> FakeBot:
        bot = FakeBot(token=token, id=int(token.split(":")[0]), username=username)
        self.bots[token] = bot
        return bot

    def push(self, token: str, update: dict) -> int:
        """Queue an update for the bot's next getUpdates; returns its update_id."""
        with self.condition:
            bot = self.bots[token]
            update = {"update_id": bot.next_update_id, **update}
            bot.next_update_id += 1
            bot.updates.append(update)
            self.condition.notify_all()
            return update["update_id"]

    def calls(self, token: str, method: str | None = None) -> list[Call]:
        with self.condition:
            return [call for call in self.bots[token].calls if method is None or call.method == method]

    def wait_for(
        self, token: str, predicate: Callable[[Call], bool], *, count: int = 1, timeout: float = 30.0, after: int = 0
    ) -> list[Call]:
        """The first `count` calls (from index `after` on) that match; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                matches = [call for call in self.bots[token].calls[after:] if predicate(call)]
                if len(matches) >= count:
                    return matches[:count]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(call.method, call.params) for call in self.bots[token].calls[after:]]
                    raise AssertionError(f"timed out waiting for {count} matching call(s); calls seen: {seen}")
                self.condition.wait(remaining)

    def mark(self, token: str) -> int:
        """The current number of recorded calls, to wait only for later ones."""
        with self.condition:
            return len(self.bots[token].calls)

    # The HTTP side.

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                path = urlsplit(self.path).path
                head, _, method = path.rpartition("/")
                token = head.removeprefix("/bot")
                bot = fake.bots.get(token)
                params, files = self._params()
                if bot is None:
                    self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                status, body = fake.handle(bot, method, params, files)
                self._send(status, body)

            def _params(self) -> tuple[dict[str, Any], dict[str, Upload]]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                query = urlsplit(self.path).query
                content_type = self.headers.get("Content-Type", "")
                if content_type.startswith("application/json"):
                    return json.loads(raw or b"{}"), {}
                if content_type.startswith("multipart/form-data"):
                    return parse_multipart(content_type, raw)
                params: dict[str, Any] = {}
                for key, value in parse_qsl("&".join(part for part in (query, raw.decode()) if part)):
                    params[key] = _json_or_text(value)
                return params, {}

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def bot_user(self, bot: FakeBot) -> dict:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": "Concierge",
            "username": bot.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def handle(
        self, bot: FakeBot, method: str, params: dict[str, Any], files: dict[str, Upload] | None = None
    ) -> tuple[int, dict]:
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(bot, params)}
        status, body = self._answer(bot, method, params, files or {})
        with self.condition:
            bot.calls.append(Call(method, params, body.get("result"), dict(files or {})))
            self.condition.notify_all()
        return status, body

    def _answer(self, bot: FakeBot, method: str, params: dict[str, Any], files: dict[str, Upload]) -> tuple[int, dict]:
        if method == "getMe":
            return 200, {"ok": True, "result": self.bot_user(bot)}
        if method == "sendPhoto" and "photo" not in params and "photo" not in files:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: there is no photo in the request"}
        if method == "sendPhoto" and params.get("photo") in self.unfetchable_photo_urls:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: failed to get HTTP URL content"}
        if method in ("sendMessage", "sendPhoto", "editMessageReplyMarkup", "editMessageText"):
            return 200, {"ok": True, "result": self._message(bot, method, params, files)}
        if method == "setWebhook":
            bot.webhook_url = str(params.get("url", ""))
            return 200, {"ok": True, "result": True}
        if method == "deleteWebhook":
            bot.webhook_url = ""
            return 200, {"ok": True, "result": True}
        if method == "getWebhookInfo":
            info = {"url": bot.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}
            return 200, {"ok": True, "result": info}
        if method in ("answerCallbackQuery", "sendChatAction", "setMyCommands", "close", "logOut"):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _get_updates(self, bot: FakeBot, params: dict[str, Any]) -> list[dict]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_SECONDS)
        with self.condition:
            while True:
                bot.updates = [update for update in bot.updates if update["update_id"] >= offset]
                if bot.updates or time.monotonic() >= deadline:
                    return list(bot.updates)
                self.condition.wait(max(0.0, deadline - time.monotonic()))

    def _message(self, bot: FakeBot, method: str, params: dict[str, Any], files: dict[str, Upload]) -> dict:
        chat_id = int(params.get("chat_id") or 0)
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(_ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": self.bot_user(bot),
        }
        if method == "sendPhoto":
            upload = files.get("photo")
            width, height = (upload.png_size if upload else None) or (1, 1)
            size = {"file_id": "photo", "file_unique_id": "photo", "width": width, "height": height}
            message["photo"] = [size | ({"file_size": upload.size} if upload else {})]
            if params.get("caption"):
                message["caption"] = params["caption"]
        elif params.get("text"):
            message["text"] = params["text"]
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Fields (JSON-decoded where they are JSON) and files of a multipart/form-data body."""
    envelope = HeaderParser().parsestr(f"Content-Type: {content_type}\r\n\r\n")
    boundary = envelope.get_param("boundary")
    if not isinstance(boundary, str):
        raise ValueError("multipart body without a boundary")
    params: dict[str, Any] = {}
    files: dict[str, Upload] = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):  # the closing delimiter
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = HeaderParser().parsestr(head.decode() + "\r\n\r\n")
        name = str(headers.get_param("name", header="content-disposition") or "")
        filename = headers.get_filename()
        if filename is not None:
            files[name] = Upload(filename=filename, content_type=headers.get_content_type(), data=data)
        else:
            params[name] = _json_or_text(data.decode())
    return params, files


# Updates as Telegram sends them.


def _user(user_id: int, first_name: str = "Tess") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": first_name}


def _chat(chat_id: int, user_id: int) -> dict:
    if chat_id == user_id:
        return {"id": chat_id, "type": "private", "first_name": "Tess"}
    return {"id": chat_id, "type": "supergroup", "title": "Shoppers"}


def message_update(
    chat_id: int,
    user_id: int,
    text: str | None = None,
    *,
    entities: list[dict] | None = None,
    reply_to: dict | None = None,
    **content: Any,
) -> dict:
    """A `message` update; a leading /command gets its `bot_command` entity automatically."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": _chat(chat_id, user_id),
        "from": _user(user_id),
        **content,
    }
    if text is not None:
        message["text"] = text
        entities = list(entities or [])
        if text.startswith("/"):
            entities.insert(0, {"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
        if entities:
            message["entities"] = entities
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return {"message": message}


def mention_entity(text: str, username: str) -> dict:
    mention = f"@{username}"
    return {"type": "mention", "offset": text.index(mention), "length": len(mention)}


def callback_update(chat_id: int, user_id: int, data: str, message: dict) -> dict:
    """A button press on `message` (a message the bot sent)."""
    return {
        "callback_query": {
            "id": str(next(_ids)),
            "from": _user(user_id),
            "chat_instance": "1",
            "data": data,
            "message": {**message, "chat": _chat(chat_id, user_id)},
        }
    }
