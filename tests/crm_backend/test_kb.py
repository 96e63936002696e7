"""The help centre: Markdown import/export through the CLI, the service on both databases, and search."""

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from crm_backend.cli import main as cli_main
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.kb import service
from crm_backend.kb.encoder import get_encoder
from crm_backend.kb.models import Article
from crm_backend.kb.schemas import ArticleIn
from crm_backend.kb.search import HybridIndex

HELP_CENTRE = Path(__file__).parents[2] / "crm_backend" / "kb" / "help_centre"
SHIPPED = len(list(HELP_CENTRE.glob("*.md")))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def kb_database(request, tmp_path_factory, postgres_database_factory) -> str:
    """A fresh, migrated CRM database (no articles yet) on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'crm.db'}"
    else:
        url = postgres_database_factory()
    upgrade_database(url)
    return url


def run_import(folder: Path, url: str, capsys) -> tuple[int, dict]:
    code = cli_main(["kb", "import", str(folder), "--database-url", url, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_import_export_import_round_trip(kb_database, tmp_path, capsys):
    assert SHIPPED == 52
    code, first = run_import(HELP_CENTRE, kb_database, capsys)
    assert code == 0
    assert first == {"files": 52, "imported": 52, "updated": 0, "unchanged": 0, "rejected": []}

    exported = tmp_path / "exported"
    assert cli_main(["kb", "export", str(exported), "--database-url", kb_database]) == 0
    capsys.readouterr()
    assert len(list(exported.glob("*.md"))) == 52

    code, second = run_import(exported, kb_database, capsys)
    assert code == 0
    assert second == {"files": 52, "imported": 0, "updated": 0, "unchanged": 52, "rejected": []}

    (exported / "broken.md").write_text("title: no front matter fence\n\nSome text.\n", encoding="utf-8")
    (exported / "evil.md").write_text("---\ntitle: Evil link\nurl: javascript:alert(1)\n---\nBody.\n", encoding="utf-8")
    code, third = run_import(exported, kb_database, capsys)
    assert code == 1
    assert third["files"] == 54
    assert third["unchanged"] == 52
    reasons = {item["file"]: item["reason"] for item in third["rejected"]}
    assert reasons["broken.md"] == "no front matter (the file must start with ---)"
    assert reasons["evil.md"].startswith("url:") and "https://" in reasons["evil.md"]


def test_service_edits_bump_the_revision_and_unpublish_hides_from_the_index(kb_database):
    engine = make_engine(kb_database)
    factory = make_session_factory(engine)
    try:
        for db_session in session_scope(factory):
            article = service.get_article(db_session=db_session, slug="gift-cards")
            assert article is not None and article.revision == 1
            before = service.index_signature(db_session=db_session)
            edited = service.to_incoming(article).model_copy(update={"title": "Gift cards and e-vouchers"})
            saved, changed = service.save_article(db_session=db_session, incoming=edited)
            assert changed and saved.revision == 2
            assert service.save_article(db_session=db_session, incoming=edited)[1] is False
            assert service.index_signature(db_session=db_session) == (before[0], before[1] + 1)
            service.set_published(db_session=db_session, article=saved, published=False)
            assert saved.published is False and saved.revision == 3
            published = service.list_articles(db_session=db_session, published_only=True)
            assert "gift-cards" not in {a.slug for a in published} and len(published) == 51
        for db_session in session_scope(factory):
            stored = service.get_article(db_session=db_session, slug="gift-cards")
            assert isinstance(stored, Article) and stored.title == "Gift cards and e-vouchers"
            service.set_published(db_session=db_session, article=stored, published=True)
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://x"])
def test_article_urls_must_be_web_links(url):
    with pytest.raises(ValidationError):
        ArticleIn(slug="a-b", title="Title", body="Body", url=url)


def test_a_web_link_is_kept():
    assert (
        ArticleIn(slug="a-b", title="Title", body="Body", url="https://x.example/a").public_url()
        == "https://x.example/a"
    )


_VECTORS: dict[str, np.ndarray] = {}  # shared by the SQLite and PostgreSQL runs: the encoder is slow


class CountingEncoder:
    """The real MiniLM, counting how many texts the index asks it to embed."""

    def __init__(self):
        self.encoder = get_encoder()
        self.texts = 0

    def __call__(self, texts):
        self.texts += len(texts)
        missing = [text for text in texts if text not in _VECTORS]
        if missing:
            _VECTORS.update(zip(missing, self.encoder.encode(missing), strict=True))
        return np.stack([_VECTORS[text] for text in texts])


# Questions written for this test (not from the benchmark sets), each with the article that answers it.
EXAMPLES = [
    ("my parcel never arrived, what now?", "lost-parcel"),
    ("can I pay in three instalments", "pay-later-instalments"),
    ("I forgot my password", "reset-password"),
    ("what shoe size should I pick", "size-guide"),
    ("how long until my money comes back", "refund-timing"),
    ("do you deliver to Canada", "international-shipping"),
]


def test_search_finds_the_article_and_sees_an_edit_without_rebuilding(kb_database):
    engine = make_engine(kb_database)
    factory = make_session_factory(engine)
    encoder = CountingEncoder()
    index = HybridIndex(encoder)
    try:
        for db_session in session_scope(factory):
            assert service.refresh_index(db_session=db_session, index=index) == 52
            for question, slug in EXAMPLES:
                hits = index.search(question, k=3)
                assert hits[0].slug == slug, (question, [h.slug for h in hits])
                assert hits[0].field in {"title", "question", "passage"} and hits[0].score > 0
            assert service.refresh_index(db_session=db_session, index=index) == 0

            wording = "Can my hedgehog borrow a kayak paddle?"
            assert index.search(wording, k=1)[0].slug != "opening-hours"
            article = service.get_article(db_session=db_session, slug="opening-hours")
            edited = service.to_incoming(article)
            edited = edited.model_copy(update={"questions": [*edited.questions, wording]})
            service.save_article(db_session=db_session, incoming=edited)
            encoded_before = encoder.texts
            assert service.refresh_index(db_session=db_session, index=index) == 1
            # Only the new question is embedded: the other 51 articles and unchanged fields are reused.
            assert encoder.texts - encoded_before == 1
            hit = index.search(wording, k=1)[0]
            assert hit.slug == "opening-hours" and hit.field == "question"
    finally:
        engine.dispose()
