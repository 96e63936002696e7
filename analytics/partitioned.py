"""Transactions stored partitioned by customer-id range, so each customer sits in one partition.

The distributed backend needs every row of a customer in the same partition (features,
churn labels and the customer×item rows are per customer). Two sources keep that promise:

- Parquet: :func:`write_parquet_partitions` streams cleaned chunks (e.g. from the import
  job) into ``folder/part-00000/…`` by id range, never holding the whole table;
- SQL: the CRM job reads each id range with its own query (``crm_backend.insights``).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)


def id_ranges(low: int, high: int, partitions: int) -> list[tuple[int, int]]:
    """``partitions`` half-open ranges ``[start, end)`` covering ``low..high`` (inclusive)."""
    partitions = max(1, min(partitions, high - low + 1))
    edges = np.linspace(low, high + 1, partitions + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


def write_parquet_partitions(chunks: Iterable[pd.DataFrame], folder: Path, ranges: list[tuple[int, int]]) -> list[str]:
    """Append each chunk's rows to the folder of their customer's id range; return the folders.

    Rows whose numeric customer id falls in no range (guests, ids outside) are dropped.
    """
    folder = Path(folder)
    starts = np.array([start for start, _ in ranges])
    ends = np.array([end for _, end in ranges])
    folders = [folder / f"part-{i:05d}" for i in range(len(ranges))]
    for path in folders:  # a fresh export: no chunk of an earlier one may stay
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("chunk-*.parquet"):
            old.unlink()
    for n, chunk in enumerate(chunks):
        ids = pd.to_numeric(chunk["customer_id"], errors="coerce").to_numpy()
        slot = np.searchsorted(starts, ids, side="right") - 1
        valid = (slot >= 0) & ~np.isnan(ids)
        valid[valid] &= ids[valid] < ends[slot[valid]]
        for i in np.unique(slot[valid]):
            part = chunk[valid & (slot == i)]
            part.to_parquet(folders[i] / f"chunk-{n:05d}.parquet", index=False)
    return [str(path) for path in folders]
