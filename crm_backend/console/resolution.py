"""Resolution rate as Intercom defines it: a conversation the bot handled is resolved when the
customer confirmed the answer, or left without asking for more help within 24 hours.

- confirmed: the customer said thanks or yes (`thanks`, `affirm`), or rated it 4 or 5;
- asked for more help: the conversation was handed to a person, asked for one or complained,
  or the bot could not read a message (a fallback) and was not thanked, or the same customer
  started another conversation within 24 hours of its last message;
- a conversation whose 24 hours have not passed yet and that is not confirmed is not counted.

The index keeps a conversation's intents as a set, not in order, so a conversation counts for
each task intent it contains (greetings and small talk skipped), and a rate per intent sits
next to containment (1 - handoffs / conversations) in the same table.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

WINDOW_SECONDS = 24 * 3600
CONFIRMING = {"thanks", "affirm"}
MORE_HELP = {"nlu_fallback", "human_handoff", "complaint"}
NOT_A_TASK = {"greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "rate_csat", "inform", "stop"}


@dataclass
class Row:
    """What one conversation's summary tells: (customer, start, end, intents, handoff, csat)."""

    customer_id: int | None
    started: float
    last: float
    intents: list[str]
    handoff: bool
    csat: int | None
    fallback: bool = False


@dataclass
class IntentRates:
    intent: str
    conversations: int = 0
    contained: int = 0
    decided: int = 0  # confirmed, or the 24 hours have passed
    resolved: int = 0

    @property
    def containment(self) -> float | None:
        return self.contained / self.conversations if self.conversations else None

    @property
    def resolution(self) -> float | None:
        return self.resolved / self.decided if self.decided else None


def task_intents(intents: list[str]) -> list[str]:
    return [i for i in intents if i not in NOT_A_TASK] or ["(none)"]


def outcome(row: Row, *, came_back: bool, now: float) -> bool | None:
    """True resolved, False not, None not decided yet."""
    if row.handoff or MORE_HELP & set(row.intents):
        return False
    if CONFIRMING & set(row.intents) or (row.csat or 0) >= 4:
        return True
    if row.fallback or came_back:
        return False
    return True if now - row.last >= WINDOW_SECONDS else None


def resolution_by_intent(rows: list[Row], *, now: float) -> tuple[list[IntentRates], IntentRates]:
    """Per task intent (most conversations first) and for all conversations."""
    by_customer: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        if row.customer_id is not None:
            by_customer[row.customer_id].append(row.started)
    for starts in by_customer.values():
        starts.sort()
    rates: dict[str, IntentRates] = {}
    total = IntentRates("all")
    for row in rows:
        came_back = row.customer_id is not None and any(
            row.last < start <= row.last + WINDOW_SECONDS for start in _after(by_customer[row.customer_id], row.last)
        )
        result = outcome(row, came_back=came_back, now=now)
        buckets = [rates.setdefault(i, IntentRates(i)) for i in task_intents(row.intents)]
        for bucket in (*buckets, total):
            bucket.conversations += 1
            bucket.contained += not row.handoff
            bucket.decided += result is not None
            bucket.resolved += bool(result)
    ordered = sorted(rates.values(), key=lambda r: (-r.conversations, r.intent))
    return ordered, total


def _after(starts: list[float], moment: float) -> list[float]:
    """The first start after `moment` (in a sorted list), if any: the next one is enough."""
    index = bisect_right(starts, moment)
    return starts[index : index + 1]
