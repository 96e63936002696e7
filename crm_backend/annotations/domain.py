"""The intents and entities an annotation may use: those of the Rasa domain (bot/domain/*.yml)."""

from functools import lru_cache
from pathlib import Path

import yaml

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"
# Retrieval intents need a response key (faq/…); fallback is Rasa's, not a training target.
NOT_ANNOTATABLE = {"faq", "chitchat", "nlu_fallback"}


def _names(items) -> list[str]:
    names = []
    for item in items or []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            names.extend(str(key) for key in item)
    return names


@lru_cache(maxsize=4)
def domain_vocabulary(domain_dir: Path = DOMAIN_DIR) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(intents, entities) of every domain file, sorted, without the non-annotatable intents."""
    intents: set[str] = set()
    entities: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text()) or {}
        intents.update(_names(content.get("intents")))
        entities.update(_names(content.get("entities")))
    return tuple(sorted(intents - NOT_ANNOTATABLE)), tuple(sorted(entities))
