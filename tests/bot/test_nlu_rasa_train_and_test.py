"""`rasa train nlu` and `rasa test nlu` with our pipeline on a tiny data set."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from nlu_helpers import EDGE_TEXTS, NLU_YAML, RESPONSES_YAML

REPO_ROOT = Path(__file__).resolve().parents[2]

CONFIG_YAML = """
recipe: default.v1
language: en
assistant_id: nlu-test
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
    case_sensitive: false
    use_lookup_tables: true
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: bot.components.minilm_featurizer.MiniLMFeaturizer
    show_progress: false
  - name: bot.components.linear_intent_classifier.LinearIntentClassifier
  - name: RegexEntityExtractor
    use_regexes: true
    use_lookup_tables: true
    case_sensitive: false
  - name: CRFEntityExtractor
  - name: EntitySynonymMapper
  - name: bot.components.linear_response_selector.LinearResponseSelector
    retrieval_intent: faq
  - name: FallbackClassifier
    threshold: 0.3
policies: []
"""

DOMAIN_YAML = """
version: "3.1"
intents: [greet, goodbye, track_order, request_refund, out_of_scope, faq]
entities: [order_id, product]
"""


def rasa(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    result = subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"rasa {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result


def test_rasa_train_and_test_nlu(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text(NLU_YAML, encoding="utf-8")
    (tmp_path / "domain.yml").write_text(DOMAIN_YAML + RESPONSES_YAML.split("\n", 2)[2])
    (tmp_path / "config.yml").write_text(CONFIG_YAML, encoding="utf-8")

    rasa(
        "train",
        "nlu",
        "--config",
        "config.yml",
        "--nlu",
        "data",
        "--domain",
        "domain.yml",
        "--out",
        "models",
        "--fixed-model-name",
        "nlu",
        cwd=tmp_path,
    )
    model = tmp_path / "models" / "nlu.tar.gz"
    assert model.is_file() and model.stat().st_size > 0

    rasa(
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        "data",
        "--domain",
        "domain.yml",
        "--out",
        "results",
        cwd=tmp_path,
    )
    report = json.loads((tmp_path / "results" / "intent_report.json").read_text())
    assert 0.0 <= report["accuracy"] <= 1.0
    assert set(report) >= {"greet", "track_order", "macro avg", "weighted avg"}
    assert (tmp_path / "results" / "response_selection_report.json").is_file()

    # The packed model loads and parses, including blank and unusual messages.
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parsed = {kind: asyncio.run(agent.parse_message(text)) for kind, text in EDGE_TEXTS.items()}
    assert parsed["empty"]["intent"]["name"] == "nlu_fallback"
    for kind in ("long", "non_latin", "emoji"):
        assert parsed[kind]["intent"]["name"] is not None
        assert 0.0 <= parsed[kind]["intent"]["confidence"] <= 1.0
    faq = asyncio.run(agent.parse_message("what are your opening hours"))
    assert faq["response_selector"]["faq"]["response"]["utter_action"].startswith("utter_faq/")
    order = asyncio.run(agent.parse_message("where is order A12345"))
    assert "A12345" in {e["value"] for e in order["entities"] if e["entity"] == "order_id"}
