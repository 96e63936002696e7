"""The only door from the actions to the CRM: its narrow /bot/* HTTP API."""

import logging
from typing import Any
from urllib.parse import quote

import httpx

from actions.settings import ActionSettings, load_settings

logger = logging.getLogger(__name__)


class CRMError(Exception):
    """Base class of everything the CRM client raises."""


class CRMUnavailable(CRMError):
    """The CRM did not answer, or answered with a server error."""


class CustomerNotVerified(CRMError):
    """The conversation carries no valid customer token."""


class OrderNotFound(CRMError):
    """No such order for this customer (it may not exist, or belong to someone else)."""


class CRMClient:
    """Calls /bot/* on behalf of the customer whose signed token the conversation carries."""

    def __init__(self, customer_token: str | None, settings: ActionSettings | None = None) -> None:
        self.customer_token = customer_token
        self.settings = settings or load_settings()

    async def get_order(self, number: str) -> dict[str, Any]:
        """`{"customer": ..., "order": ...}` for one of the customer's orders."""
        return await self._get(f"/bot/orders/{quote(number, safe='')}", not_found=OrderNotFound)

    async def list_orders(self, limit: int = 5) -> dict[str, Any]:
        """`{"customer": ..., "orders": [...]}`, newest first."""
        return await self._get("/bot/orders", params={"limit": limit})

    async def _get(
        self, path: str, params: dict[str, Any] | None = None, not_found: type[CRMError] = CRMError
    ) -> dict[str, Any]:
        if not self.customer_token:
            raise CustomerNotVerified("no customer token in this conversation")
        headers = {
            "Authorization": f"Bearer {self.settings.service_token}",
            "X-Customer-Token": self.customer_token,
        }
        try:
            async with httpx.AsyncClient(
                base_url=self.settings.crm_url, timeout=self.settings.timeout_seconds
            ) as client:
                response = await client.get(path, params=params, headers=headers)
        except httpx.HTTPError as error:
            raise CRMUnavailable(f"CRM unreachable: {error!r}") from error
        if response.status_code == 401 and _error_code(response) == "customer_not_verified":
            raise CustomerNotVerified("the CRM refused the customer token")
        if response.status_code == 404:
            raise not_found(_error_code(response) or "not found")
        if response.status_code >= 500:
            raise CRMUnavailable(f"CRM answered {response.status_code}")
        if response.status_code != 200:
            raise CRMError(f"CRM answered {response.status_code}: {_error_code(response)}")
        return response.json()


def _error_code(response: httpx.Response) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
