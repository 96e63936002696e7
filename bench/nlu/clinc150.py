"""CLINC150 benchmark of the Concierge NLU pipeline, through Rasa's own CLI and Agent.

Run from the project root with the Rasa environment:

    .venv-rasa/bin/python -m bench.nlu.clinc150            # full run + DIET baseline
    .venv-rasa/bin/python -m bench.nlu.clinc150 --no-baseline

Protocol (Larson et al., 2019): train on ``train`` + ``oos_train``; tune on ``val`` +
``oos_val``; report in-scope accuracy on ``test`` and out-of-scope recall on
``oos_test``. ``oos`` becomes the intent ``out_of_scope``. A query counts as
out-of-scope when the top intent is ``out_of_scope``/``nlu_fallback`` or its
confidence is below a threshold chosen on validation data only.

The data set is converted to Rasa YAML in a temporary folder (never committed). Each
model is trained by ``rasa train nlu`` in a child process, timed by wall clock from a
cold start with an empty ``.rasa/cache``; peak RSS is the child's ``ru_maxrss``.
Evaluation loads the packed model with ``Agent.load`` and parses one message at a
time.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.nlu.metrics import (
    choose_threshold,
    labels_with_threshold,
    scores,
    write_confusion_png,
    write_per_intent_csv,
)

logger = logging.getLogger(__name__)

ROOT = Path.cwd()
DATA = Path("../shared/datasets/clinc150/data_full.json")
HERE = Path(__file__).resolve().parent
OUR_CONFIG = HERE / "config_clinc150.yml"
BASELINE_CONFIG = HERE / "config_baseline_diet.yml"
RESULTS = Path("bench/results")
OOS = "oos"
RASA_OOS = "out_of_scope"
FALLBACK = "nlu_fallback"
TARGETS = {
    "in_scope_accuracy": (">=", 0.970),
    "oos_recall": (">=", 0.60),
    "train_seconds": ("<=", 300.0),
    "parse_p95_ms": ("<=", 30.0),
    "peak_rss_mb": ("<=", 3000.0),
}

Rows = list[tuple[str, str]]


def load_clinc() -> dict[str, Rows]:
    if not DATA.is_file():
        sys.exit(f"CLINC150 not found at {DATA.resolve()} (run from the project root).")
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        "train": [tuple(r) for r in raw["train"] + raw["oos_train"]],
        "val": [tuple(r) for r in raw["val"] + raw["oos_val"]],
        "test": [tuple(r) for r in raw["test"] + raw["oos_test"]],
    }


def stratified_subset(rows: Rows, per_intent: int, seed: int = 13) -> Rows:
    by_intent: dict[str, list] = defaultdict(list)
    for row in rows:
        by_intent[row[1]].append(row)
    rng = random.Random(seed)
    subset: Rows = []
    for intent in sorted(by_intent):
        subset.extend(rng.sample(by_intent[intent], min(per_intent, len(by_intent[intent]))))
    return subset


def eval_subset(rows: Rows, per_intent: int, oos_share: float = 0.3, seed: int = 7) -> Rows:
    """Stratified evaluation subset: per_intent rows of each intent, 30% of the oos rows."""
    in_scope = stratified_subset([r for r in rows if r[1] != OOS], per_intent, seed)
    oos = [r for r in rows if r[1] == OOS]
    return in_scope + random.Random(seed).sample(oos, int(len(oos) * oos_share))


def write_nlu_yaml(rows: Rows, path: Path) -> None:
    """Write rows as Rasa NLU YAML (brackets become parentheses: no entity markup)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = []
    for text, intent in rows:
        clean = " ".join(text.replace("[", "(").replace("]", ")").split())
        messages.append(Message.build(text=clean, intent=RASA_OOS if intent == OOS else intent))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RasaYAMLWriter().dumps(TrainingData(messages)), encoding="utf-8")


def train(config: Path, nlu_dir: Path, workdir: Path, name: str) -> dict:
    """`rasa train nlu` in a child process; returns wall seconds and peak RSS."""
    shutil.rmtree(workdir / ".rasa", ignore_errors=True)  # cold Rasa cache
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(nlu_dir),
        "--out",
        str(workdir / "models"),
        "--fixed-model-name",
        name,
    ]
    print(f"[bench] training {name}: {' '.join(command[2:])}", flush=True)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=workdir, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"rasa train nlu failed for {name} (exit {process.returncode})")
    return {
        "model": str(workdir / "models" / f"{name}.tar.gz"),
        "train_seconds": round(seconds, 1),
        "train_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def parse_all(agent, loop, rows: Rows, desc: str) -> tuple[list[dict], list[float]]:
    """Parse one message at a time; returns (top non-fallback intent, ms) lists."""
    from tqdm import tqdm

    results, times = [], []
    for text, _ in tqdm(rows, desc=desc, unit="msg", mininterval=2.0):
        start = time.perf_counter()
        parsed = loop.run_until_complete(agent.parse_message(text))
        times.append((time.perf_counter() - start) * 1000)
        top = parsed.get("intent") or {}
        # FallbackClassifier puts nlu_fallback first; keep the model's own choice too.
        model_top = next(
            (r for r in parsed.get("intent_ranking", []) if r.get("name") != FALLBACK),
            {"name": None, "confidence": 0.0},
        )
        results.append(
            {
                "configured": top.get("name"),
                "name": model_top.get("name"),
                "confidence": float(model_top.get("confidence") or 0.0),
            }
        )
    return results, times


def gold(rows: Rows) -> list[str]:
    return [intent for _, intent in rows]


def evaluate(model: str, data: dict[str, Rows], tag: str) -> dict:
    """Tune the threshold on val, score test; returns metrics and test predictions."""
    import asyncio

    import numpy as np
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # as under `rasa run` (INFO): no per-message debug logs inside the timing
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.INFO)

    if tag != "ours":
        # Side-by-side runs: both models are scored on the same stratified eval
        # subset, to keep the DIET comparison within the time budget.
        data = {**data, "val": eval_subset(data["val"], 6), "test": eval_subset(data["test"], 12)}
    start = time.perf_counter()
    agent = Agent.load(model)
    load_seconds = time.perf_counter() - start
    loop = asyncio.new_event_loop()
    for text in ("hello", "warm up the graph", "what is my balance"):
        loop.run_until_complete(agent.parse_message(text))
    val, _ = parse_all(agent, loop, data["val"], f"{tag}: parse val")
    test, times = parse_all(agent, loop, data["test"], f"{tag}: parse test")
    loop.close()

    oos_names = {RASA_OOS, FALLBACK, None}
    threshold, val_scores = choose_threshold(val, gold(data["val"]), oos_names)
    test_labels = labels_with_threshold(test, threshold, oos_names)
    no_threshold = labels_with_threshold(test, 0.0, oos_names)
    as_configured = [OOS if r["configured"] in oos_names else r["configured"] for r in test]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        **scores(gold(data["test"]), test_labels),
        "threshold": round(threshold, 3),
        "val_at_threshold": val_scores,
        "without_threshold": scores(gold(data["test"]), no_threshold),
        "as_configured_fallback": scores(gold(data["test"]), as_configured),
        "parse_p50_ms": round(float(np.percentile(times, 50)), 2),
        "parse_p95_ms": round(float(np.percentile(times, 95)), 2),
        "parse_mean_ms": round(float(np.mean(times)), 2),
        "model_load_seconds": round(load_seconds, 1),
        "eval_peak_rss_mb": round(peak, 1),
        "eval_rows": {"val": len(data["val"]), "test": len(data["test"])},
        "_test_labels": test_labels,
    }


def run_model(config: Path, data: dict[str, Rows], workdir: Path, name: str) -> dict:
    nlu_dir = workdir / f"data_{name}"
    write_nlu_yaml(data["train"], nlu_dir / "nlu.yml")
    trained = train(config, nlu_dir, workdir, name)
    # A fresh process per evaluation, so that its peak RSS is its own.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        evaluated = pool.submit(evaluate, trained["model"], data, name).result()
    result = {**trained, **evaluated}
    result["peak_rss_mb"] = max(result["train_peak_rss_mb"], result["eval_peak_rss_mb"])
    return result


def measure_latency(model: str, rows: Rows) -> dict:
    """Parse latency alone (no accuracy), for re-measuring on a quieter machine."""
    import asyncio

    import numpy as np
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.INFO)
    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    for text in ("hello", "warm up the graph", "what is my balance"):
        loop.run_until_complete(agent.parse_message(text))
    load_before = os.getloadavg()
    _, times = parse_all(agent, loop, rows, "latency")
    loop.close()
    return {
        "model": model,
        "messages": len(rows),
        "parse_p50_ms": round(float(np.percentile(times, 50)), 2),
        "parse_p95_ms": round(float(np.percentile(times, 95)), 2),
        "parse_mean_ms": round(float(np.mean(times)), 2),
        "load_average_1m_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def public(result: dict) -> dict:
    return {k: v for k, v in result.items() if not k.startswith("_") and k != "model"}


def check_targets(result: dict) -> dict:
    checks = {}
    for key, (op, bound) in TARGETS.items():
        value = result[key]
        met = value >= bound if op == ">=" else value <= bound
        checks[key] = {"target": f"{op} {bound}", "value": value, "met": bool(met)}
    return checks


def main() -> None:
    global RESULTS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip the DIET side-by-side")
    parser.add_argument(
        "--baseline-per-intent", type=int, default=20, help="training examples per intent in the baseline subset"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny run (3 examples per intent, 300 eval rows) to check the script; writes nothing to bench/results",
    )
    parser.add_argument(
        "--latency-only",
        metavar="MODEL",
        help="only time parsing of the first 1,000 test rows with MODEL "
        "(writes bench/results/nlu_clinc150_latency.json)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.latency_only:
        rows = load_clinc()["test"][:1000]
        result = measure_latency(args.latency_only, rows)
        out = RESULTS / "nlu_clinc150_latency.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=2))
        return

    data = load_clinc()
    if args.smoke:
        rng = random.Random(0)
        data = {
            "train": stratified_subset(data["train"], 3),
            "val": rng.sample(data["val"], 300),
            "test": rng.sample(data["test"], 300),
        }
        RESULTS = Path(tempfile.mkdtemp(prefix="clinc150_smoke_results_"))
    workdir = Path(tempfile.mkdtemp(prefix="clinc150_"))
    print(f"[bench] temporary folder: {workdir}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        ours = run_model(OUR_CONFIG, data, workdir, "ours")
        labels = sorted(set(gold(data["test"])))
        write_per_intent_csv(gold(data["test"]), ours["_test_labels"], RESULTS / "nlu_clinc150_per_intent_f1.csv")
        write_confusion_png(gold(data["test"]), ours["_test_labels"], labels, RESULTS / "nlu_clinc150_confusion.png")
        report = {
            "pipeline": (
                "WhitespaceTokenizer + CountVectors word (1-gram) & char_wb (1-4) "
                "TF-IDF + MiniLM-L6 mean-pooled sentence embedding + multilingual USE v3 "
                "sentence embedding -> one L2 softmax "
                "regression (LinearIntentClassifier, L-BFGS); OOS = out_of_scope class "
                "or max prob below a val-tuned threshold"
            ),
            "config": str(OUR_CONFIG.relative_to(ROOT)),
            "dataset": {k: len(v) for k, v in data.items()},
            **public(ours),
        }
        report["targets"] = check_targets(report)
        report["load_1min_at_end"] = round(os.getloadavg()[0], 2)
        previous = RESULTS / "nlu_clinc150.json"
        if args.no_baseline and previous.exists() and not args.smoke:
            # The DIET side-by-side of an earlier run stays (it does not depend on our pipeline's
            # sentence encoders); its own figures say which pipeline it compared.
            earlier = json.loads(previous.read_text(encoding="utf-8"))
            if "baseline" in earlier:
                report["baseline"] = {**earlier["baseline"], "from_an_earlier_run": True}
        if not args.no_baseline:
            subset = {**data, "train": stratified_subset(data["train"], args.baseline_per_intent)}
            diet = run_model(BASELINE_CONFIG, subset, workdir, "diet_subset")
            ours_subset = run_model(OUR_CONFIG, subset, workdir, "ours_subset")
            report["baseline"] = {
                "description": (
                    "Rasa's `rasa init` default pipeline (DIETClassifier, 100 epochs) vs "
                    "our pipeline, both trained on the same stratified subset "
                    f"({args.baseline_per_intent} examples per intent incl. oos, seed 13) "
                    "and evaluated on the same stratified subset of val (6 per intent + "
                    "30 oos) and test (12 per intent + 300 oos) with the same val-tuned "
                    "threshold procedure"
                ),
                "config": str(BASELINE_CONFIG.relative_to(ROOT)),
                "train_examples": len(subset["train"]),
                "diet": public(diet),
                "ours": public(ours_subset),
            }
        out = RESULTS / "nlu_clinc150.json"
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({k: report[k] for k in TARGETS}, indent=2))
        print(f"[bench] wrote {out}")
    finally:
        if args.keep:
            print(f"[bench] kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
