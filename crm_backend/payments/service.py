"""The payment methods the shop accepts, and the answer about one that a customer names.

Keys are the bot's `payment_method` entity values (nlu_data/lookups); labels are the
shop's names for them, shown as they are, like product names.
"""

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class PaymentMethod:
    key: str
    label: str


ACCEPTED: tuple[PaymentMethod, ...] = (
    PaymentMethod("credit_card", "credit cards (Visa, Mastercard, American Express)"),
    PaymentMethod("debit_card", "debit cards (Maestro, Visa Debit)"),
    PaymentMethod("paypal", "PayPal"),
    PaymentMethod("apple_pay", "Apple Pay"),
    PaymentMethod("google_pay", "Google Pay"),
    PaymentMethod("klarna", "Klarna (pay later or in 3 instalments)"),
    PaymentMethod("gift_card", "our gift cards"),
)
NOT_ACCEPTED: tuple[PaymentMethod, ...] = (PaymentMethod("bank_transfer", "bank transfer"),)


class MethodVerdict(StrEnum):
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    UNKNOWN = "unknown"  # a method we know nothing about, or none named


@dataclass(frozen=True)
class MethodAnswer:
    verdict: MethodVerdict
    method: PaymentMethod | None
    accepted: tuple[PaymentMethod, ...]


def answer_about(key: str | None) -> MethodAnswer:
    """Whether the named method is accepted, with the full list to offer instead."""
    normalised = (key or "").strip().lower().replace(" ", "_").replace("-", "_")
    for verdict, methods in ((MethodVerdict.ACCEPTED, ACCEPTED), (MethodVerdict.NOT_ACCEPTED, NOT_ACCEPTED)):
        method = next((m for m in methods if m.key == normalised), None)
        if method is not None:
            return MethodAnswer(verdict, method, ACCEPTED)
    return MethodAnswer(MethodVerdict.UNKNOWN, None, ACCEPTED)
