"""Recording the bot's personalised choices."""

from sqlalchemy.orm import Session

from crm_backend.conversations.models import BotDecision


def log_decision(
    *, db_session: Session, customer_id: int | None, conversation_id: str, decision: str, reason: str
) -> BotDecision:
    entry = BotDecision(customer_id=customer_id, conversation_id=conversation_id, decision=decision, reason=reason)
    db_session.add(entry)
    db_session.flush()
    return entry
