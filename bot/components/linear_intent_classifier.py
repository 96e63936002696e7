"""A fast intent classifier: softmax regression over sparse n-grams and MiniLM."""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.config_check import check_number, check_options
from bot.components.linear_model import FeatureAssembler, SoftmaxRegression

logger = logging.getLogger(__name__)

MODEL_FILE = "model.npz"
META_FILE = "meta.json"


def common_defaults() -> dict[str, Any]:
    """Options shared by the intent classifier and the response selector."""
    return {
        # Inverse L2 regularisation strength (as in sklearn's LogisticRegression).
        "C": 10.0,
        # L-BFGS iterations at most.
        "max_iter": 300,
        # Weight the loss so that every label counts the same ("balanced") or not.
        "class_weight": "balanced",
        # Scale of the L2-normalised dense block against the L2-normalised TF-IDF
        # sparse block (CLINC150 val in-scope accuracy: 0.962 at 1.0, 0.972 at 3.0).
        "dense_weight": 3.0,
        # Which features to use: sparse, dense or both.
        "use_sparse_features": True,
        "use_dense_features": True,
        # Names (aliases) of featurizers to read; empty means all.
        "featurizers": [],
        # Softmax temperature; 1.0 gives the model's own probabilities.
        "temperature": 1.0,
        # Entries in the ranking; 0 lists every label.
        "ranking_length": 0,
    }


def check_common(component: str, config: dict[str, Any], defaults: dict[str, Any]) -> None:
    check_options(component, config, defaults)
    check_number(component, config, "C", 1e-6)
    check_number(component, config, "max_iter", 1, integer=True)
    check_number(component, config, "dense_weight", 0.0)
    check_number(component, config, "temperature", 1e-3)
    check_number(component, config, "ranking_length", 0, integer=True)
    if config["class_weight"] not in ("balanced", None):
        raise InvalidConfigException(
            f"{component}: 'class_weight' must be 'balanced' or null, got {config['class_weight']!r}."
        )
    if not (config["use_sparse_features"] or config["use_dense_features"]):
        raise InvalidConfigException(
            f"{component}: at least one of 'use_sparse_features' and 'use_dense_features' must be true."
        )
    if not isinstance(config["featurizers"], list):
        raise InvalidConfigException(f"{component}: 'featurizers' must be a list of featurizer names.")


def has_content(message: Message) -> bool:
    text = message.get(TEXT)
    return isinstance(text, str) and bool(text.strip())


class LinearModelMixin:
    """Training, persistence and scoring shared by our linear components."""

    _config: dict[str, Any]
    _model_storage: ModelStorage
    _resource: Resource
    _assembler: FeatureAssembler | None
    _model: SoftmaxRegression | None
    _extra_meta: dict[str, Any]

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.validate_config(config)  # type: ignore[attr-defined]
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._assembler = None
        self._model = None
        self._extra_meta = self._initial_extra_meta()

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["scipy"]

    @staticmethod
    def _initial_extra_meta() -> dict[str, Any]:
        """What a component persists beside its model, before training (keys restored on load)."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Any:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Any:
        component = cls(config, model_storage, resource)
        meta = component._restore(model_storage, resource)
        for key in component._extra_meta:
            if key in meta:
                component._extra_meta[key] = meta[key]
        return component

    def _fit(self, messages: list[Message], labels: list[str]) -> None:
        self._assembler = FeatureAssembler(
            featurizers=self._config["featurizers"] or None,
            dense_weight=float(self._config["dense_weight"]),
            use_sparse=bool(self._config["use_sparse_features"]),
            use_dense=bool(self._config["use_dense_features"]),
        )
        X = self._assembler.fit_transform(messages)
        if X.sparse.shape[1] + X.dense.shape[1] == 0:
            raise InvalidConfigException(
                f"{type(self).__name__}: the training messages carry no sentence "
                "features. Put a featurizer (e.g. CountVectorsFeaturizer or "
                "MiniLMFeaturizer) before this component."
            )
        self._model = SoftmaxRegression(
            C=float(self._config["C"]),
            max_iter=int(self._config["max_iter"]),
            class_weight=self._config["class_weight"],
        ).fit(X, labels)
        self._model.temperature_ = float(self._config["temperature"])
        logger.debug(
            "%s: %s labels, %s examples, %s sparse + %s dense features, %s iterations",
            type(self).__name__,
            len(self._model.classes_),
            X.n_rows,
            X.sparse.shape[1],
            X.dense.shape[1],
            self._model.n_iter_,
        )

    def _probabilities(self, messages: list[Message]) -> np.ndarray:
        assert self._assembler is not None and self._model is not None
        return self._model.predict_proba(self._assembler.transform(messages))

    def _ranking(self, probs: np.ndarray) -> list[tuple[str, float]]:
        assert self._model is not None
        order = np.argsort(-probs, kind="stable")
        if self._config["ranking_length"]:
            order = order[: self._config["ranking_length"]]
        return [(self._model.classes_[i], float(probs[i])) for i in order]

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            meta: dict[str, Any] = {"trained": self._model is not None, **self._extra_meta}
            if self._model is not None and self._assembler is not None:
                meta["features"] = self._assembler.meta()
                meta["model"] = self._model.meta()
                np.savez(
                    directory / MODEL_FILE,
                    **self._assembler.to_arrays(),
                    **self._model.to_arrays(),
                )
            (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    def _restore(self, model_storage: ModelStorage, resource: Resource) -> dict[str, Any]:
        """Load arrays and metadata; return the metadata ({} if nothing was saved)."""
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
                if meta.get("trained"):
                    with np.load(directory / MODEL_FILE, allow_pickle=False) as data:
                        arrays = {key: data[key] for key in data.files}
                    self._assembler = FeatureAssembler.from_saved(meta["features"], arrays)
                    self._model = SoftmaxRegression.from_saved(meta["model"], arrays)
                return meta
        except ValueError:
            logger.debug("%s: no saved model in resource %s", type(self).__name__, resource.name)
            return {}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LinearModelMixin, IntentClassifier, GraphComponent):
    """Multinomial logistic regression over TF-IDF n-grams and sentence embeddings.

    Confidences are softmax probabilities of a model fitted by maximum likelihood,
    so thresholds (FallbackClassifier) keep their meaning. Messages without text get
    no intent (confidence 0), which the FallbackClassifier turns into nlu_fallback.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return common_defaults()

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        check_common(cls.__name__, config, cls.get_default_config())

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and has_content(e)]
        if not examples:
            logger.warning("%s: no intent examples; nothing to train.", type(self).__name__)
        else:
            self._fit(examples, [e.get(INTENT) for e in examples])
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        scored = [m for m in messages if has_content(m)] if self._model else []
        probs = self._probabilities(scored) if scored else np.zeros((0, 0))
        rows = {id(m): i for i, m in enumerate(scored)}
        for message in messages:
            if id(message) in rows:
                ranking = self._ranking(probs[rows[id(message)]])
                intent = {INTENT_NAME_KEY: ranking[0][0], PREDICTED_CONFIDENCE_KEY: ranking[0][1]}
                intent_ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: conf} for name, conf in ranking]
            else:
                intent = {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
                intent_ranking = []
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", intent_ranking, add_to_output=True)
        return messages
