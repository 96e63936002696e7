"""/bot/payment-methods: general shop facts, open to unverified users too."""

from typing import Annotated

from fastapi import APIRouter, Query

from crm_backend.bot_api.schemas import BotPaymentMethod, BotPaymentMethods
from crm_backend.core.types import text
from crm_backend.payments.service import answer_about

router = APIRouter()


@router.get("/payment-methods", response_model=BotPaymentMethods)
def read_payment_methods(
    method: Annotated[text(40) | None, Query()] = None,
) -> BotPaymentMethods:
    """The accepted payment methods and, if `method` is named, whether it is one of them."""
    answer = answer_about(method)
    return BotPaymentMethods(
        verdict=answer.verdict,
        method=BotPaymentMethod.model_validate(answer.method) if answer.method else None,
        accepted=[BotPaymentMethod.model_validate(m) for m in answer.accepted],
    )
