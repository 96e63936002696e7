"""`make run`'s runner starts every part, prints where it listens and little else, keeps each
process's full log in the log folder, shows no secret on any command line or in any log,
creates its data private to the user (0600 / 0700), and leaves no orphans."""

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


MAX_CONSOLE_LINES = 30  # the address table, progress and real errors; not library warnings
CHILDREN = ("crm", "worker", "actions", "rasa")


def start_runner(tmp_path: Path) -> tuple[subprocess.Popen, dict[str, int], list[str]]:
    ports = {"crm": free_port(), "actions": free_port(), "rasa": free_port()}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crm.db'}",
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
    }
    command = [sys.executable, "-m", "ops.run", "--env-file", str(tmp_path / ".env"), "--log-dir", str(tmp_path / "l"),
               "--crm-port", str(ports["crm"]), "--actions-port", str(ports["actions"]),
               "--rasa-port", str(ports["rasa"])]  # fmt: skip
    # The runner sets its own umask; a lax one here shows it does.
    runner = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              umask=0o022)  # fmt: skip
    # A thread reads the output (it also keeps the pipe drained, or chatty children would
    # block on a full one); the test waits on a queue, so a silent runner cannot hang it.
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in runner.stdout], daemon=True).start()
    deadline = time.monotonic() + 600  # the first start seeds the shop and scores it: minutes on a busy machine
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
    return runner, ports, seen


def children_of(pid: int) -> list[int]:
    """Every descendant of `pid` (by the parent pids in /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found += kids
        frontier += kids
    return found


def secret_values(env_file: Path) -> dict[str, str]:
    values = {}
    for line in env_file.read_text().splitlines():
        name, _, value = line.partition("=")
        if name.endswith(("TOKEN", "SECRET", "PASSWORD")) and len(value) >= 16:
            values[name] = value
    return values


def assert_all_gone(ports: dict[str, int]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(processes_mentioning(str(p)) for p in ports.values()):
        time.sleep(0.2)
    for name, port in ports.items():
        assert processes_mentioning(str(port)) == [], f"{name} survived"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


@pytest.mark.attack("secrets_in_argv_and_logs")
def test_ctrl_c_stops_every_process_and_env_file_gets_secrets(tmp_path):
    runner, ports, console = start_runner(tmp_path)
    assert httpx.get(f"http://127.0.0.1:{ports['crm']}/health", timeout=5).json()["status"] == "ok"
    env_file = (tmp_path / ".env").read_text()
    for name in ("BOT_SERVICE_TOKEN", "CUSTOMER_TOKEN_SECRET", "ACTION_SERVER_TOKEN", "CONVERSATION_ID_SECRET",
                 "REST_CHANNEL_TOKEN"):  # fmt: skip
        assert f"{name}=" in env_file
    secrets = secret_values(tmp_path / ".env")

    # Quiet console, full logs.
    assert len(console) <= MAX_CONSOLE_LINES, "".join(console)
    assert not any("Warning" in line or "endpoints.yml" in line for line in console), "".join(console)
    logs = tmp_path / "l"
    for name in (*CHILDREN, "setup"):
        assert (logs / f"{name}.log").stat().st_size > 0, name
    assert "Application startup complete" in (logs / "crm.log").read_text()
    assert "Rasa server is up and running" in (logs / "rasa.log").read_text()

    # No secret on any child's command line, nor in any log.
    children = children_of(runner.pid)
    assert len(children) >= len(CHILDREN)
    for pid in children:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        for name, value in secrets.items():
            assert value not in cmdline, f"{name} on the command line of {cmdline!r}"
    # Rasa got its API token although no command line carries it (bot/launch.py), and the
    # request that carries it in its URL leaves no trace of it in any log.
    status = f"http://127.0.0.1:{ports['rasa']}/status"
    assert httpx.get(status, params={"token": secrets["RASA_API_TOKEN"]}, timeout=10).status_code == 200
    assert httpx.get(status, params={"token": "wrong"}, timeout=10).status_code == 401
    for log in logs.iterdir():
        text = log.read_text(errors="replace")
        for name, value in secrets.items():
            assert value not in text, f"{name} in {log.name}"

    # Data at rest is private: files 0600, folders 0700.
    for path in (tmp_path / ".env", tmp_path / "crm.db", tmp_path / "tracker.db", logs, *logs.iterdir()):
        expected = "0o700" if path.is_dir() else "0o600"
        assert oct(path.stat().st_mode & 0o777) == expected, path

    runner.send_signal(signal.SIGINT)
    assert runner.wait(timeout=30) == 0
    assert_all_gone(ports)


def test_children_die_when_the_runner_is_killed(tmp_path):
    runner, ports, _console = start_runner(tmp_path)
    runner.kill()
    runner.wait(timeout=10)
    assert_all_gone(ports)
