"""The process's search indexes, one per database, kept in step with the articles table.

Each request calls `search`, which first compares revisions (one small query) and re-embeds only
the articles that changed, so an edit from any process is found on the next question.
"""

import logging
import threading

import numpy as np
from sqlalchemy.orm import Session

from crm_backend.kb import service
from crm_backend.kb.encoder import get_encoder
from crm_backend.kb.search import Hit, HybridIndex

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
_INDEXES: dict[str, HybridIndex] = {}
_VECTORS: dict[str, np.ndarray] = {}  # shared by every index: the same text is embedded once
_MAX_CACHED_TEXTS = 50_000


def _encode(texts: list[str]) -> np.ndarray:
    missing = [text for text in dict.fromkeys(texts) if text not in _VECTORS]
    if missing:
        if len(_VECTORS) + len(missing) > _MAX_CACHED_TEXTS:
            _VECTORS.clear()
        _VECTORS.update(zip(missing, get_encoder().encode(missing), strict=True))
    return np.stack([_VECTORS[text] for text in texts])


def index_for(db_session: Session) -> HybridIndex:
    key = db_session.get_bind().engine.url.render_as_string(hide_password=True)
    with _LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = HybridIndex(_encode)
        return _INDEXES[key]


def search(*, db_session: Session, query: str, k: int = 3) -> list[Hit]:
    """Published articles ranked for `query`, after bringing this process's index up to date."""
    index = index_for(db_session)
    changed = service.refresh_index(db_session=db_session, index=index)
    if changed:
        logger.info("kb index refreshed: %d articles re-indexed", changed)
    return index.search(query, k=k)
