"""Checking one record of a transaction file: a clean `Line`, or a `Rejection` with its reason."""

import re
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

from crm_backend.imports.reader import Record

# Stock codes that are not products but charges or adjustments on the order, and their kind.
CHARGE_KINDS: dict[str, str] = {
    "POST": "postage",
    "DOT": "postage",
    "C2": "carriage",
    "M": "manual",
    "D": "discount",
    "S": "samples",
    "B": "bad_debt",
    "BANK CHARGES": "bank_charges",
    "AMAZONFEE": "marketplace_fee",
    "CRUK": "commission",
    "PADS": "adjustment",
}
CANCELLATION_PREFIX = "C"

CENT = Decimal("0.01")
MILL = Decimal("0.001")
MAX_PRODUCT_PRICE = Decimal("99999999.99")  # Numeric(10, 2)
MAX_CHARGE_AMOUNT = Decimal("999999999.999")  # Numeric(12, 3)
MAX_QUANTITY = 2**31 - 1

_INVOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/\-]{0,39}")
_STOCK_CODE = re.compile(r"[^\x00-\x1f\x7f]{1,40}")
_INTEGER = re.compile(r"[+-]?\d{1,12}")
_DECIMAL = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d*)?|\.\d+)")
_CUSTOMER = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_FLOAT_INTEGER = re.compile(r"(\d{1,62})\.0*")
_ISO_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?")
_US_DATETIME = re.compile(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d")

REQUIRED = ("InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice")


class Reason:
    """Why a record was rejected: the codes written to the rejection report."""

    EMPTY_LINE = "empty_line"
    MALFORMED_CSV = "malformed_csv"
    WRONG_COLUMN_COUNT = "wrong_column_count"
    INVALID_UTF8 = "invalid_utf8"
    MISSING_FIELD = "missing_field"
    BAD_INVOICE_NUMBER = "bad_invoice_number"
    BAD_STOCK_CODE = "bad_stock_code"
    BAD_QUANTITY = "bad_quantity"
    ZERO_QUANTITY = "zero_quantity"
    BAD_DATE = "bad_date"
    BAD_PRICE = "bad_price"
    NEGATIVE_PRICE = "negative_price"
    BAD_CUSTOMER_ID = "bad_customer_id"
    FIELD_TOO_LONG = "field_too_long"
    STOCK_ADJUSTMENT = "stock_adjustment"
    CANCELLATION_POSITIVE_QUANTITY = "cancellation_positive_quantity"
    ORDER_CUSTOMER_MISMATCH = "order_customer_mismatch"


class Line(NamedTuple):
    """A record that passed every check, with its values converted."""

    row: int
    raw: str
    invoice: str
    code: str
    description: str | None
    quantity: int
    placed_at: datetime
    unit_price: Decimal  # cents for products, thousandths for charges
    customer_ref: str | None
    country: str | None
    charge_kind: str | None  # None for a product line

    @property
    def cancelled(self) -> bool:
        return self.invoice.startswith(CANCELLATION_PREFIX)


class Rejection(NamedTuple):
    row: int
    raw: str
    reason: str
    detail: str


class RecordParser:
    """Turns records into lines; one per file, since it needs the header's column positions."""

    def __init__(self, columns: dict[str, int], *, timezone: tzinfo) -> None:
        self._width = columns["*"]
        self._positions = tuple(columns[name] for name in (*REQUIRED, "Description", "CustomerID", "Country"))
        self._timezone = timezone
        self._last_date: tuple[str, datetime | None] = ("", None)

    def __call__(self, record: Record) -> Line | Rejection:
        fields = record.fields
        if record.error is not None:
            return self._reject(record, Reason.MALFORMED_CSV, record.error)
        if len(fields) != self._width:
            if not fields or fields == [""]:
                return self._reject(record, Reason.EMPTY_LINE, "blank line")
            return self._reject(record, Reason.WRONG_COLUMN_COUNT, f"{len(fields)} fields, expected {self._width}")
        if not record.raw.isascii():
            try:
                record.raw.encode("utf-8")
            except UnicodeEncodeError:
                return self._reject(record, Reason.INVALID_UTF8, "bytes that are not UTF-8")
        invoice, code, quantity_text, date_text, price_text, description, customer, country = (
            fields[position].strip() for position in self._positions
        )
        for name, value in zip(REQUIRED, (invoice, code, quantity_text, date_text, price_text), strict=True):
            if not value:
                return self._reject(record, Reason.MISSING_FIELD, f"{name} is empty")
        if not _INVOICE.fullmatch(invoice):
            return self._reject(record, Reason.BAD_INVOICE_NUMBER, f"InvoiceNo {invoice[:60]!r}")
        if not _STOCK_CODE.fullmatch(code):
            return self._reject(record, Reason.BAD_STOCK_CODE, f"StockCode {code[:60]!r}")
        if not _INTEGER.fullmatch(quantity_text) or abs(quantity := int(quantity_text)) > MAX_QUANTITY:
            return self._reject(record, Reason.BAD_QUANTITY, f"Quantity {quantity_text[:60]!r} is not an integer")
        placed_at = self._date(date_text)
        if placed_at is None:
            return self._reject(record, Reason.BAD_DATE, f"InvoiceDate {date_text[:60]!r}")
        charge_kind = CHARGE_KINDS.get(code.upper())
        price = _price(price_text, charge=charge_kind is not None)
        if price is None:
            return self._reject(record, Reason.BAD_PRICE, f"UnitPrice {price_text[:60]!r}")
        customer_ref = _customer_ref(customer)
        if customer_ref is None and customer:
            return self._reject(record, Reason.BAD_CUSTOMER_ID, f"CustomerID {customer[:60]!r}")
        if len(country) > 80:
            return self._reject(record, Reason.FIELD_TOO_LONG, "Country is longer than 80 characters")
        if quantity == 0:
            return self._reject(record, Reason.ZERO_QUANTITY, "Quantity is 0")
        if invoice.startswith(CANCELLATION_PREFIX):
            if quantity > 0:
                return self._reject(
                    record, Reason.CANCELLATION_POSITIVE_QUANTITY, f"cancellation {invoice} with Quantity {quantity}"
                )
        elif quantity < 0 and charge_kind is None:
            return self._reject(
                record, Reason.STOCK_ADJUSTMENT, f"Quantity {quantity} outside a cancellation (stock write-off)"
            )
        if price < 0 and charge_kind is None:
            return self._reject(record, Reason.NEGATIVE_PRICE, f"UnitPrice {price} for product {code}")
        return Line(
            row=record.line,
            raw=record.raw,
            invoice=invoice,
            code=code,
            description=description[:255] or None,
            quantity=quantity,
            placed_at=placed_at,
            unit_price=price,
            customer_ref=customer_ref,
            country=country or None,
            charge_kind=charge_kind,
        )

    def _date(self, text: str) -> datetime | None:
        # Every line of an invoice carries the same date: remember the last one.
        if text == self._last_date[0]:
            return self._last_date[1]
        value = None
        try:
            if _ISO_DATETIME.fullmatch(text):
                value = datetime.fromisoformat(text)
            elif _US_DATETIME.fullmatch(text):
                value = datetime.strptime(text, "%m/%d/%Y %H:%M")
        except ValueError:
            value = None
        if value is not None:
            value = value.replace(tzinfo=self._timezone)
        self._last_date = (text, value)
        return value

    @staticmethod
    def _reject(record: Record, reason: str, detail: str) -> Rejection:
        return Rejection(record.line, record.raw, reason, detail)


def _price(text: str, *, charge: bool) -> Decimal | None:
    if not _DECIMAL.fullmatch(text):
        return None
    value = Decimal(text).quantize(MILL if charge else CENT, rounding=ROUND_HALF_EVEN)
    if abs(value) > (MAX_CHARGE_AMOUNT if charge else MAX_PRODUCT_PRICE):
        return None
    return value


def _customer_ref(text: str) -> str | None:
    """The customer's id as the shop knows it; `17850.0` (a float export) becomes `17850`."""
    if not text:
        return None
    if match := _FLOAT_INTEGER.fullmatch(text):
        return match.group(1)
    if _CUSTOMER.fullmatch(text):
        return text
    return None
