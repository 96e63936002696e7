"""Child processes' output: redacted, in full to `var/log/<process>.log`, and on the console
only what a person starting Concierge needs (real errors; the runner prints the progress).

Every line any of our processes writes passes through `Redactor` before it is stored or shown:
the values of the secrets in the process's environment, bearer tokens and `token=` query
parameters become `[redacted]`.
"""

import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

REDACTED = "[redacted]"
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY)$")
MIN_SECRET_CHARS = 8  # shorter values would redact ordinary words
SECRET_SHAPES = (
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(?i)([?&](?:auth_)?token=)[^&\s\"'#]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(?i)(--auth-token[= ])\S+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"), rf"\g<1>{REDACTED}\g<2>"),  # user:password@host
)
# On the console: a log record at ERROR or above, a traceback, or an uncaught exception line.
CONSOLE_WORTHY = re.compile(
    r"\b(ERROR|CRITICAL|FATAL)\b|^Traceback \(most recent call last\)|^[A-Za-z_.]*(Error|Exception): "
)


class Redactor:
    """Replaces the secrets of one environment, and anything shaped like a token, in text."""

    def __init__(self, env: Mapping[str, str]) -> None:
        values = {value for name, value in env.items() if SECRET_NAME.search(name) and len(value) >= MIN_SECRET_CHARS}
        self.pattern = re.compile("|".join(map(re.escape, sorted(values, key=len, reverse=True)))) if values else None

    def __call__(self, text: str) -> str:
        if self.pattern is not None:
            text = self.pattern.sub(REDACTED, text)
        for shape, replacement in SECRET_SHAPES:
            text = shape.sub(replacement, text)
        return text


class RedactingFilter(logging.Filter):
    """For our own loggers: the record's final message, redacted."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor(record.getMessage())
        record.args = None
        return True


def is_console_worthy(line: str) -> bool:
    return bool(CONSOLE_WORTHY.search(line))


def open_private(path: Path) -> IO[bytes]:
    """Open a log for appending, created with mode 0600 in a 0700 folder (logs hold user text)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab")


def pump(
    name: str,
    source: IO[bytes],
    redactor: Redactor,
    log: IO[bytes] | None,
    console: Callable[[str, str], None] | None,
) -> threading.Thread:
    """A daemon thread copying `source` line by line, redacted, to `log` and (filtered) to `console`."""

    def copy() -> None:
        with source:
            for raw in source:
                line = redactor(raw.decode(errors="replace"))
                if log is not None:
                    log.write(line.encode())
                    log.flush()
                if console is not None and (log is None or is_console_worthy(line)):
                    console(name, line.rstrip("\n"))
        if log is not None:
            log.close()

    thread = threading.Thread(target=copy, name=f"log-{name}", daemon=True)
    thread.start()
    return thread
