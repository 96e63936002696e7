"""An agent's browser on the console, over HTTP: its cookies and the forms' CSRF tokens.

Used by the tests and the benchmarks that act as an agent (claim, reply, hand back). Chromium
sends Secure cookies to 127.0.0.1 over http and httpx does not, so the cookies are kept here.
"""

import re
from http.cookies import SimpleCookie
from typing import Any

import httpx


class ConsoleHTTP:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
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
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def log_in_as(self, email: str, password: str) -> httpx.Response:
        form = {"email": email, "password": password, "csrf_token": self.csrf("/console/login"), "next": ""}
        return self.request("POST", "/console/login", data=form)

    def post(self, path: str, **fields: str) -> httpx.Response:
        """A console form, with the CSRF token of the handoff queue's page."""
        return self.request("POST", path, data={"csrf_token": self.csrf("/console/handoffs"), **fields})

    def close(self) -> None:
        self.http.close()
