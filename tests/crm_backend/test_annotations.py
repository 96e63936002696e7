"""Agents' corrections as Rasa NLU data: validation (names, control characters, entity values
that are spans of the message), export through a YAML library that hostile text cannot break
out of, de-duplication, redaction, never overwriting a hand-written file, `rasa data validate`
staying clean, and retraining as a queued job run by the worker, not the web process."""

import re
import subprocess
import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
import yaml
from sqlalchemy import delete

from crm_backend.annotations.export import MARKER, ExportRefused, annotated_example, export_annotations
from crm_backend.annotations.jobs import claim_next, enqueue_training, latest_job, work
from crm_backend.annotations.models import NluAnnotation, TrainingJob
from crm_backend.annotations.service import InvalidAnnotation, save_annotation
from crm_backend.core.db import make_engine, make_session_factory, session_scope
from redaction import redact

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# Rasa's own entity markup (rasa/shared/nlu/training_data/entities_parser.py, short form).
ENTITY = re.compile(r"\[(?P<text>[^\]]+?)\]\((?P<entity>[^:)]+?)\)")


@pytest.fixture
def db_session(seeded_database_url):
    engine = make_engine(seeded_database_url)
    session = make_session_factory(engine)()
    session.execute(delete(NluAnnotation))
    session.execute(delete(TrainingJob))
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


@pytest.mark.attack("yaml_injection")
def test_names_control_characters_and_invented_entity_values_are_refused(db_session):
    span = [{"start": 6, "end": 12, "entity": "order_id"}]
    refused = [
        ("where 702733", "order_status\n- intent: greet", span),  # intent name with a newline
        ("where 702733", "order status", span),  # not a name
        ("where 702733", "order_status", [{**span[0], "entity": 'order_id"}'}]),
        ("where 702733", "order_status", [{**span[0], "value": "702733\n    - injected example"}]),
        ("where 702733", "order_status", [{**span[0], "value": "123456"}]),  # not the marked text
        ("where\n- 702733", "order_status", []),
        ("where\u2028702733", "order_status", []),  # unicode line separator
        ("where\x00702733", "order_status", []),
        ("where 702733", "order_status", [{"start": 5, "end": 6, "entity": "order_id"}]),  # only a space
    ]
    for index, (text, intent, entities) in enumerate(refused):
        with pytest.raises(InvalidAnnotation):
            annotate(db_session, 200 + index, text, intent, entities)
    assert db_session.query(NluAnnotation).count() == 0
    saved = annotate(db_session, 300, "where 702733", "order_status", [{**span[0], "value": "702733"}])
    assert saved.entities == [{"start": 6, "end": 12, "entity": "order_id", "value": "702733"}]


HOSTILE = [
    'it broke "} and {"entity": "x"}',
    "- intent: greet examples: | - hello",
    "&anchor hello *anchor <<: *anchor",
    "key: value # not a comment ---",
    "! !!python/object:os.system '%' @ `",
    "    indented  and trailing   ",
    "ünïcödé ✓ “quotes” ‘single’",
    'version: "3.1" nlu: []',
]


@pytest.mark.attack("yaml_injection")
def test_hostile_text_round_trips_through_the_export_and_adds_no_examples(db_session, tmp_path):
    given = {}
    for index, text in enumerate(HOSTILE):
        text = f"{text} 70273{index}"
        start = text.index("70273")
        annotate(
            db_session, 400 + index, text, "order_status", [{"start": start, "end": start + 6, "entity": "order_id"}]
        )
        # Brackets would be entity markup to Rasa: the export writes them as parentheses.
        given[" ".join(text.replace("[", "(").replace("]", ")").split())] = text[start : start + 6]
    result = export_annotations(db_session=db_session, path=tmp_path / "exported" / "corrections.yml")
    content = yaml.safe_load(result.path.read_text())
    assert list(content) == ["version", "nlu"] and [block["intent"] for block in content["nlu"]] == ["order_status"]
    examples = [line.removeprefix("- ") for line in content["nlu"][0]["examples"].splitlines()]
    assert len(examples) == len(HOSTILE) == result.examples
    parsed = {}
    for example in examples:
        entities = ENTITY.findall(example)
        assert [entity for _, entity in entities] == ["order_id"], example
        parsed[ENTITY.sub(r"\g<text>", example)] = entities[0][0]
    assert parsed == given
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"


def test_export_writes_valid_deduplicated_redacted_rasa_yaml(db_session, tmp_path, seeded_database_url):
    path = tmp_path / "annotations" / "corrections.yml"
    annotate(db_session, 101, "hm where is parcel 702733 mail me ada@example.com", "order_status")  # superseded
    annotate(db_session, 102, "hm where is parcel 702733 mail me ada@example.com", "order_status",
             [{"start": 19, "end": 25, "entity": "order_id"}])  # fmt: skip
    annotate(db_session, 103, "I want to make a complaint", "complaint")  # also in nlu_data: Rasa drops it
    annotate(db_session, 104, "my card 4111 1111 1111 1111 got charged twice zz", "payment_problem")
    result = export_annotations(db_session=db_session, path=path, now=datetime(2026, 11, 23, tzinfo=UTC))
    text = result.path.read_text()
    assert text.startswith(MARKER) and "ada@example.com" not in text and "4111 1111 1111 1111" not in text
    content = yaml.safe_load(text)
    assert content["version"] == "3.1"
    by_intent = {block["intent"]: block["examples"].splitlines() for block in content["nlu"]}
    assert by_intent["order_status"] == ["- hm where is parcel [702733](order_id) mail me jane.doe@example.com"]
    assert result.skipped_duplicates == 1 and result.examples == 3
    assert export_annotations(db_session=db_session, path=path).examples == 3  # idempotent

    hand_written = tmp_path / "other" / "corrections.yml"
    hand_written.parent.mkdir()
    hand_written.write_text('version: "3.1"\nnlu: []\n')
    with pytest.raises(ExportRefused):
        export_annotations(db_session=db_session, path=hand_written)

    # Rasa itself accepts the training data with the corrections added, as `make train` passes
    # them (checked once: the file is the same whichever database held the annotations; ~25 s).
    if not seeded_database_url.startswith("sqlite"):
        return
    completed = subprocess.run(
        [str(RASA), "data", "validate", "--domain", str(ROOT / "bot" / "domain"), "--data", str(ROOT / "nlu_data"),
         str(result.path), "--config", str(ROOT / "config.yml")],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": ""},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "corrections.yml" not in completed.stderr


def test_retraining_is_a_job_queued_once_and_run_by_the_worker(db_session, seeded_database_url, tmp_path):
    annotate(db_session, 501, "where is 702733", "order_status", [{"start": 9, "end": 15, "entity": "order_id"}])
    job, created = enqueue_training(db_session=db_session, agent_id=None)
    again, created_again = enqueue_training(db_session=db_session, agent_id=None)
    assert created and not created_again and again.id == job.id and job.state == "queued"
    db_session.commit()

    engine = make_engine(seeded_database_url)
    scopes = partial(session_scope, make_session_factory(engine))
    export_path = tmp_path / "annotations" / "corrections.yml"
    script = "import sys; print('trained on', open(sys.argv[1]).read().count('](order_id)'))"
    command = f'{sys.executable} -c "{script}" {export_path}'
    ran = work(scopes, export_path=export_path, command=command, log_path=tmp_path / "training.log", once=True)
    assert ran == 1 and export_path.exists()
    db_session.expire_all()
    finished = latest_job(db_session=db_session)
    assert (finished.id, finished.state, finished.exit_code) == (job.id, "succeeded", 0)
    assert "trained on 1" in finished.log_tail and finished.finished_at is not None
    assert claim_next(db_session=db_session) is None  # nothing left; a new request queues again

    enqueue_training(db_session=db_session, agent_id=None)
    db_session.commit()
    work(scopes, export_path=export_path, command=f"{sys.executable} -c 'raise SystemExit(3)'",
         log_path=tmp_path / "training.log", once=True)  # fmt: skip
    db_session.expire_all()
    failed = latest_job(db_session=db_session)
    assert (failed.state, failed.exit_code) == ("failed", 3)
    engine.dispose()
