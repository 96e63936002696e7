"""Fixtures for the custom Rasa NLU components."""

from __future__ import annotations

import pytest
from nlu_helpers import Featurized, build_featurized


@pytest.fixture(scope="session")
def featurized(tmp_path_factory: pytest.TempPathFactory) -> Featurized:
    """Tokenizer, CountVectorsFeaturizers and MiniLM trained on the tiny data set."""
    return build_featurized(tmp_path_factory.mktemp("featurizers"))
