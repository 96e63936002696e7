from __future__ import annotations

import pandas as pd
import pytest
from analytics_factories import make_transactions
from threadpoolctl import threadpool_limits

CUTOFF = pd.Timestamp("2024-10-01")


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    """Tiny models gain nothing from OpenMP threads, and lose a lot on a busy 2-core machine."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def transactions() -> pd.DataFrame:
    return make_transactions(n_customers=200, seed=1)


@pytest.fixture(scope="session")
def cutoff() -> pd.Timestamp:
    return CUTOFF
