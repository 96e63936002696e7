"""Predictions with per-customer top factors.

- :class:`ChurnClassifier` / :func:`make_churn_dataset`  churn probability (any tabular data)
- :class:`BGNBDGammaGamma`                               next purchases, P(alive), CLV
- :class:`CategoryNeedModel` / :func:`make_category_dataset`  per-category purchase probability
- :func:`baseline_contributions`, :func:`top_factors`     model-agnostic "why" tables
"""

from analytics.predict.category_need import CategoryNeedModel, make_category_dataset
from analytics.predict.churn import ChurnClassifier, make_churn_dataset
from analytics.predict.clv import BGNBDGammaGamma
from analytics.predict.explain import baseline_contributions, top_factors, training_baseline

__all__ = [
    "BGNBDGammaGamma",
    "CategoryNeedModel",
    "ChurnClassifier",
    "baseline_contributions",
    "make_category_dataset",
    "make_churn_dataset",
    "top_factors",
    "training_baseline",
]
