"""The only door from the actions to the CRM: its narrow /bot/* HTTP API."""

import asyncio
import logging
import weakref
from typing import Any
from urllib.parse import quote

import httpx

from actions.settings import ActionSettings, load_settings
from protocol.crm import (
    CONVERSATION_CHANNEL_HEADER,
    CONVERSATION_ID_HEADER,
    CONVERSATION_OWNED_BY_ANOTHER,
    CUSTOMER_TOKEN_HEADER,
)
from protocol.limits import MAX_CONVERSATION_ID_CHARS

logger = logging.getLogger(__name__)


# One connection pool per event loop (rasa_sdk runs one loop per worker; tests run several).
# A client per call cost a TLS context and a new TCP connection each time: three quarters of
# the action server's CPU under load (bench/results/latency.json, "profile").
_CLIENTS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]" = weakref.WeakKeyDictionary()


def shared_http_client() -> httpx.AsyncClient:
    """The keep-alive HTTP client of the running event loop."""
    loop = asyncio.get_running_loop()
    client = _CLIENTS.get(loop)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
        _CLIENTS[loop] = client
    return client


class CRMError(Exception):
    """Base class of everything the CRM client raises; `code` is the CRM's error code."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class CRMUnavailable(CRMError):
    """The CRM did not answer, or answered with a server error."""


class CustomerNotVerified(CRMError):
    """The conversation carries no valid customer token."""


class ConversationOwnedByAnother(CustomerNotVerified):
    """The conversation belongs to another customer than the token's: a new chat is needed.
    A kind of CustomerNotVerified, so that code catching only that still answers politely."""


class NotFound(CRMError):
    """No such thing for this customer (it may not exist, or belong to someone else)."""


class Conflict(CRMError):
    """The CRM refused a change because of the state of things (e.g. already dispatched)."""


class CRMClient:
    """Calls /bot/* on behalf of the customer whose signed token the conversation carries."""

    def __init__(
        self,
        customer_token: str | None,
        settings: ActionSettings | None = None,
        *,
        conversation_id: str | None = None,
        channel: str | None = None,
    ) -> None:
        self.customer_token = customer_token
        self.conversation_id = conversation_id
        self.channel = channel
        self.settings = settings or load_settings()

    @property
    def is_verified(self) -> bool:
        """Whether there is a token at all; only the CRM can say if it is valid."""
        return bool(self.customer_token)

    async def profile(self) -> dict[str, Any]:
        """Name, loyalty, analytics insights and consents of the verified customer."""
        return await self._call("GET", "/bot/profile")

    async def get_order(self, number: str) -> dict[str, Any]:
        return await self._call("GET", f"/bot/orders/{quote(number, safe='')}")

    async def list_orders(self, limit: int = 5) -> dict[str, Any]:
        return await self._call("GET", "/bot/orders", params={"limit": limit})

    async def cancel_order(self, number: str) -> dict[str, Any]:
        return await self._call("POST", f"/bot/orders/{quote(number, safe='')}/cancel")

    async def change_address(self, number: str, address: str) -> dict[str, Any]:
        return await self._call("PUT", f"/bot/orders/{quote(number, safe='')}/address", json={"address": address})

    async def start_return(self, number: str, reason: str, skus: list[str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"order_number": number, "reason": reason}
        if skus:
            body["skus"] = skus
        return await self._call("POST", "/bot/returns", json=body)

    async def list_returns(self) -> dict[str, Any]:
        return await self._call("GET", "/bot/returns")

    async def return_eligibility(self, number: str) -> dict[str, Any]:
        """Whether the order may be returned (`verdict`), its status, and the window's end."""
        return await self._call("GET", f"/bot/returns/eligibility/{quote(number, safe='')}")

    async def retention_offer(self) -> dict[str, Any]:
        """Whether the CRM offers this customer a voucher to stay, which one, and why."""
        return await self._call("GET", "/bot/offers/retention")

    async def payment_methods(self, method: str | None = None) -> dict[str, Any]:
        """The accepted payment methods, and the CRM's verdict on `method` if one is named."""
        params = {"method": method} if method else None
        return await self._call("GET", "/bot/payment-methods", params=params, needs_customer=False)

    async def set_consent(self, purpose: str, granted: bool) -> dict[str, Any]:
        return await self._call("PUT", f"/bot/consents/{purpose}", json={"granted": granted})

    async def recommendations(self, limit: int = 3, **wish: Any) -> list[dict[str, Any]]:
        """Personal suggestions; `wish` may name a `category` and a `max_price`."""
        params = {"limit": limit, **{k: v for k, v in wish.items() if v is not None}}
        return await self._call("GET", "/bot/recommendations", params=params)

    async def popular(self, limit: int = 3, **wish: Any) -> list[dict[str, Any]]:
        params = {"limit": limit, **{k: v for k, v in wish.items() if v is not None}}
        return await self._call("GET", "/bot/popular", params=params, needs_customer=False)

    async def search_products(self, query: str, limit: int = 3) -> list[dict[str, Any]]:
        return await self._call("GET", "/bot/products", params={"q": query, "limit": limit}, needs_customer=False)

    async def open_ticket(self, **ticket: Any) -> dict[str, Any]:
        """Open a ticket; works for unverified users too (then it has no customer)."""
        return await self._call("POST", "/bot/tickets", json=ticket, needs_customer=False)

    async def open_handoff(self, **handoff: Any) -> dict[str, Any]:
        """Queue the conversation for a colleague; works for unverified users too."""
        return await self._call("POST", "/bot/handoffs", json=handoff, needs_customer=False)

    async def handoff_place(self, conversation_id: str) -> dict[str, Any]:
        """Where the conversation's request for a colleague stands: status, position, expected wait."""
        params = {"conversation_id": conversation_id}
        return await self._call("GET", "/bot/handoffs/place", params=params, needs_customer=False)

    async def cancel_handoff(self, conversation_id: str) -> dict[str, Any]:
        """Withdraw the conversation's unclaimed request for a colleague."""
        body = {"conversation_id": conversation_id}
        return await self._call("POST", "/bot/handoffs/cancel", json=body, needs_customer=False)

    async def store_csat(self, **rating: Any) -> dict[str, Any]:
        """Store a 1-5 rating; the CRM decides whether it rates the bot or a colleague."""
        return await self._call("POST", "/bot/csat", json=rating, needs_customer=False)

    async def log_decision(self, conversation_id: str, decision: str, reason: str) -> None:
        body = {"conversation_id": conversation_id, "decision": decision, "reason": reason}
        await self._call("POST", "/bot/decisions", json=body, needs_customer=False)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        needs_customer: bool = True,
    ) -> Any:
        if needs_customer and not self.customer_token:
            raise CustomerNotVerified("no customer token in this conversation")
        headers = self._headers()
        url = f"{self.settings.crm_url}{path}"
        client = shared_http_client()
        request = client.build_request(
            method, url, params=params, json=json, headers=headers, timeout=self.settings.timeout_seconds
        )
        try:
            try:
                response = await client.send(request)
            except httpx.RemoteProtocolError:
                # A kept-alive connection that the CRM closed (it restarted). Only idempotent
                # requests are sent again: a POST may have been applied before the drop.
                if method not in ("GET", "PUT"):
                    raise
                response = await client.send(request)
        except httpx.HTTPError as error:
            raise CRMUnavailable(f"CRM unreachable: {error!r}") from error
        if response.status_code in (200, 201):
            return response.json()
        if response.status_code == 204:
            return None
        code = _error_code(response)
        if response.status_code == 401 and code == "customer_not_verified":
            raise CustomerNotVerified("the CRM refused the customer token", code)
        if response.status_code == 403 and code == CONVERSATION_OWNED_BY_ANOTHER:
            raise ConversationOwnedByAnother("the conversation belongs to another customer", code)
        error_class = {404: NotFound, 409: Conflict}.get(response.status_code)
        if error_class is not None:
            raise error_class(_error_message(response), code)
        if response.status_code >= 500:
            raise CRMUnavailable(f"CRM answered {response.status_code}", code)
        raise CRMError(f"CRM answered {response.status_code}: {code}", code)

    def _headers(self) -> dict[str, str]:
        """The service token; the customer's token with the conversation it is used in."""
        headers = {"Authorization": f"Bearer {self.settings.service_token}"}
        if self.customer_token:
            headers[CUSTOMER_TOKEN_HEADER] = self.customer_token
        if self.conversation_id:
            headers[CONVERSATION_ID_HEADER] = quote(self.conversation_id[:MAX_CONVERSATION_ID_CHARS], safe="")
        if self.channel:
            headers[CONVERSATION_CHANNEL_HEADER] = self.channel[:20]
        return headers


def _error_code(response: httpx.Response) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
