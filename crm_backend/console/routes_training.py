"""Annotations overview, export to training data, and retraining (administrators)."""

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm_backend.annotations.export import ExportRefused, export_annotations
from crm_backend.annotations.service import list_annotations
from crm_backend.audit.service import AuditAction, record_agent_action
from crm_backend.console.auth import ConsoleAdmin, ConsoleAgent, CsrfChecked
from crm_backend.console.deps import TrainingDep
from crm_backend.console.render import render, secure
from crm_backend.core.deps import SessionDep, SettingsDep

router = APIRouter()


def _to(message: str):
    return secure(RedirectResponse(f"/console/training?m={quote(message)}", status_code=303))


@router.get("/training")
def training_page(request: Request, agent: ConsoleAgent, db_session: SessionDep, runner: TrainingDep):
    return render(
        request,
        "training.html",
        {
            "annotations": list_annotations(db_session=db_session, limit=200),
            "status": runner.status(),
            "message": request.query_params.get("m"),
        },
    )


@router.post("/training/export", dependencies=[CsrfChecked])
def export(admin: ConsoleAdmin, db_session: SessionDep, settings: SettingsDep):
    try:
        result = export_annotations(db_session=db_session, out_dir=Path(settings.annotations_export_dir))
    except ExportRefused as error:
        return _to(str(error))
    record_agent_action(
        db_session=db_session,
        agent_id=admin.id,
        action=AuditAction.EXPORT,
        entity_type="nlu_annotations",
        detail={"examples": result.examples},
    )
    return _to(f"Wrote {result.examples} examples to {result.path} ({result.skipped_duplicates} duplicates skipped).")


@router.post("/training/retrain", dependencies=[CsrfChecked])
def retrain(admin: ConsoleAdmin, db_session: SessionDep, runner: TrainingDep):
    started = runner.start()
    record_agent_action(
        db_session=db_session,
        agent_id=admin.id,
        action=AuditAction.CREATE,
        entity_type="training_run",
        detail={"started": started},
    )
    return _to("Training started." if started else "A training run is already going.")
