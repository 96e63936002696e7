"""Save models with joblib plus a metadata JSON; a small folder registry.

Layout of a registry root::

    <root>/<name>/<version>/model.joblib
    <root>/<name>/<version>/metadata.json

Versions are UTC timestamps (``20261122T214300Z``), so they sort by time. Metadata holds
the analytics, scikit-learn and Python versions, the training date, the data range,
the metrics, and the model's parameters. Only load models you saved yourself: joblib
files can run code when loaded.
"""

from __future__ import annotations

import json
import logging
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib
import sklearn

from analytics import __version__

logger = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


def save_model(
    model: Any,
    directory: str | Path,
    *,
    metrics: dict[str, float] | None = None,
    data_range: tuple[Any, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``model.joblib`` and ``metadata.json`` into ``directory``; return the metadata."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    metadata = {
        "model_class": f"{type(model).__module__}.{type(model).__name__}",
        "analytics_version": __version__,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data_range": _jsonable(list(data_range)) if data_range is not None else None,
        "metrics": _jsonable(metrics or {}),
        "params": _jsonable(params),
        "extra": _jsonable(extra or {}),
    }
    joblib.dump(model, directory / MODEL_FILE, compress=3)
    (directory / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True))
    logger.info("saved %s to %s", metadata["model_class"], directory)
    return metadata


def load_model(directory: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load (model, metadata) from a folder written by :func:`save_model`."""
    directory = Path(directory)
    if not (directory / MODEL_FILE).exists():
        raise FileNotFoundError(f"no {MODEL_FILE} in {directory}")
    metadata = json.loads((directory / METADATA_FILE).read_text())
    if metadata.get("sklearn_version") != sklearn.__version__:
        logger.warning(
            "model saved with scikit-learn %s, loading with %s", metadata.get("sklearn_version"), sklearn.__version__
        )
    return joblib.load(directory / MODEL_FILE), metadata


class ModelRegistry:
    """Versioned model folders under one root (no I/O until a method is called)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def save(self, name: str, model: Any, **kwargs: Any) -> str:
        """Save a new version of ``name``; return the version string."""
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"invalid model name {name!r}")
        version = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        save_model(model, self.root / name / version, **kwargs)
        return version

    def versions(self, name: str) -> list[str]:
        folder = self.root / name
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if (p / MODEL_FILE).exists())

    def load(self, name: str, version: str | None = None) -> tuple[Any, dict[str, Any]]:
        """Load a version (default: the latest)."""
        versions = self.versions(name)
        if not versions:
            raise FileNotFoundError(f"no saved versions of {name!r} under {self.root}")
        chosen = version or versions[-1]
        if chosen not in versions:
            raise FileNotFoundError(f"no version {chosen!r} of {name!r}")
        return load_model(self.root / name / chosen)

    def run_record(self, run_id: str) -> dict[str, Any] | None:
        """The stored record of a job run (stages, progress, written partitions), if any."""
        path = self.root / "runs" / f"{run_id}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def save_run(self, run_id: str, record: dict[str, Any]) -> None:
        """Store a job run's record, atomically (a killed job leaves the previous record)."""
        if not run_id or "/" in run_id or run_id.startswith("."):
            raise ValueError(f"invalid run id {run_id!r}")
        folder = self.root / "runs"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{run_id}.json.tmp"
        tmp.write_text(json.dumps(_jsonable(record), indent=2, sort_keys=True))
        tmp.replace(folder / f"{run_id}.json")
