"""Turning CRM records into the values and lines that the domain's responses word."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from actions.phrasing import phrase

# The `utter_part_order_*` line for each order status; unknown statuses get `..._other`.
ORDER_LINES = {
    "delivered": "utter_part_order_delivered",
    "pending": "utter_part_order_in_progress",
    "processing": "utter_part_order_in_progress",
    "cancelled": "utter_part_order_cancelled",
    "returned": "utter_part_order_returned",
}


def human_date(value: str | None) -> str | None:
    """'2026-11-18T10:00:00+00:00' or '2026-11-18' -> '18 November 2026'."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return f"{parsed.day} {parsed:%B %Y}"


def describe_order(order: dict[str, Any], domain: Mapping[str, Any], slots: Mapping[str, Any]) -> str:
    """One or two sentences saying where an order is, with its real dates."""
    values = {
        "number": order["number"],
        "status": order["status"],
        "placed_on": human_date(order["placed_at"]),
        "shipped_on": human_date(order.get("shipped_at")),
        "delivered_on": human_date(order.get("delivered_at")),
        "expected_on": human_date(order.get("estimated_delivery")),
        "carrier": order.get("carrier"),
        "tracking_number": order.get("tracking_number"),
    }
    if order["status"] == "shipped":
        tracked = values["carrier"] and values["tracking_number"]
        name = "utter_part_order_shipped_tracked" if tracked else "utter_part_order_shipped"
    else:
        name = ORDER_LINES.get(order["status"], "utter_part_order_other")
    return phrase(domain, slots, name, **values)


def money(order: dict[str, Any]) -> str:
    return f"{order['total']} {order['currency']}"
