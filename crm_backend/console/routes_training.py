"""Annotations overview, export to training data, and queueing a retraining (administrators).

The web process never trains: the retrain button queues a job for the worker
(`python -m crm_backend jobs work`, see crm_backend/annotations/jobs.py).
"""

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm_backend.annotations.export import ExportRefused, export_annotations
from crm_backend.annotations.jobs import enqueue_training, latest_job
from crm_backend.annotations.service import list_annotations
from crm_backend.audit.service import AuditAction, record_agent_action
from crm_backend.console.auth import ConsoleAdmin, ConsoleAgent, CsrfChecked
from crm_backend.console.deps import TrackerDep
from crm_backend.console.render import render
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.desk.stories import StoryRefused, write_story

router = APIRouter()


def _to(message: str):
    return RedirectResponse(f"/console/training?m={quote(message)}", status_code=303)


@router.get("/training")
def training_page(request: Request, agent: ConsoleAgent, db_session: SessionDep):
    return render(
        request,
        "training.html",
        {
            "annotations": list_annotations(db_session=db_session, limit=200),
            "job": latest_job(db_session=db_session),
            "message": request.query_params.get("m"),
        },
    )


@router.post("/training/export", dependencies=[CsrfChecked])
def export(admin: ConsoleAdmin, db_session: SessionDep, settings: SettingsDep):
    try:
        result = export_annotations(db_session=db_session, path=Path(settings.annotations_export_path))
    except ExportRefused as error:
        return _to(str(error))
    record_agent_action(
        db_session=db_session,
        agent_id=admin.id,
        action=AuditAction.EXPORT,
        entity_type="nlu_annotations",
        detail={"examples": result.examples},
    )
    return _to(f"Wrote {result.examples} examples ({result.skipped_duplicates} duplicates skipped).")


@router.post("/conversations/{conversation_id:path}/test-story", dependencies=[CsrfChecked])
def test_story(
    conversation_id: str, admin: ConsoleAdmin, db_session: SessionDep, tracker: TrackerDep, settings: SettingsDep
):
    """Turn the reviewed conversation, with its corrections, into a Rasa test story for `make test`."""
    back = f"/console/conversations/{quote(conversation_id, safe='')}"
    try:
        story = write_story(
            db_session=db_session,
            tracker=tracker,
            conversation_id=conversation_id,
            directory=Path(settings.test_stories_export_dir),
            reviewer=f"agent {admin.id}",
        )
    except StoryRefused as error:
        return RedirectResponse(f"{back}?m={quote('No story written: ' + error.message)}", status_code=303)
    record_agent_action(
        db_session=db_session,
        agent_id=admin.id,
        action=AuditAction.EXPORT,
        entity_type="test_story",
        entity_id=conversation_id[:64],
        detail={"steps": story.steps, "corrected": story.corrected, "file": story.path.name},
    )
    message = f"Wrote {story.path} ({story.steps} steps, {story.corrected} corrected)."
    return RedirectResponse(f"{back}?m={quote(message)}", status_code=303)


@router.post("/training/retrain", dependencies=[CsrfChecked])
def retrain(admin: ConsoleAdmin, db_session: SessionDep):
    job, created = enqueue_training(db_session=db_session, agent_id=admin.id)
    record_agent_action(
        db_session=db_session,
        agent_id=admin.id,
        action=AuditAction.CREATE,
        entity_type="training_job",
        entity_id=str(job.id),
        detail={"queued": created},
    )
    return _to("Retraining queued." if created else f"A retraining is already {job.state}.")
