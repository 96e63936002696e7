"""The chat widget in a real headless Chromium, against the real Rasa, action and CRM processes
(the session's `web_stack` and Chromium, from tests/stack_fixtures.py)."""

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page

from ops.stack import ROOT

SCREENSHOTS = ROOT / "bench" / "results"


@pytest.fixture
def page(customer_page) -> Page:
    """A customer's fresh browser context (own sessionStorage) on the demo shop; fails the test on page errors."""
    return customer_page


RASA_WEBCHAT_VERSION = "1.0.1"
RASA_WEBCHAT = ROOT / "var" / "rasa-webchat" / RASA_WEBCHAT_VERSION / "index.js"


@pytest.fixture(scope="session")
def rasa_webchat() -> Path:
    """The stock `rasa-webchat` bundle (lib/index.js, React included) from npm, cached under var/.

    `npm pack` fetches only the published tarball (checked against the registry's integrity),
    not the package's 590 build dependencies."""
    if RASA_WEBCHAT.exists():
        return RASA_WEBCHAT
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"npm is needed once to fetch rasa-webchat {RASA_WEBCHAT_VERSION} into {RASA_WEBCHAT.parent}")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [npm, "pack", f"rasa-webchat@{RASA_WEBCHAT_VERSION}", "--pack-destination", folder, "--silent"],
            check=True,
            capture_output=True,
            timeout=300,
        )
        [tarball] = Path(folder).glob("rasa-webchat-*.tgz")
        with tarfile.open(tarball) as archive:
            bundle = archive.extractfile("package/lib/index.js")
            assert bundle is not None, "rasa-webchat's tarball has no lib/index.js"
            RASA_WEBCHAT.parent.mkdir(parents=True, exist_ok=True)
            RASA_WEBCHAT.write_bytes(bundle.read())
    return RASA_WEBCHAT
