"""Whom the bot treats specially, with what, and why: retention vouchers and VIP greetings.

Decided from the analytics scores and the loyalty tier, here only; the bot phrases the
answer and logs the reason it is given (agents read the reasons in the console). Each
retention voucher is a code of its own, stored, expiring and used once (`RetentionVoucher`).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_backend.core.errors import Gone
from crm_backend.customers.loyalty import VIP_TIERS, standing
from crm_backend.customers.models import Customer
from crm_backend.insights.models import CustomerScore
from crm_backend.offers.models import RetentionVoucher

HIGH_CHURN_RISK = 0.5
AT_RISK_SEGMENTS = frozenset({"At risk", "Hibernating", "Cannot lose them"})


@dataclass(frozen=True)
class Voucher:
    code: str
    percent_off: int


RETENTION_PERCENT_OFF = 15
VOUCHER_DAYS = 30  # a voucher expires this long after it is issued
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed from a phone


@dataclass(frozen=True)
class RetentionOffer:
    percent_off: int | None  # None: no offer applies
    reason: str


class VoucherNotUsable(Gone):
    code = "voucher_not_usable"
    message = "This voucher has expired or has already been used."


@dataclass(frozen=True)
class Greeting:
    style: str  # "vip" or "personal"
    reason: str
    tier: str | None


def retention_offer(score: CustomerScore | None) -> RetentionOffer:
    """A voucher for an unhappy customer whom we are likely to lose, and why (or why not)."""
    if score is None:
        return RetentionOffer(None, "no analytics score yet")
    churn, segment = score.churn_probability, score.segment
    if churn is not None and churn >= HIGH_CHURN_RISK:
        reason = f"churn probability {churn:.2f} >= {HIGH_CHURN_RISK} (model {score.model_version})"
        return RetentionOffer(RETENTION_PERCENT_OFF, reason + _factors(score))
    if segment in AT_RISK_SEGMENTS:
        return RetentionOffer(RETENTION_PERCENT_OFF, f"segment '{segment}' is at risk of leaving")
    churn_text = "unknown" if churn is None else f"{churn:.2f}"
    return RetentionOffer(None, f"churn probability {churn_text} < {HIGH_CHURN_RISK}, segment {segment}")


def greeting(customer: Customer, score: CustomerScore | None) -> Greeting:
    """A VIP welcome for the VIP tiers (silver and gold), a personal one for everyone else.

    By tier only, the tier the loyalty standing gives (the one /bot/profile shows): a segment
    such as "Champions" once made bronze members VIPs while silver members were greeted plainly."""
    tier = standing(customer.loyalty).tier if customer.loyalty else None
    if tier in VIP_TIERS:
        return Greeting("vip", f"loyalty tier {tier}", tier)
    return Greeting("personal", f"loyalty tier {tier or 'none'}", tier)


def _factors(score: CustomerScore) -> str:
    """The model's factors that raised this customer's churn risk (not those that lowered it)."""
    factors = score.top_factors
    churn_factors = factors.get("churn", []) if isinstance(factors, dict) else factors
    if not isinstance(churn_factors, list):
        return ""
    raising = [str(f) for f in churn_factors if " lowers " not in str(f)]
    return f"; raised by: {'; '.join(raising)}" if raising else ""


def issue_voucher(
    *, db_session: Session, customer_id: int, offer: RetentionOffer, now: datetime | None = None
) -> Voucher:
    """A code of the customer's own for the offer: the unused, unexpired one they already have,
    or a new unique one valid for VOUCHER_DAYS."""
    now = now or datetime.now(UTC)
    current = db_session.scalars(
        select(RetentionVoucher)
        .where(
            RetentionVoucher.customer_id == customer_id,
            RetentionVoucher.redeemed_at.is_(None),
            RetentionVoucher.expires_at > now,
        )
        .order_by(RetentionVoucher.id.desc())
    ).first()
    if current is None:
        code = _new_code(db_session)
        current = RetentionVoucher(
            code=code,
            customer_id=customer_id,
            percent_off=offer.percent_off,
            reason=offer.reason[:2000],
            created_at=now,
            expires_at=now + timedelta(days=VOUCHER_DAYS),
        )
        db_session.add(current)
        db_session.flush()
    return Voucher(code=current.code, percent_off=current.percent_off)


def _new_code(db_session: Session) -> str:
    while True:
        code = "STAY-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if db_session.scalar(select(RetentionVoucher.id).where(RetentionVoucher.code == code)) is None:
            return code


def redeem_voucher(*, db_session: Session, code: str, customer_id: int, now: datetime | None = None) -> Voucher:
    """Use a voucher once, at checkout: only its own customer's, before it expires."""
    now = now or datetime.now(UTC)
    result = db_session.execute(
        update(RetentionVoucher)
        .where(
            RetentionVoucher.code == code,
            RetentionVoucher.customer_id == customer_id,
            RetentionVoucher.redeemed_at.is_(None),
            RetentionVoucher.expires_at > now,
        )
        .values(redeemed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise VoucherNotUsable()
    voucher = db_session.scalars(select(RetentionVoucher).where(RetentionVoucher.code == code)).one()
    return Voucher(code=voucher.code, percent_off=voucher.percent_off)
