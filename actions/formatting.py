"""Turning CRM records into sentences."""

from datetime import date, datetime
from typing import Any


def human_date(value: str | None) -> str | None:
    """'2026-11-18T10:00:00+00:00' or '2026-11-18' -> '18 November 2026'."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return f"{parsed.day} {parsed:%B %Y}"


def describe_order(order: dict[str, Any]) -> str:
    """One or two sentences saying where an order is, with its real dates."""
    number, status = order["number"], order["status"]
    placed = human_date(order["placed_at"])
    shipped = human_date(order.get("shipped_at"))
    delivered = human_date(order.get("delivered_at"))
    expected = human_date(order.get("estimated_delivery"))
    carrier = order.get("carrier")
    tracking = order.get("tracking_number")
    if status == "delivered":
        return f"Order {number} (placed {placed}) was delivered on {delivered}."
    if status == "shipped":
        via = f" with {carrier}, tracking number {tracking}" if carrier and tracking else ""
        return f"Order {number} is shipped: it left our warehouse on {shipped}{via}, and should arrive by {expected}."
    if status in ("pending", "processing"):
        return f"Order {number} (placed {placed}) is {status}; we expect to deliver it by {expected}."
    if status == "cancelled":
        return f"Order {number} (placed {placed}) was cancelled."
    if status == "returned":
        return f"Order {number} (placed {placed}) was returned to us."
    return f"Order {number} (placed {placed}) has the status '{status}'."


def money(order: dict[str, Any]) -> str:
    return f"{order['total']} {order['currency']}"
