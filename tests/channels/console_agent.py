"""An agent in the console over HTTP, as the browser talks to it; and waiting for a row."""

import re
import time
from http.cookies import SimpleCookie

import httpx

from tests.stack_fixtures import AGENT_PASSWORD


class ConsoleAgent:
    """An agent's browser on the console, over HTTP: its cookies (Chromium sends Secure cookies to
    127.0.0.1 over http, httpx does not, so they are kept here) and the forms' CSRF tokens."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **options) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        response = self.http.request(method, path, headers=headers, **options)
        for header in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def csrf(self, path: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.request("GET", path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, email: str) -> None:
        form = {"email": email, "password": AGENT_PASSWORD, "csrf_token": self.csrf("/console/login"), "next": ""}
        response = self.request("POST", "/console/login", data=form)
        assert response.status_code == 303, response.text

    def post_form(self, path: str, **fields: str) -> httpx.Response:
        response = self.request("POST", path, data={"csrf_token": self.csrf("/console/handoffs"), **fields})
        assert response.status_code == 303, response.text
        assert "error" not in response.headers["location"].lower(), response.headers["location"]
        return response

    def close(self) -> None:
        self.http.close()


def wait_for_row(crm, statement, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        crm.expire_all()
        row = crm.scalars(statement).first()
        if row is not None:
            return row
        assert time.monotonic() < deadline, f"no row for {statement}"
        time.sleep(0.3)
