"""`make bench-security`: every attack case, counted by category, plus the redaction figures.

    .venv/bin/python -m bench.security.run [--skip-tests]

Runs the tests marked `@pytest.mark.attack("<category>")` (one category per finding of the
security review: conversation takeover, relabelling, the action server, message size, PII at
rest, lockout, YAML injection, origins, secrets, replay, headers, IDOR) in one pytest session,
counts the cases per category, and counts a category as an open finding when any of its cases
failed or it has no case at all. Then measures the redactor (bench.security.redaction) on the
blind PII sets that nobody tuned the rules on (`BLIND_SETS`, those present) and on the
500-message clean set. Writes bench/results/security.json.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "security.json"
PII = ROOT / "bench" / "data" / "pii"
# Sets the rules were never studied against; dev.jsonl (and holdout.jsonl, once its misses
# were studied) are reported in bench/results/redaction.json instead.
BLIND_SETS = ("holdout2.jsonl",)
# clean2.jsonl was never studied; clean.jsonl's false alarms were.
CLEAN_SETS = ("clean2.jsonl", "clean.jsonl")
# The findings of the review (issue 14) and the general suites; each must have cases.
CATEGORIES = (
    "conversation_takeover",
    "conversation_relabel",
    "action_server_auth",
    "message_size",
    "pii_at_rest",
    "agent_lockout",
    "yaml_injection",
    "socketio_origin",
    "secrets_in_argv_and_logs",
    "reply_replay",
    "security_headers",
    "idor",
)


class AttackCounter:
    """A pytest plugin that counts attack cases and their failures by category."""

    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self._category: dict[str, str] = {}

    def pytest_collection_modifyitems(self, items) -> None:
        for item in items:
            marker = item.get_closest_marker("attack")
            if marker and marker.args:
                self._category[item.nodeid] = str(marker.args[0])

    def pytest_runtest_logreport(self, report) -> None:
        category = self._category.get(report.nodeid)
        if category is None:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.cases[category] += 1
            if not report.passed:
                self.failed[category] += 1


def run_attack_tests() -> AttackCounter:
    counter = AttackCounter()
    pytest.main(["tests", "--ignore=tests/bot", "-m", "attack", "-q", "-p", "no:cacheprovider"], plugins=[counter])
    return counter


def measure_redaction() -> dict:
    """Recall per type on the blind sets, and the false-alarm rate on both clean sets."""
    from bench.security import redaction

    blind = [PII / name for name in BLIND_SETS if (PII / name).exists()]
    if not blind:
        raise SystemExit(f"no blind PII set ({', '.join(BLIND_SETS)}) in {PII}")
    first, *others = CLEAN_SETS
    out = ROOT / "var" / "bench" / "redaction_blind.json"
    figures = redaction.main([*map(str, blind), "--clean", str(PII / first), "--out", str(out)])
    # The blind sets' recall is measured once; the other clean sets only add false alarms.
    clean_runs = {first: {"messages": figures["clean_messages"], "false_alarms": figures["false_alarms"]}}
    redactor = redaction.Redactor()
    for name in others:
        clean_runs[name] = redaction.measure_clean(redactor, redaction.read_jsonl(PII / name), show=False)
    alarms = sum(run["false_alarms"] for run in clean_runs.values())
    clean_messages = sum(run["messages"] for run in clean_runs.values())
    return {
        "recall": figures["recall"],
        "typed_recall": figures["typed_recall"],
        "items": figures["items"],
        "false_alarm_rate": round(alarms / clean_messages, 4),
        "false_alarm_rate_by_set": {
            name: round(run["false_alarms"] / run["messages"], 4) for name, run in clean_runs.items()
        },
        "messages": figures["messages"] - figures["clean_messages"] + clean_messages,
        "sets": [p.name for p in blind] + list(CLEAN_SETS),
        "targets": {"recall_per_type": 0.99, "false_alarm_rate": 0.01},
        "met": {
            **{label: recall >= 0.99 for label, recall in figures["recall"].items()},
            "false_alarm_rate": alarms / clean_messages <= 0.01,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true", help="only the redaction figures")
    args = parser.parse_args(argv)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    result: dict = {"redaction": measure_redaction()}
    if args.skip_tests and "cases_by_category" in previous:
        result.update({k: previous[k] for k in ("cases_by_category", "failed_by_category", "findings_open")})
    else:
        counter = run_attack_tests()
        result["cases_by_category"] = {c: counter.cases.get(c, 0) for c in CATEGORIES}
        result["failed_by_category"] = {c: counter.failed.get(c, 0) for c in CATEGORIES}
        result["findings_open"] = sum(1 for c in CATEGORIES if counter.failed.get(c, 0) or not counter.cases.get(c))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if result.get("findings_open") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
