"""Turning Rasa's replies into what Telegram shows; pure functions, no I/O.

Texts from the bot are sent as plain text (no parse mode), so nothing in them is read as
markup. Product cards are built here as HTML with every value escaped.
"""

import hashlib
import html
import ipaddress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from protocol.payloads import is_product_cards

MESSAGE_LIMIT = 4096  # Telegram's limit for a text, in UTF-16 code units
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
LONG_PAYLOAD_PREFIX = "p:"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _hard_split(line: str, limit: int) -> list[str]:
    """Cut a line that alone is too long, at a space where possible."""
    pieces: list[str] = []
    while _units(line) > limit:
        cut = limit
        while _units(line[:cut]) > limit:  # characters outside the BMP count twice
            cut -= 1
        space = line.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Chunks of at most `limit` UTF-16 units, cut at line boundaries whenever possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _hard_split(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if current and _units(candidate) > limit:
                chunks.append(current)
                current = piece
            else:
                current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()] or ([text] if text.strip() else [])


@dataclass
class Keyboard:
    """Inline buttons, plus the payloads too long for Telegram's callback data (by key)."""

    markup: InlineKeyboardMarkup
    long_payloads: dict[str, str] = field(default_factory=dict)


def payload_key(payload: str) -> str:
    return LONG_PAYLOAD_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]


def keyboard(buttons: list[dict[str, Any]]) -> Keyboard | None:
    """One button per row; the callback data is the payload (or a key for a long one)."""
    rows = []
    long_payloads: dict[str, str] = {}
    for button in buttons:
        title, payload = str(button.get("title") or ""), str(button.get("payload") or "")
        if not title or not payload:
            continue
        data = payload
        if len(payload.encode()) > CALLBACK_DATA_LIMIT or payload.startswith(LONG_PAYLOAD_PREFIX):
            data = payload_key(payload)
            long_payloads[data] = payload
        rows.append([InlineKeyboardButton(title[:64], callback_data=data)])
    return Keyboard(InlineKeyboardMarkup(rows), long_payloads) if rows else None


# Telegram fetches photos from public http(s) URLs itself, and cannot show SVG as a photo.
UNSUPPORTED_PHOTO_SUFFIXES = (".svg", ".svgz")
# The CRM serves a PNG rendition beside each of its SVG product placeholders.
CRM_PICTURES_PATH = "/static/products/"
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


@dataclass(frozen=True)
class Photo:
    """Where a photo comes from: a public `url` Telegram fetches itself, or a `crm_path` that the
    bridge downloads from the CRM and uploads (the CRM is usually not reachable from Telegram)."""

    url: str | None = None
    crm_path: str | None = None


def is_public_host(host: str) -> bool:
    """Whether Telegram's servers could reach `host` (no DNS look-up: names judged by their form)."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host and host != "localhost" and not host.endswith(_PRIVATE_SUFFIXES)


def _from_crm(parts: SplitResult) -> Photo | None:
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    if path.lower().endswith(UNSUPPORTED_PHOTO_SUFFIXES):
        if not path.startswith(CRM_PICTURES_PATH) or not path.lower().endswith(".svg"):
            return None
        path = path[: -len(".svg")] + ".png"
    return Photo(crm_path=urlunsplit(("", "", path, parts.query, "")))


def photo_source(url: Any, base_url: str | None = None) -> Photo | None:
    """How to send the picture at `url` as a photo, or None (then a card is sent as text).

    A relative URL is public under `base_url` (TELEGRAM_IMAGE_BASE_URL) when that is set, and
    otherwise a path on the CRM. An absolute URL on a host Telegram cannot reach (loopback,
    private addresses, single-label names such as `crm`) is fetched from the CRM by its path.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if not parts.scheme and not parts.netloc:  # a path such as /static/products/KI0000.png
        if not base_url:
            return _from_crm(parts)
        parts = urlsplit(urljoin(base_url.rstrip("/") + "/", parts.geturl().lstrip("/")))
    elif not parts.scheme:  # //host/path
        parts = urlsplit("https:" + parts.geturl())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if not is_public_host(parts.hostname):
        return _from_crm(parts)
    if parts.path.lower().endswith(UNSUPPORTED_PHOTO_SUFFIXES):
        return None
    return Photo(url=parts.geturl())


def money(amount: Any, currency: str | None) -> str:
    try:
        value = f"{Decimal(str(amount)):.2f}"
    except (InvalidOperation, ValueError):
        value = str(amount)
    return f"{value} {currency}" if currency else value


def card_caption(card: dict[str, Any]) -> str:
    """A product card as HTML: bold name, price and stock, and why it is suggested."""
    lines = [f"<b>{html.escape(str(card.get('name') or card.get('sku') or 'Product'))}</b>"]
    if card.get("price") is not None:
        stock = "" if card.get("in_stock", True) else " · out of stock"
        lines.append(html.escape(money(card["price"], card.get("currency"))) + stock)
    if card.get("reason"):
        lines.append(f"<i>{html.escape(str(card['reason']))}</i>")
    caption = "\n".join(lines)
    if _units(caption) > CAPTION_LIMIT:  # only the reason can be that long: drop it
        caption = "\n".join(lines[:2])
    return caption


def product_cards(reply: dict[str, Any]) -> list[dict[str, Any]]:
    """The cards of a `{"custom": {"type": "product_cards", ...}}` reply (protocol.payloads; else none)."""
    custom = reply.get("custom")
    if not is_product_cards(custom):
        return []
    return [card for card in custom.get("cards") or [] if isinstance(card, dict)]
