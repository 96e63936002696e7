"""Catalogue names found despite typos ("bambo cuting board" -> "Bamboo cutting board").

RegexEntityExtractor finds lookup-table entries only as typed, and the CRM's product search
matches substrings, so one typo loses the product. This extractor remembers the lookup
tables of the training data (the catalogue: `nlu_data/lookups/catalogue.yml`) and, where no
other extractor found an entity, compares runs of 1 to n tokens with every entry; a close
enough one (difflib's ratio, case-insensitive) becomes the entity, its value the catalogue's
own spelling, so the action's search finds it.
"""

from __future__ import annotations

import difflib
import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.config_check import check_number, check_options

logger = logging.getLogger(__name__)

TABLES_FILE = "lookups.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class FuzzyLookupExtractor(GraphComponent, EntityExtractorMixin):
    """Lookup-table entries matched with typos, where no other extractor found anything."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Lookup tables to match (entity names); empty means every table.
            "lookups": [],
            # Least difflib ratio between the typed words and an entry (1.0 = exact).
            "min_ratio": 0.85,
            # Shorter stretches of text are never matched (typos in short words are guesses).
            "min_chars": 5,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        check_options(cls.__name__, config, cls.get_default_config())
        check_number(cls.__name__, config, "min_ratio", 0.5, 1.0)
        check_number(cls.__name__, config, "min_chars", 1, integer=True)
        if not isinstance(config["lookups"], list):
            raise InvalidConfigException(f"{cls.__name__}: 'lookups' must be a list of entity names.")

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, tables: dict[str, list[str]]
    ) -> None:
        self.validate_config(config)
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._use(tables)

    def _use(self, tables: dict[str, list[str]]) -> None:
        self._entries = [(entity, name, name.lower()) for entity, names in tables.items() for name in names]
        self._longest = max((len(name.split()) for _, name, _ in self._entries), default=0)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FuzzyLookupExtractor:
        return cls(config, model_storage, resource, {})

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FuzzyLookupExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                tables = json.loads((directory / TABLES_FILE).read_text(encoding="utf-8"))
        except ValueError:
            tables = {}
        return cls(config, model_storage, resource, tables)

    def train(self, training_data: TrainingData) -> Resource:
        wanted = set(self._config["lookups"])
        tables: dict[str, list[str]] = {}
        for table in training_data.lookup_tables:
            if not wanted or table["name"] in wanted:
                elements = table["elements"]
                if isinstance(elements, str):  # a file name in old formats: not ours
                    continue
                tables.setdefault(table["name"], []).extend(str(e).strip() for e in elements if str(e).strip())
        with self._storage.write_to(self._resource) as directory:
            (directory / TABLES_FILE).write_text(json.dumps(tables), encoding="utf-8")
        self._use(tables)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self._matches(message)
            if found:
                self.add_extractor_name(found)
                message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)
        return messages

    def _matches(self, message: Message) -> list[dict[str, Any]]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        text = message.get(TEXT) or ""
        if not self._entries or not tokens:
            return []
        taken = [(e["start"], e["end"]) for e in message.get(ENTITIES) or []]
        spans = [
            (tokens[i].start, tokens[i + n - 1].end)
            for i in range(len(tokens))
            for n in range(1, self._longest + 2)
            if i + n <= len(tokens)
        ]
        # Exact entries (RegexEntityExtractor's) are never re-matched with a word more or less.
        exact = {lowered for _, _, lowered in self._entries}
        taken += [(start, end) for start, end in spans if text[start:end].lower() in exact]
        candidates = []
        for start, end in spans:
            typed = text[start:end].lower()
            if len(typed) < self._config["min_chars"] or any(s < end and start < e for s, e in taken):
                continue
            best = self._best(typed)
            if best:
                candidates.append((best[0], -(end - start), start, end, best[1], best[2]))
        found: list[dict[str, Any]] = []
        for ratio, _, start, end, entity, name in sorted(candidates, reverse=True):
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found.append({"entity": entity, "start": start, "end": end, "value": name, "confidence_entity": ratio})
        return sorted(found, key=lambda e: e["start"])

    def _best(self, typed: str) -> tuple[float, str, str] | None:
        best = None
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(typed)
        for entity, name, lowered in self._entries:
            matcher.set_seq1(lowered)
            if (
                matcher.real_quick_ratio() < self._config["min_ratio"]
                or matcher.quick_ratio() < self._config["min_ratio"]
            ):
                continue
            ratio = matcher.ratio()
            if ratio >= self._config["min_ratio"] and (best is None or ratio > best[0]):
                best = (round(ratio, 4), entity, name)
        return best
