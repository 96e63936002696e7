"""Our own assistant's NLU: full `rasa train` time and quality on the held-out test set.

    .venv-rasa/bin/python -m bench.nlu.assistant

Trains the assistant exactly as `make train` does (config.yml, bot/domain, nlu_data) from a
cold Rasa cache into a temporary folder, then parses every utterance of
tests/nlu/test_set.yml (written separately, never trained on) and of the blind set
tests/nlu/blind (bench.nlu.blind), one at a time through the
loaded model. Writes bench/results/nlu_assistant.json (intent accuracy, entity micro-F1
over the pipeline's final entities, response-selection accuracy, per-intent F1, parse
latency) with a confusion-matrix PNG, and records `assistant_train_seconds` in
bench/results/nlu_clinc150.json too.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.nlu.metrics import write_confusion_png, write_per_intent_csv

ROOT = Path.cwd()
TEST_SET = ROOT / "tests" / "nlu" / "test_set.yml"
RESULTS = ROOT / "bench" / "results"
TARGETS = {
    "intent_accuracy": 0.95,
    "entity_f1": 0.90,
    "assistant_train_seconds": 300,
    "blind_intent_accuracy": 0.95,
    "blind_fallback_rate": 0.03,
    "blind_oos_recall": 0.80,
    "blind_entity_f1": 0.92,
}
AT_MOST = {"assistant_train_seconds", "blind_fallback_rate"}


def train(workdir: Path) -> tuple[Path, float]:
    """`rasa train` of the whole assistant from a cold cache; returns the model and seconds."""
    # A cold cache of its own (not the worktree's .rasa/cache, which `make train` may be using).
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "RASA_CACHE_DIRECTORY": str(workdir / "cache")}  # fmt: skip
    command = [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "bot/domain",
               "--data", "nlu_data", "--out", str(workdir), "--fixed-model-name", "assistant"]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return workdir / "assistant.tar.gz", time.perf_counter() - started


def entity_spans(entities: list[dict]) -> set[tuple]:
    """(entity, start, end) of each entity, once even if several extractors found it."""
    return {(e["entity"], e.get("start"), e.get("end")) for e in entities}


def evaluate(model: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from tqdm import tqdm

    examples = load_data(str(TEST_SET)).intent_examples
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    gold_intents: list[str] = []
    predicted_intents: list[str] = []
    latencies: list[float] = []
    true_positive = false_positive = false_negative = 0
    response_hits = response_total = 0
    for example in tqdm(examples, desc="parsing", unit="msg"):
        text = example.get("text")
        started = time.perf_counter()
        parsed = loop.run_until_complete(agent.parse_message(text))
        latencies.append((time.perf_counter() - started) * 1000)
        gold_intents.append(example.get("intent"))
        predicted_intents.append((parsed.get("intent") or {}).get("name"))
        gold = entity_spans(example.get("entities") or [])
        found = entity_spans(parsed.get("entities") or [])
        true_positive += len(gold & found)
        false_positive += len(found - gold)
        false_negative += len(gold - found)
        full_key = example.get("intent_response_key")
        if full_key:
            response_total += 1
            selector = (parsed.get("response_selector") or {}).get(example.get("intent")) or {}
            response_hits += (selector.get("response") or {}).get("intent_response_key") == full_key
    precision = true_positive / max(1, true_positive + false_positive)
    recall = true_positive / max(1, true_positive + false_negative)
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(gold_intents) | {p for p in predicted_intents if p})
    write_confusion_png(gold_intents, predicted_intents, labels, RESULTS / "nlu_assistant_confusion.png")
    write_per_intent_csv(gold_intents, predicted_intents, RESULTS / "nlu_assistant_per_intent_f1.csv")
    ordered = sorted(latencies)
    return {
        "test_utterances": len(examples),
        "intent_accuracy": round(float(accuracy_score(gold_intents, predicted_intents)), 4),
        "intent_macro_f1": round(float(f1_score(gold_intents, predicted_intents, average="macro")), 4),
        "entity_precision": round(precision, 4),
        "entity_recall": round(recall, 4),
        "entity_f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "entities_in_test_set": true_positive + false_negative,
        "response_selection_accuracy": round(response_hits / max(1, response_total), 4),
        "parse_p50_ms": round(statistics.median(latencies), 1),
        "parse_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
    }


def evaluate_blind(model: Path) -> dict:
    """The blind set's figures (bench.nlu.blind), with its per-label F1 and confusion plot."""
    from bench.nlu.blind import evaluate_model, load_blind

    blind = evaluate_model(model, load_blind())
    gold, predicted = blind.pop("_gold"), blind.pop("_predicted")
    labels = sorted(set(gold) | set(predicted))
    write_confusion_png(gold, predicted, labels, RESULTS / "nlu_assistant_blind_confusion.png")
    write_per_intent_csv(gold, predicted, RESULTS / "nlu_assistant_blind_per_intent_f1.csv")
    return blind


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        type=Path,
        help="score this trained model instead of training one; the training time of the last "
        "full run (and its load average) is kept",
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "nlu_assistant.json"
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as workdir:
        if args.model:
            earlier = json.loads(out.read_text()) if out.exists() else {}
            model = args.model
            timing = {k: earlier[k] for k in ("assistant_train_seconds", "train_load_1min") if k in earlier}
            timing["model_scored"] = str(args.model)
        else:
            model, seconds = train(Path(workdir))
            timing = {"assistant_train_seconds": round(seconds, 1), "train_load_1min": round(load_at_start, 2)}
        result = {**timing, **evaluate(model)}
        result.update(evaluate_blind(model))
        result["parse_load_1min_at_end"] = round(os.getloadavg()[0], 2)
    result["targets"] = TARGETS
    result["met"] = {
        key: result[key] <= target if key in AT_MOST else result[key] >= target for key, target in TARGETS.items()
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    clinc = RESULTS / "nlu_clinc150.json"
    if clinc.exists():
        figures = json.loads(clinc.read_text())
        figures["assistant_train_seconds"] = result["assistant_train_seconds"]
        clinc.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
