"""`make run`'s runner starts every part, prints where it listens, and leaves no orphans."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from ops.stack import ROOT, free_port

pytestmark = pytest.mark.e2e


def processes_mentioning(marker: str) -> list[int]:
    """Pids whose command line contains `marker` (a unique port number here)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(int(entry.name))
    return found


def start_runner(tmp_path: Path) -> tuple[subprocess.Popen, dict[str, int]]:
    ports = {"crm": free_port(), "actions": free_port(), "rasa": free_port()}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crm.db'}",
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
    }
    command = [sys.executable, "-m", "ops.run", "--env-file", str(tmp_path / ".env"),
               "--crm-port", str(ports["crm"]), "--actions-port", str(ports["actions"]),
               "--rasa-port", str(ports["rasa"])]  # fmt: skip
    runner = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # A thread reads the output (it also keeps the pipe drained, or chatty children would
    # block on a full one); the test waits on a queue, so a silent runner cannot hang it.
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in runner.stdout], daemon=True).start()
    deadline = time.monotonic() + 300
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            if runner.poll() is not None:
                break
            continue
        if "Press Ctrl-C to stop everything." in seen[-1]:
            break
    if not any("Concierge is running" in line for line in seen):
        runner.send_signal(signal.SIGINT)  # stops whatever did start; its children die with it
        runner.wait(timeout=30)
        pytest.fail("make run's runner did not come up:\n" + "".join(seen[-40:]))
    assert any(f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook" in line for line in seen)
    return runner, ports


def assert_all_gone(ports: dict[str, int]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(processes_mentioning(str(p)) for p in ports.values()):
        time.sleep(0.2)
    for name, port in ports.items():
        assert processes_mentioning(str(port)) == [], f"{name} survived"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_ctrl_c_stops_every_process_and_env_file_gets_secrets(tmp_path):
    runner, ports = start_runner(tmp_path)
    assert httpx.get(f"http://127.0.0.1:{ports['crm']}/health", timeout=5).json()["status"] == "ok"
    env_file = (tmp_path / ".env").read_text()
    assert "BOT_SERVICE_TOKEN=" in env_file and "CUSTOMER_TOKEN_SECRET=" in env_file
    assert oct((tmp_path / ".env").stat().st_mode & 0o777) == "0o600"
    runner.send_signal(signal.SIGINT)
    assert runner.wait(timeout=30) == 0
    assert_all_gone(ports)


def test_children_die_when_the_runner_is_killed(tmp_path):
    runner, ports = start_runner(tmp_path)
    runner.kill()
    runner.wait(timeout=10)
    assert_all_gone(ports)
