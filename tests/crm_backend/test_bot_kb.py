"""/bot/kb/search through HTTP: ranked help-centre articles for a question, behind the service token."""

from pathlib import Path

import pytest

from crm_backend.cli import main as cli_main
from crm_backend.kb import service

HELP_CENTRE = Path(__file__).parents[2] / "crm_backend" / "kb" / "help_centre"


@pytest.fixture(scope="module")
def help_centre(client, crm_settings):
    """The shipped help centre imported into the demo shop (idempotent, so safe on the shared database)."""
    assert cli_main(["kb", "import", str(HELP_CENTRE), "--database-url", crm_settings.database_url]) == 0
    return client


def test_search_needs_the_service_token(help_centre):
    response = help_centre.get("/bot/kb/search", params={"q": "where is my parcel"})
    assert response.status_code == 401


def test_search_returns_ranked_articles_and_sees_an_edit(help_centre, bot_headers, db_session):
    headers = bot_headers(None)
    response = help_centre.get("/bot/kb/search", params={"q": "I forgot my password", "limit": 3}, headers=headers)
    assert response.status_code == 200
    hits = response.json()
    assert [set(hit) for hit in hits] == [{"slug", "title", "url", "score", "field", "passage"}] * 3
    assert hits[0]["slug"] == "reset-password"
    assert hits[0]["url"].startswith("https://") and hits[0]["field"] in {"title", "question", "passage"}
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]

    wording = "Is the shop open on the day of the village summer fete?"
    article = service.get_article(db_session=db_session, slug="opening-hours")
    edited = service.to_incoming(article)
    if wording not in edited.questions:
        edited = edited.model_copy(update={"questions": [*edited.questions, wording]})
        service.save_article(db_session=db_session, incoming=edited)
        db_session.commit()
    response = help_centre.get("/bot/kb/search", params={"q": wording, "limit": 1}, headers=headers)
    assert response.status_code == 200
    assert response.json()[0]["slug"] == "opening-hours" and response.json()[0]["field"] == "question"


def test_search_rejects_an_empty_question(help_centre, bot_headers):
    response = help_centre.get("/bot/kb/search", params={"q": ""}, headers=bot_headers(None))
    assert response.status_code == 422
