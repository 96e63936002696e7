"""The CRM's list of annotatable intents and entities is the one exported from the domain."""

import subprocess
import sys

from ops.stack import ROOT
from ops.vocabulary import VOCABULARY_FILE, vocabulary


def test_the_exported_vocabulary_is_up_to_date():
    check = subprocess.run(
        [sys.executable, "-m", "ops.vocabulary", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    exported = vocabulary()
    assert "order_status" in exported["intents"] and "order_id" in exported["entities"]
    assert not {"nlu_fallback", "nlu_ambiguous", "clarify_other"} & set(exported["intents"])
    assert VOCABULARY_FILE.is_relative_to(ROOT / "crm_backend")
