"""The intents and entities an annotation may use: the list exported from the Rasa domain.

The CRM never reads bot/domain (it is deployed without it): `make train` exports the list
(ops/vocabulary.py) to vocabulary.json beside this file; a deployment whose model has another
domain points ANNOTATIONS_VOCABULARY_PATH at the list exported from it.
"""

import json
import os
from functools import lru_cache
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "vocabulary.json"


class VocabularyMissing(RuntimeError):
    """No exported list of intents and entities where the settings say."""


def vocabulary_path() -> Path:
    return Path(os.environ.get("ANNOTATIONS_VOCABULARY_PATH") or PACKAGED)


@lru_cache(maxsize=4)
def _load(path: Path, _mtime: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    content = json.loads(path.read_text())
    return tuple(sorted(content["intents"])), tuple(sorted(content["entities"]))


def domain_vocabulary(path: Path | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(intents, entities), sorted; read again when the file changes."""
    path = path or vocabulary_path()
    try:
        return _load(path, path.stat().st_mtime)
    except (OSError, KeyError, ValueError) as error:
        raise VocabularyMissing(f"cannot read the intents and entities from {path}: {error}") from error
