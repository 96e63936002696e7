"""Retraining the Rasa model from the console: one background run at a time, with its log."""

import shlex
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG_TAIL_LINES = 40


@dataclass
class TrainingStatus:
    state: str  # idle | running | succeeded | failed
    started_at: float | None
    finished_at: float | None
    exit_code: int | None
    log_tail: str


class TrainingRunner:
    """Starts the retrain command in the background and reports on it."""

    def __init__(self, command: str, log_path: Path, cwd: Path = ROOT) -> None:
        self.command = command
        self.log_path = log_path
        self.cwd = cwd
        self._process: subprocess.Popen | None = None
        self._started_at: float | None = None
        self._finished_at: float | None = None
        self._lock = threading.Lock()

    def start(self) -> bool:
        """Start a run; False if one is already running."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return False
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log = self.log_path.open("wb")
            self._process = subprocess.Popen(
                shlex.split(self.command), cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            log.close()
            self._started_at, self._finished_at = time.time(), None
            return True

    def status(self) -> TrainingStatus:
        with self._lock:
            process = self._process
            if process is None:
                return TrainingStatus("idle", None, None, None, self._tail())
            code = process.poll()
            if code is not None and self._finished_at is None:
                self._finished_at = time.time()
            state = "running" if code is None else ("succeeded" if code == 0 else "failed")
            return TrainingStatus(state, self._started_at, self._finished_at, code, self._tail())

    def wait(self, timeout: float) -> None:
        if self._process is not None:
            self._process.wait(timeout=timeout)

    def _tail(self) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_bytes()[-20_000:].decode(errors="replace").replace("\r", "\n")
        lines = [line for line in text.splitlines() if line.strip()]
        return "\n".join(lines[-LOG_TAIL_LINES:])
