"""Concierge analytics: a small scikit-learn-style library over DataFrames.

Transactions come in one canonical layout (see :mod:`analytics.features`)::

    customer_id, order_id, product_id, category (optional), quantity,
    unit_price, order_date (datetime64), description (optional)

Sub-modules (import what you need; importing this package does no I/O and does
not import gensim):

- ``analytics.features``      per-customer RFM/behavioural features as of a cut-off
  (the CSV import layout of the benchmarks is cleaned by ``bench/analytics/importing.py``)
- ``analytics.segmentation``  ``RFMSegmenter`` with stable human segment names
- ``analytics.recommend``     popularity, item-kNN, Word2Vec, EASE and blended recommenders
- ``analytics.predict``       churn (transactional and tabular), BG/NBD + Gamma-Gamma CLV,
                              category need, per-customer top factors
- ``analytics.text``          LDA topics with coherence, lexicon sentiment, message clusters
- ``analytics.persistence``   joblib + metadata JSON, a folder registry
- ``analytics.jobs``          the entry points that CRM jobs call
"""

__version__ = "0.1.0"
