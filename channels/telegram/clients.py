"""HTTP clients of the bridge: Rasa's REST channel, the CRM's /bot channel endpoints and its pictures.

Both retry briefly (3 tries within about 2 s plus the time of the calls) when the other
side cannot be reached, and raise typed exceptions that the handlers turn into a message
for the user. A message is re-sent to Rasa only if it certainly did not arrive (the
connection failed or Rasa answered 502/503), so a slow answer is never processed twice.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from protocol.metadata import CHANNEL_ADDRESS, CUSTOMER_TOKEN, TELEGRAM_CHANNEL

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_DELAYS = (0.5, 1.5)  # seconds before the 2nd and 3rd try
CHANNEL = TELEGRAM_CHANNEL
# Rasa's input channel for the bridge (bot/channels/telegram.py): the actions then know the channel.
RASA_WEBHOOK = f"/webhooks/{TELEGRAM_CHANNEL}/webhook"
# Telegram takes uploaded photos of up to 10 MB; product pictures are far smaller.
PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_TIMEOUT = 5.0  # seconds for the whole download
PHOTO_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}


class ServiceUnavailable(Exception):
    """Rasa or the CRM could not be reached or failed, even after retries."""


class RasaUnavailable(ServiceUnavailable):
    pass


class CRMUnavailable(ServiceUnavailable):
    pass


class PictureUnavailable(Exception):
    """A picture could not be fetched from the CRM, or is not one Telegram can show as a photo."""


class LinkRefused(Exception):
    """The CRM refused a link code; `code` is invalid_code, expired_code, used_code or too_many_attempts."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Retry(Exception):
    """Internal: this attempt may be repeated."""


async def with_retries(attempt: Callable[[], Awaitable[T]], *, what: str, retry: bool = True) -> T:
    """Run `attempt`, repeating it after short pauses while it raises `_Retry`."""
    for delay in (*RETRY_DELAYS, None) if retry else (None,):
        try:
            return await attempt()
        except _Retry as error:
            if delay is None:
                raise ServiceUnavailable(f"{what}: {error}") from error
            logger.warning("%s failed (%s); retrying in %.1f s", what, error, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


@dataclass
class RasaClient:
    """Rasa's telegram channel: one user message in, the bot's replies out."""

    http: httpx.AsyncClient
    base_url: str
    channel_token: str = field(default="", repr=False)  # REST_CHANNEL_TOKEN
    timeout: float = 60.0

    async def send(
        self, sender: str, message: str, customer_token: str | None, chat_id: int | None = None
    ) -> list[dict[str, Any]]:
        """`chat_id` is where agents' replies go if the conversation is handed to a person."""
        metadata: dict[str, Any] = {}
        if customer_token:
            metadata[CUSTOMER_TOKEN] = customer_token
        if chat_id is not None:
            metadata[CHANNEL_ADDRESS] = str(chat_id)
        body: dict[str, Any] = {"sender": sender, "message": message, "metadata": metadata}
        headers = {"Authorization": f"Bearer {self.channel_token}"}

        async def attempt() -> list[dict[str, Any]]:
            try:
                response = await self.http.post(
                    f"{self.base_url}{RASA_WEBHOOK}", json=body, headers=headers, timeout=self.timeout
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                raise _Retry(repr(error)) from error
            except httpx.HTTPError as error:  # it may have arrived: do not send it twice
                raise RasaUnavailable(repr(error)) from error
            if response.status_code in (502, 503):
                raise _Retry(f"HTTP {response.status_code}")
            if response.status_code == 401:
                raise RasaUnavailable("Rasa refused the channel credential (REST_CHANNEL_TOKEN)")
            if response.status_code != 200:
                raise RasaUnavailable(f"HTTP {response.status_code}")
            replies = response.json()
            if not isinstance(replies, list):
                raise RasaUnavailable("the answer is not a list")
            return [reply for reply in replies if isinstance(reply, dict)]

        try:
            return await with_retries(attempt, what="Rasa")
        except ServiceUnavailable as error:
            raise RasaUnavailable(str(error)) from error


@dataclass(frozen=True)
class Picture:
    """An image downloaded from the CRM, ready to upload."""

    data: bytes
    content_type: str

    @property
    def filename(self) -> str:
        return "picture" + PHOTO_TYPES.get(self.content_type, "")


@dataclass
class CRMClient:
    """The CRM's channel endpoints, called with the bridge's service token."""

    http: httpx.AsyncClient
    base_url: str
    service_token: str
    timeout: float = 10.0
    picture_max_bytes: int = PICTURE_MAX_BYTES
    picture_timeout: float = PICTURE_TIMEOUT

    async def _call(self, method: str, path: str, *, retry: bool = True, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.service_token}"}

        async def attempt() -> httpx.Response:
            try:
                response = await self.http.request(
                    method, f"{self.base_url}{path}", headers=headers, timeout=self.timeout, **options
                )
            except httpx.HTTPError as error:
                raise _Retry(repr(error)) from error
            if response.status_code >= 500:
                raise _Retry(f"HTTP {response.status_code}")
            return response

        try:
            response = await with_retries(attempt, what=f"CRM {method} {path}", retry=retry)
        except ServiceUnavailable as error:
            raise CRMUnavailable(str(error)) from error
        if response.status_code == 401:
            raise CRMUnavailable("the CRM refused the service token (BOT_SERVICE_TOKEN)")
        return response

    @staticmethod
    def _error_code(response: httpx.Response) -> str:
        try:
            return response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return "http_error"

    async def customer_token(self, user_id: int) -> str | None:
        """A short-lived token for the customer linked to this Telegram user, or None."""
        response = await self._call(
            "POST", "/bot/channel-token", json={"channel": CHANNEL, "external_id": str(user_id)}
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise CRMUnavailable(f"channel-token: HTTP {response.status_code}")
        return response.json()["customer_token"]

    async def redeem(self, user_id: int, code: str) -> str:
        """Link the Telegram user with a one-time code; the customer's first name."""
        body = {"channel": CHANNEL, "external_id": str(user_id), "code": code}
        response = await self._call("POST", "/bot/links/redeem", json=body)
        if response.status_code == 200:
            return response.json()["first_name"]
        if response.status_code in (400, 404, 410, 422, 429):
            code_name = self._error_code(response)
            raise LinkRefused("invalid_code" if code_name == "invalid_request" else code_name)
        raise CRMUnavailable(f"redeem: HTTP {response.status_code}")

    async def unlink(self, user_id: int) -> bool:
        """Forget the link; False if the user was not linked."""
        response = await self._call("DELETE", f"/bot/links/{CHANNEL}/{user_id}")
        if response.status_code in (204, 404):
            return response.status_code == 204
        raise CRMUnavailable(f"unlink: HTTP {response.status_code}")

    async def outbox(self, limit: int = 50) -> list[dict[str, Any]]:
        """Agents' replies waiting for Telegram, oldest first."""
        # No retries: the bridge polls again in a second anyway.
        response = await self._call("GET", "/bot/outbox", params={"channel": CHANNEL, "limit": limit}, retry=False)
        if response.status_code != 200:
            raise CRMUnavailable(f"outbox: HTTP {response.status_code}")
        return response.json()

    async def delivered(self, message_id: int) -> None:
        response = await self._call("POST", f"/bot/outbox/{message_id}/delivered")
        if response.status_code not in (204, 404):
            raise CRMUnavailable(f"delivered: HTTP {response.status_code}")

    async def picture(self, path: str) -> Picture:
        """The image at `path` on the CRM (a public route: no service token is sent).

        At most `picture_max_bytes`, within `picture_timeout` seconds, and only PNG, JPEG,
        WebP or GIF; anything else raises `PictureUnavailable`. No retries: the caller falls
        back to text.
        """
        if not path.startswith("/") or path.startswith("//"):
            raise PictureUnavailable(f"not a path on the CRM: {path!r}")
        try:
            async with asyncio.timeout(self.picture_timeout):
                return await self._download(f"{self.base_url}{path}")
        except TimeoutError as error:
            raise PictureUnavailable(f"{path}: no answer within {self.picture_timeout} s") from error
        except httpx.HTTPError as error:
            raise PictureUnavailable(f"{path}: {error!r}") from error

    async def _download(self, url: str) -> Picture:
        async with self.http.stream("GET", url, timeout=self.picture_timeout) as response:
            if response.status_code != 200:
                raise PictureUnavailable(f"{url}: HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in PHOTO_TYPES:
                raise PictureUnavailable(f"{url}: {content_type or 'no content type'} is not a photo")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.picture_max_bytes:
                raise PictureUnavailable(f"{url}: {declared} bytes is over {self.picture_max_bytes}")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > self.picture_max_bytes:
                    raise PictureUnavailable(f"{url}: over {self.picture_max_bytes} bytes")
        return Picture(bytes(data), content_type)
