"""Export the intents and entities agents may annotate, from the Rasa domain, for the CRM.

The CRM is its own deployable and never reads bot/domain: it reads this list
(crm_backend/annotations/vocabulary.json, or ANNOTATIONS_VOCABULARY_PATH). `make train`
writes it; tests/ops/test_vocabulary.py fails when it is out of date.

Usage: python -m ops.vocabulary [--out PATH] [--check]
"""

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_DIR = ROOT / "bot" / "domain"
VOCABULARY_FILE = ROOT / "crm_backend" / "annotations" / "vocabulary.json"
# Retrieval intents need a response key (faq/…); the fallback, the tie signal and the
# clarification's "something else" button are predicted or pressed, never training targets.
NOT_ANNOTATABLE = {"faq", "chitchat", "nlu_fallback", "nlu_ambiguous", "clarify_other"}


def _names(items) -> list[str]:
    names = []
    for item in items or []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            names.extend(str(key) for key in item)
    return names


def vocabulary(domain_dir: Path = DOMAIN_DIR) -> dict[str, list[str]]:
    """{"intents": [...], "entities": [...]} of every domain file, sorted."""
    intents: set[str] = set()
    entities: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text()) or {}
        intents.update(_names(content.get("intents")))
        entities.update(_names(content.get("entities")))
    return {"intents": sorted(intents - NOT_ANNOTATABLE), "entities": sorted(entities)}


def render(domain_dir: Path = DOMAIN_DIR) -> str:
    return json.dumps(vocabulary(domain_dir), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.vocabulary", description=__doc__)
    parser.add_argument("--out", type=Path, default=VOCABULARY_FILE)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date; write nothing")
    args = parser.parse_args(argv)
    text = render()
    current = args.out.read_text() if args.out.exists() else None
    if args.check:
        if current != text:
            print(f"{args.out} is out of date: run `python -m ops.vocabulary`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.out.write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
