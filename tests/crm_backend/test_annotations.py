"""Exporting agents' corrections as Rasa NLU data: structure, de-duplication, redaction,
never overwriting a hand-written file, and `rasa data validate` staying clean."""

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import delete

from crm_backend.annotations.export import MARKER, ExportRefused, annotated_example, export_annotations
from crm_backend.annotations.models import NluAnnotation
from crm_backend.annotations.service import InvalidAnnotation, save_annotation
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.redaction import redact

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


@pytest.fixture
def db_session(seeded_database_url):
    engine = make_engine(seeded_database_url)
    session = make_session_factory(engine)()
    session.execute(delete(NluAnnotation))
    yield session
    session.rollback()
    session.close()
    engine.dispose()


def annotate(db_session, event_id: int, text: str, intent: str, entities=()) -> NluAnnotation:
    return save_annotation(
        db_session=db_session,
        conversation_id="conv-a",
        event_id=event_id,
        text=redact(text),
        predicted_intent="nlu_fallback",
        predicted_confidence=0.2,
        intent=intent,
        entities=list(entities),
        agent_id=None,
    )


def test_entities_become_rasa_markup_and_placeholders_synthetic_values():
    text = "send 702733 to [EMAIL]"
    assert annotated_example(text, [{"start": 5, "end": 11, "entity": "order_id", "value": "702733"}]) == (
        "send [702733](order_id) to jane.doe@example.com"
    )


def test_unknown_intents_entities_and_bad_offsets_are_refused(db_session):
    with pytest.raises(InvalidAnnotation):
        annotate(db_session, 1, "hello", "no_such_intent")
    with pytest.raises(InvalidAnnotation):
        annotate(db_session, 1, "hello", "greet", [{"start": 0, "end": 9, "entity": "order_id"}])
    with pytest.raises(InvalidAnnotation):
        annotate(db_session, 1, "hello", "greet", [{"start": 0, "end": 2, "entity": "no_such_entity"}])


def test_export_writes_valid_deduplicated_redacted_rasa_yaml(db_session, tmp_path, seeded_database_url):
    nlu_dir = tmp_path / "nlu"
    shutil.copytree(ROOT / "nlu_data" / "nlu", nlu_dir)
    annotate(db_session, 101, "hm where is parcel 702733 mail me ada@example.com", "order_status")  # superseded
    annotate(db_session, 102, "hm where is parcel 702733 mail me ada@example.com", "order_status",
             [{"start": 19, "end": 25, "entity": "order_id"}])  # fmt: skip
    annotate(db_session, 103, "I want to make a complaint", "complaint")  # already in nlu_data
    annotate(db_session, 104, "my card 4111 1111 1111 1111 got charged twice zz", "payment_problem")
    result = export_annotations(db_session=db_session, out_dir=nlu_dir, now=datetime(2026, 11, 23, tzinfo=UTC))
    text = result.path.read_text()
    assert text.startswith(MARKER) and "ada@example.com" not in text and "4111 1111 1111 1111" not in text
    content = yaml.safe_load(text)
    assert content["version"] == "3.1"
    by_intent = {block["intent"]: block["examples"].splitlines() for block in content["nlu"]}
    assert by_intent["order_status"] == ["- hm where is parcel [702733](order_id) mail me jane.doe@example.com"]
    assert "complaint" not in by_intent and result.skipped_duplicates == 2 and result.examples == 2
    assert export_annotations(db_session=db_session, out_dir=nlu_dir).examples == 2  # idempotent

    hand_written = tmp_path / "other"
    hand_written.mkdir()
    (hand_written / "corrections.yml").write_text('version: "3.1"\nnlu: []\n')
    with pytest.raises(ExportRefused):
        export_annotations(db_session=db_session, out_dir=hand_written)

    # Rasa itself accepts the training data with the corrections added (checked once: the
    # file is the same whichever database held the annotations; the run takes ~25 s).
    if not seeded_database_url.startswith("sqlite"):
        return
    data = tmp_path / "data"
    shutil.copytree(ROOT / "nlu_data", data)
    shutil.copy(result.path, data / "nlu" / "corrections.yml")
    completed = subprocess.run(
        [str(RASA), "data", "validate", "--domain", str(ROOT / "bot" / "domain"), "--data", str(data),
         "--config", str(ROOT / "config.yml")],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": ""},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "corrections.yml" not in completed.stderr
