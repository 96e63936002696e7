"""FuzzyLookupExtractor: catalogue names despite typos, saved with the model, never over other entities."""

from __future__ import annotations

import pytest
from nlu_helpers import make_context, make_storage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.components.fuzzy_lookup_extractor import FuzzyLookupExtractor

LOOKUPS = """
version: "3.1"
nlu:
- intent: product_price
  examples: |
    - how much is the [Bamboo cutting board](product)
- lookup: product
  examples: |
    - Bamboo cutting board
    - Canvas tote bag
    - Brass photo frame
- lookup: category
  examples: |
    - kitchen
"""
TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


def messages(*texts: str, entities: list[dict] | None = None) -> list[Message]:
    result = [Message(data={TEXT: text, ENTITIES: list(entities or [])}) for text in texts]
    TOKENIZER.process(result)
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[FuzzyLookupExtractor, object]:
    path = tmp_path_factory.mktemp("fuzzy")
    config = {**FuzzyLookupExtractor.get_default_config(), "lookups": ["product"]}
    extractor = FuzzyLookupExtractor.create(config, make_storage(path), Resource("fuzzy"), make_context("fuzzy"))
    extractor.train(RasaYAMLReader().reads(LOOKUPS))
    loaded = FuzzyLookupExtractor.load(config, make_storage(path), Resource("fuzzy"), make_context("fuzzy"))
    return extractor, loaded


def test_typos_find_the_catalogue_name_as_the_value(trained):
    _, loaded = trained
    (message,) = loaded.process(messages("how much is the bambo cuting board please"))
    (entity,) = message.get(ENTITIES)
    assert (entity["entity"], entity["value"]) == ("product", "Bamboo cutting board")
    assert message.get(TEXT)[entity["start"] : entity["end"]] == "bambo cuting board"
    assert entity["extractor"] == "FuzzyLookupExtractor"


def test_exact_names_other_entities_and_unrelated_words_are_left_alone(trained):
    extractor, _ = trained
    exact, taken, unrelated, short = extractor.process(
        messages("is the canvas tote bag in stock", "where is my canvass tote bag", "I love my kitchen", "bag")
    )
    assert exact.get(ENTITIES) == [] and unrelated.get(ENTITIES) == [] and short.get(ENTITIES) == []
    (other,) = extractor.process(
        messages("where is my canvass tote bag", entities=[{"entity": "product", "start": 12, "end": 28, "value": "x"}])
    )
    assert [e["value"] for e in other.get(ENTITIES)] == ["x"]
    assert [e["value"] for e in taken.get(ENTITIES)] == ["Canvas tote bag"]


def test_bad_options_are_refused():
    with pytest.raises(InvalidConfigException):
        FuzzyLookupExtractor.validate_config({**FuzzyLookupExtractor.get_default_config(), "min_ratio": 0.2})
