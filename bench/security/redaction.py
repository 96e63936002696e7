"""Recall of the PII redactor per type, and its false alarms, on sets someone else wrote.

Usage:
    .venv/bin/python -m bench.security.redaction [PII.jsonl ...] [--clean CLEAN.jsonl] [--show-misses]

Defaults: the studied PII sets bench/data/pii/dev.jsonl, holdout.jsonl and holdout2.jsonl
(those present) and the clean set bench/data/pii/clean.jsonl. Each line is `{"text", "spans": [{"start", "end",
"type"}]}` (end exclusive). Writes bench/results/redaction.json.

Definitions:
- An item (one annotated span) is **caught** when every letter and digit inside it lies
  inside a span the redactor masks, of any type: the masked output then holds none of the
  item's letters or digits in clear. Punctuation and spaces inside the item do not count.
  `recall[type]` is caught items / items of that type.
- `typed_recall[type]` is the same with the masking spans restricted to the item's own
  type (the label a reader of the masked text sees is right).
- A clean message is a **false alarm** when the redactor changes it at all;
  `false_alarm_rate` is false alarms / clean messages.
- `extra_spans` counts masked spans in the PII sets that touch no annotated item.
`--show-misses` prints the missed items and the false alarms (never written to the JSON,
so the blind sets' sentences stay out of the repository).
"""

import argparse
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from redaction import LABELS, Redactor, mask  # noqa: E402

DATA = ROOT / "bench" / "data" / "pii"
OUT = ROOT / "bench" / "results" / "redaction.json"


def read_jsonl(path: Path) -> list[dict]:
    messages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            text, spans = message["text"], message["spans"]
            for span in spans:
                if not (0 <= span["start"] < span["end"] <= len(text)) or span["type"] not in LABELS:
                    raise ValueError(f"bad span {span}")
        except (ValueError, KeyError, TypeError) as error:
            raise SystemExit(f"{path}:{number}: not a message with spans ({error})") from error
        messages.append(message)
    return messages


def caught(text: str, item: dict, found: list, label: str | None = None) -> bool:
    """Whether every letter and digit of `item` lies inside a found span (of `label`, if given)."""
    covered = set()
    for span in found:
        if label is None or span.label == label:
            covered.update(range(span.start, span.end))
    return all(i in covered for i in range(item["start"], item["end"]) if text[i].isalnum())


def measure_pii(redactor: Redactor, messages: list[dict], show: bool) -> dict:
    items, hits, typed_hits, extra = Counter(), Counter(), Counter(), 0
    for message in messages:
        text, found = message["text"], redactor.find(message["text"])
        for item in message["spans"]:
            items[item["type"]] += 1
            hit = caught(text, item, found)
            hits[item["type"]] += hit
            typed_hits[item["type"]] += caught(text, item, found, item["type"])
            if not hit and show:
                print(f"MISS {item['type']:<13} {text[item['start'] : item['end']]!r} in {mask(text, found)!r}")
        extra += sum(
            1 for span in found if not any(s["start"] < span.end and span.start < s["end"] for s in message["spans"])
        )
    return {
        "messages": len(messages),
        "items": dict(sorted(items.items())),
        "caught": dict(sorted(hits.items())),
        "typed_caught": dict(sorted(typed_hits.items())),
        "extra_spans": extra,
    }


def measure_clean(redactor: Redactor, messages: list[dict], show: bool) -> dict:
    alarms = 0
    for message in messages:
        found = redactor.find(message["text"])
        if found:
            alarms += 1
            if show:
                print(f"FALSE ALARM {mask(message['text'], found)!r}")
    return {"messages": len(messages), "false_alarms": alarms}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pii", nargs="*", type=Path, help="sets with annotated PII (default: bench/data/pii/)")
    parser.add_argument("--clean", type=Path, help="PII-free messages (default: bench/data/pii/clean.jsonl)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--show-misses", action="store_true", help="print misses and false alarms")
    args = parser.parse_args(argv)
    studied = (DATA / "dev.jsonl", DATA / "holdout.jsonl", DATA / "holdout2.jsonl")
    pii_paths = args.pii or [p for p in studied if p.exists()]
    clean_path = args.clean or DATA / "clean.jsonl"
    for path in [*pii_paths, clean_path]:
        if not path.exists():
            parser.error(f"{path} does not exist")

    redactor = Redactor()
    sets = {path: read_jsonl(path) for path in [*pii_paths, clean_path]}
    by_file = {path.name: measure_pii(redactor, sets[path], args.show_misses) for path in pii_paths}
    clean = measure_clean(redactor, sets[clean_path], args.show_misses)
    texts = [message["text"] for messages in sets.values() for message in messages]
    started = time.perf_counter()
    for text in texts:
        redactor.find(text)
    seconds = time.perf_counter() - started

    items, hits, typed = Counter(), Counter(), Counter()
    for result in by_file.values():
        items.update(result["items"])
        hits.update(result["caught"])
        typed.update(result["typed_caught"])
    messages = sum(r["messages"] for r in by_file.values()) + clean["messages"]
    result = {
        "recall": {label: round(hits[label] / items[label], 4) for label in sorted(items)},
        "typed_recall": {label: round(typed[label] / items[label], 4) for label in sorted(items)},
        "items": dict(sorted(items.items())),
        "false_alarm_rate": round(clean["false_alarms"] / clean["messages"], 4) if clean["messages"] else None,
        "false_alarms": clean["false_alarms"],
        "clean_messages": clean["messages"],
        "messages": messages,
        "by_file": by_file,
        "files": {"pii": [str(p) for p in pii_paths], "clean": str(clean_path)},
        "messages_per_second": round(len(texts) / seconds) if seconds else None,  # the redactor alone
        "definition": "caught: every letter/digit of the item lies inside a masked span; "
        "false alarm: a clean message changed at all",
        "method": "stdlib regular expressions + Luhn and IBAN mod-97 checksums (redaction/)",
        "python": platform.python_version(),
        "note": "The rules' authors studied the misses of dev.jsonl, holdout.jsonl and holdout2.jsonl and the "
        "false alarms of clean.jsonl and clean2.jsonl: these figures are not blind. The blind ones (holdout3.jsonl, "
        "clean3.jsonl, once present) are in bench/results/security.json (make bench-security).",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("recall", "typed_recall", "false_alarm_rate", "messages")}, indent=2))
    return result


if __name__ == "__main__":
    main()
