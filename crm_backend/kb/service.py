"""Articles in and out of the database, and the outcomes the bot records against them.

Every change bumps the article's `revision`: each process's search index compares
`index_signature()` with what it loaded and refreshes only the articles that changed, so an
edit saved by any process (console, import, another replica) is searchable within a second,
with no retraining.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_backend.kb.models import Article, ArticleEvent, Outcome
from crm_backend.kb.schemas import ArticleIn
from crm_backend.kb.search import Doc, HybridIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportCounts:
    imported: int  # new articles
    updated: int  # changed articles
    unchanged: int  # same content hash: nothing written


def _apply(article: Article, incoming: ArticleIn, digest: str) -> None:
    article.title = incoming.title
    article.questions = list(incoming.questions)
    article.body = incoming.body
    article.tags = list(incoming.tags)
    article.language = incoming.language
    article.url = incoming.public_url()
    article.published = incoming.published
    article.content_hash = digest


def save_article(*, db_session: Session, incoming: ArticleIn) -> tuple[Article, bool]:
    """Create or update the article with `incoming.slug`; returns it and whether anything changed."""
    digest = incoming.content_hash()
    article = db_session.scalar(select(Article).where(Article.slug == incoming.slug))
    if article is None:
        article = Article(slug=incoming.slug, revision=1)
        _apply(article, incoming, digest)
        db_session.add(article)
        db_session.flush()
        return article, True
    if article.content_hash == digest:
        return article, False
    _apply(article, incoming, digest)
    article.revision += 1
    db_session.flush()
    return article, True


def import_articles(*, db_session: Session, articles: Iterable[ArticleIn]) -> ImportCounts:
    """Upsert by slug; an article whose hash is unchanged is not written (idempotent)."""
    imported = updated = unchanged = 0
    existing = set(db_session.scalars(select(Article.slug)))
    for incoming in articles:
        _, changed = save_article(db_session=db_session, incoming=incoming)
        if not changed:
            unchanged += 1
        elif incoming.slug in existing:
            updated += 1
        else:
            imported += 1
    return ImportCounts(imported, updated, unchanged)


def to_incoming(article: Article) -> ArticleIn:
    return ArticleIn(
        slug=article.slug,
        title=article.title,
        questions=article.questions,
        body=article.body,
        tags=article.tags,
        language=article.language,
        url=article.url,
        published=article.published,
    )


def list_articles(*, db_session: Session, published_only: bool = False) -> list[Article]:
    statement = select(Article).order_by(Article.slug)
    if published_only:
        statement = statement.where(Article.published.is_(True))
    return list(db_session.scalars(statement))


def get_article(*, db_session: Session, slug: str) -> Article | None:
    return db_session.scalar(select(Article).where(Article.slug == slug))


def set_published(*, db_session: Session, article: Article, published: bool) -> None:
    if article.published != published:
        incoming = to_incoming(article).model_copy(update={"published": published})
        save_article(db_session=db_session, incoming=incoming)


def index_signature(*, db_session: Session) -> tuple[int, int]:
    """(articles, sum of revisions): changes whenever any article is added, edited or deleted."""
    row = db_session.execute(select(func.count(Article.id), func.coalesce(func.sum(Article.revision), 0))).one()
    return int(row[0]), int(row[1])


def revisions(*, db_session: Session) -> dict[int, int]:
    return dict(db_session.execute(select(Article.id, Article.revision)).all())


def articles_by_id(*, db_session: Session, ids: Sequence[int]) -> list[Article]:
    if not ids:
        return []
    return list(db_session.scalars(select(Article).where(Article.id.in_(ids))))


def record_event(
    *,
    db_session: Session,
    outcome: Outcome,
    article_id: int | None,
    conversation_id: str | None,
    query: str | None = None,
    score: float | None = None,
) -> ArticleEvent:
    event = ArticleEvent(
        outcome=outcome, article_id=article_id, conversation_id=conversation_id, query=query, score=score
    )
    db_session.add(event)
    db_session.flush()
    return event


def last_served(*, db_session: Session, conversation_id: str) -> int | None:
    """The article last served (or suggested) in the conversation: what a click or handoff is about."""
    statement = (
        select(ArticleEvent.article_id)
        .where(ArticleEvent.conversation_id == conversation_id, ArticleEvent.outcome == Outcome.SERVED)
        .order_by(ArticleEvent.id.desc())
        .limit(1)
    )
    return db_session.scalar(statement)


def article_metrics(*, db_session: Session) -> dict[int, dict[str, int]]:
    """{article id: {outcome: count}} over every recorded event."""
    statement = (
        select(ArticleEvent.article_id, ArticleEvent.outcome, func.count())
        .where(ArticleEvent.article_id.is_not(None))
        .group_by(ArticleEvent.article_id, ArticleEvent.outcome)
    )
    metrics: dict[int, dict[str, int]] = {}
    for article_id, outcome, count in db_session.execute(statement):
        metrics.setdefault(article_id, {})[outcome] = count
    return metrics


def unanswered_queries(*, db_session: Session, limit: int = 500) -> list[str]:
    statement = (
        select(ArticleEvent.query)
        .where(ArticleEvent.outcome == Outcome.UNANSWERED, ArticleEvent.query.is_not(None))
        .order_by(ArticleEvent.id.desc())
        .limit(limit)
    )
    return [query for query in db_session.scalars(statement) if query]


def refresh_index(*, db_session: Session, index: HybridIndex) -> int:
    """Bring `index` up to the database: upsert only articles whose revision changed, drop the
    unpublished or deleted ones. Returns how many articles were re-indexed."""
    current = dict(db_session.execute(select(Article.id, Article.revision).where(Article.published.is_(True))).all())
    loaded = {doc_id: doc.revision for doc_id, doc in index.docs().items()}
    index.remove([doc_id for doc_id in loaded if doc_id not in current])
    changed = [doc_id for doc_id, revision in current.items() if loaded.get(doc_id) != revision]
    index.upsert(to_doc(article) for article in articles_by_id(db_session=db_session, ids=changed))
    return len(changed)


def to_doc(article: Article) -> Doc:
    return Doc(
        id=article.id,
        slug=article.slug,
        title=article.title,
        questions=tuple(article.questions),
        body=article.body,
        url=article.url,
        revision=article.revision,
    )
