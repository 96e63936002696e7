"""An agent in the console over HTTP, as the browser talks to it; and waiting for a row."""

import time

import httpx

from ops.console_http import ConsoleHTTP
from tests.stack_fixtures import AGENT_PASSWORD


class ConsoleAgent(ConsoleHTTP):
    """An agent's browser on the console, over HTTP (ops/console_http.py), asserting as it goes."""

    def log_in(self, email: str) -> None:
        response = self.log_in_as(email, AGENT_PASSWORD)
        assert response.status_code == 303, response.text

    def post_form(self, path: str, **fields: str) -> httpx.Response:
        response = self.post(path, **fields)
        assert response.status_code == 303, response.text
        assert "error" not in response.headers["location"].lower(), response.headers["location"]
        return response


def wait_for_row(crm, statement, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        crm.expire_all()
        row = crm.scalars(statement).first()
        if row is not None:
            return row
        assert time.monotonic() < deadline, f"no row for {statement}"
        time.sleep(0.3)
