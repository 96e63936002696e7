"""/bot/kb/search: help-centre articles for a question (no customer data involved)."""

from typing import Annotated

from fastapi import APIRouter, Query

from crm_backend.bot_api.schemas import BotArticleHit
from crm_backend.core.deps import SessionDep
from crm_backend.core.types import text
from crm_backend.kb import live

router = APIRouter()


@router.get("/kb/search", response_model=list[BotArticleHit])
def search_articles(
    db_session: SessionDep,
    q: Annotated[text(300, min_length=2), Query()],
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
) -> list[BotArticleHit]:
    """Ranked articles with their score, the field that matched best and the closest passage."""
    return [
        BotArticleHit(
            slug=hit.slug, title=hit.title, url=hit.url, score=round(hit.score, 4), field=hit.field, passage=hit.passage
        )
        for hit in live.search(db_session=db_session, query=q, k=limit)
    ]
