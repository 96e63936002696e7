"""A generated set of chat messages with planted PII, to measure the redactor's recall.

Deterministic for a seed. Each message records the exact character span and kind of what
was planted; messages without PII (order numbers, dates, prices) measure false alarms.
"""

import random
from dataclasses import dataclass

from crm_backend.redaction.redactor import ADDRESS, CARD, EMAIL, PHONE, luhn_valid

TEMPLATES = {
    EMAIL: ["my email is {}", "please write to {} instead", "{} is my address for the invoice", "contact: {}"],
    PHONE: ["call me on {}", "my number is {} thanks", "you can reach me at {} after 5pm", "phone {}"],
    CARD: ["I paid with card {}", "card number {} was charged twice", "is {} still on file?", "use {} please"],
    ADDRESS: ["send it to {}", "I moved to {} last week", "deliver to {} please", "my address is {}, London"],
}
NEGATIVES = [
    "where is my order {order}?",
    "orders {order} and {order2} have not arrived",
    "I was charged {price} EUR on {date}",
    "return {order} placed on {date2}",
    "it costs {price}, is that right?",
    "my loyalty points are {points}",
]
FIRST = ["ada", "alan", "grace", "linus", "marie", "jean-luc", "o.brien", "zoë", "li", "sam"]
DOMAINS = ["example.com", "mail.example.co.uk", "shop-test.de", "uni.example.edu", "x.io"]
STREETS = ["Baker", "High", "Old Mill", "Queen's", "Station", "Elm", "Church", "Long Acre"]
STREET_TYPES = ["Street", "Road", "Lane", "Avenue", "Drive", "St", "Rd", "Way", "Close", "Crescent"]


@dataclass(frozen=True)
class Planted:
    text: str
    kind: str | None  # None: a message without PII
    start: int = 0
    end: int = 0


def _email(rng: random.Random) -> str:
    sep = rng.choice([".", "_", "", "+"])
    return f"{rng.choice(FIRST)}{sep}{rng.choice(FIRST)}{rng.randint(0, 99)}@{rng.choice(DOMAINS)}"


def _phone(rng: random.Random) -> str:
    digits = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))  # noqa: E731
    return rng.choice(
        [
            f"+44 20 {digits(4)} {digits(4)}",
            f"07{digits(3)} {digits(6)}",
            f"({digits(3)}) {digits(3)}-{digits(4)}",
            f"{digits(3)}-{digits(3)}-{digits(4)}",
            f"+1-{digits(3)}-{digits(3)}-{digits(4)}",
            f"+49 30 {digits(8)}",
            f"0049 {digits(3)} {digits(7)}",
            f"{digits(3)}.{digits(3)}.{digits(4)}",
            f"+33 {digits(1)} {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
            f"0{digits(10)}",
        ]
    )


def _card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "52", "37", "6011"])
    length = 15 if prefix == "37" else 16
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    check = next(str(d) for d in range(10) if luhn_valid(body + str(d)))
    number = body + check
    style = rng.choice(["plain", "spaces", "dashes"])
    if style == "plain":
        return number
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return (" " if style == "spaces" else "-").join(groups)


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 250)}{rng.choice(['', '', 'B', 'a'])} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"


MAKERS = {EMAIL: _email, PHONE: _phone, CARD: _card, ADDRESS: _address}


def generate(n_per_kind: int = 150, n_negative: int = 150, seed: int = 7) -> list[Planted]:
    """`n_per_kind` messages per PII kind plus `n_negative` without PII."""
    rng = random.Random(seed)
    messages: list[Planted] = []
    for kind, maker in MAKERS.items():
        for _ in range(n_per_kind):
            value = maker(rng)
            template = rng.choice(TEMPLATES[kind])
            start = template.index("{}")
            messages.append(Planted(template.format(value), kind, start, start + len(value)))
    for _ in range(n_negative):
        text = rng.choice(NEGATIVES).format(
            order=rng.randint(700000, 799999),
            order2=rng.randint(700000, 799999),
            price=f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}",
            date=f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026",
            date2=f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            points=rng.randint(0, 9999),
        )
        messages.append(Planted(text, None))
    rng.shuffle(messages)
    return messages


def measure(redactor, messages: list[Planted]) -> dict:
    """Recall per kind (planted span fully covered by a span of the same kind) and false alarms."""
    found: dict[str, int] = {}
    total: dict[str, int] = {}
    false_alarms = 0
    misses: list[str] = []
    for message in messages:
        spans = redactor.find(message.text)
        if message.kind is None:
            false_alarms += bool(spans)
            continue
        total[message.kind] = total.get(message.kind, 0) + 1
        hit = any(s.label == message.kind and s.start <= message.start and s.end >= message.end for s in spans)
        found[message.kind] = found.get(message.kind, 0) + hit
        if not hit and len(misses) < 20:
            misses.append(message.text)
    negatives = sum(1 for m in messages if m.kind is None)
    return {
        "messages": len(messages),
        "recall": {kind: round(found.get(kind, 0) / count, 4) for kind, count in sorted(total.items())},
        "planted": dict(sorted(total.items())),
        "messages_without_pii": negatives,
        "false_alarm_rate": round(false_alarms / negatives, 4) if negatives else None,
        "examples_missed": misses,
    }
