"""`make bench-security`: every attack case, counted by category, plus the redaction figures.

    .venv/bin/python -m bench.security.run [--skip-tests]

Runs the tests marked `@pytest.mark.attack("<category>")` (one category per finding of the
security review: conversation takeover, relabelling, the action server, message size, PII at
rest, lockout, YAML injection, origins, secrets, replay, headers, IDOR) in one pytest session,
counts the cases per category, and counts a category as an open finding when any of its cases
failed or it has no case at all. Then measures the redactor (bench.security.redaction) on the
blind PII and clean sets that nobody tuned the rules on (`BLIND_SETS`, `CLEAN_SETS`, those
present), and apart (`redaction.studied`) on the sets whose misses were studied.
Writes bench/results/security.json.
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
# Sets the rules were never studied against (those present: the lead adds holdout3/clean3,
# written blind, after merging). dev.jsonl and holdout.jsonl are in bench/results/redaction.json.
BLIND_SETS = ("holdout3.jsonl",)
# clean.jsonl's false alarms were studied long ago but it stays as 500 more hard negatives.
CLEAN_SETS = ("clean3.jsonl", "clean.jsonl")
# Once blind, now studied (their misses and false alarms shaped the rules): reported apart.
STUDIED_SETS = ("holdout2.jsonl",)
STUDIED_CLEAN_SETS = ("clean2.jsonl",)
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
    """Recall per type and false alarms on the blind sets, and the same apart on the studied sets.

    Without a blind PII set present the headline figures are the studied sets' (`blind`: false)."""
    blind = measure_sets(BLIND_SETS, CLEAN_SETS)
    studied = measure_sets(STUDIED_SETS, STUDIED_CLEAN_SETS)
    if blind is None and studied is None:
        raise SystemExit(f"no PII set ({', '.join(BLIND_SETS + STUDIED_SETS)}) in {PII}")
    headline = blind or studied
    return {
        **headline,
        "blind": blind is not None,
        "targets": {"recall_per_type": 0.99, "false_alarm_rate": 0.01},
        "met": {
            **{label: recall >= 0.99 for label, recall in headline["recall"].items()},
            "false_alarm_rate": headline["false_alarm_rate"] <= 0.01,
        },
        "studied": studied,
    }


def measure_sets(pii_names: tuple[str, ...], clean_names: tuple[str, ...]) -> dict | None:
    """Recall per type on the PII sets present, false alarms on the clean sets present."""
    from bench.security import redaction

    pii = [PII / name for name in pii_names if (PII / name).exists()]
    cleans = [PII / name for name in clean_names if (PII / name).exists()]
    if not pii or not cleans:
        return None
    first, *others = cleans
    out = ROOT / "var" / "bench" / "redaction_blind.json"
    figures = redaction.main([*map(str, pii), "--clean", str(first), "--out", str(out)])
    # The PII sets' recall is measured once; the other clean sets only add false alarms.
    clean_runs = {first.name: {"messages": figures["clean_messages"], "false_alarms": figures["false_alarms"]}}
    redactor = redaction.Redactor()
    for path in others:
        clean_runs[path.name] = redaction.measure_clean(redactor, redaction.read_jsonl(path), show=False)
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
        "sets": [p.name for p in pii] + list(clean_runs),
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
