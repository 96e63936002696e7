"""Next purchases and customer lifetime value: BG/NBD + Gamma-Gamma, fitted with scipy.

Why our own code: the reference library (``lifetimes`` 0.11.3) has had no release since
2020 and targets numpy/pandas versions long gone; ``pymc-marketing`` brings PyMC and a
compiler toolchain for a four-parameter maximum-likelihood fit. The likelihoods are
closed-form (Fader, Hardie & Lee 2005; Fader & Hardie 2013), so a few lines of
``scipy.optimize`` give the same estimates. The benchmark compares the predictions with
a naive "same rate as before" baseline on held-out weeks.

Inputs are the per-customer summaries from :func:`analytics.features.clv_summary`
(frequency = repeat purchase days, recency and T in days, monetary_value).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from analytics.predict.explain import baseline_contributions, top_factors, training_baseline

logger = logging.getLogger(__name__)

SUMMARY_COLUMNS = ["frequency", "recency", "T", "monetary_value"]


def _check_summary(summary: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(summary, pd.DataFrame):
        raise ValueError("expected the DataFrame from analytics.features.clv_summary")
    missing = [c for c in ("frequency", "recency", "T") if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks columns: {missing}")
    if summary.empty:
        raise ValueError("summary is empty: no customers to model")
    return summary


def _bgnbd_loglik(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + tx), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


class BGNBDGammaGamma(BaseEstimator):
    """BG/NBD purchase process and Gamma-Gamma spend, by maximum likelihood.

    Parameters
    ----------
    penalizer: L2 penalty on the log-parameters (stabilises small data sets).
    time_unit_days: the models are fitted in this unit (7 = weeks) for well-scaled parameters.
    """

    def __init__(self, penalizer: float = 0.001, time_unit_days: float = 7.0) -> None:
        self.penalizer = penalizer
        self.time_unit_days = time_unit_days

    def _arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = _check_summary(summary)
        u = float(self.time_unit_days)
        return (s["frequency"].to_numpy(float), s["recency"].to_numpy(float) / u, s["T"].to_numpy(float) / u)

    def fit(self, summary: pd.DataFrame, y: None = None) -> BGNBDGammaGamma:
        x, tx, T = self._arrays(summary)
        if (T <= 0).all():
            raise ValueError("every customer has T = 0: the history is too short to fit BG/NBD")
        keep = T > 0
        x, tx, T = x[keep], tx[keep], T[keep]

        def nll(logp: np.ndarray) -> float:
            ll = _bgnbd_loglik(np.exp(logp), x, tx, T)
            return -float(np.mean(ll)) + self.penalizer * float(np.sum(logp**2))

        res = minimize(nll, np.zeros(4), method="L-BFGS-B", bounds=[(-8, 8)] * 4)
        self.bgnbd_params_ = dict(zip(("r", "alpha", "a", "b"), np.exp(res.x), strict=True))
        self.bgnbd_converged_ = bool(res.success)
        self.gamma_gamma_params_ = self._fit_gamma_gamma(summary)
        self.baseline_ = training_baseline(summary[[c for c in SUMMARY_COLUMNS if c in summary.columns]])
        return self

    def _fit_gamma_gamma(self, summary: pd.DataFrame) -> dict[str, float] | None:
        if "monetary_value" not in summary.columns:
            return None
        s = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        if len(s) < 10:
            logger.warning("only %d repeat customers: Gamma-Gamma not fitted", len(s))
            return None
        x, m = s["frequency"].to_numpy(float), s["monetary_value"].to_numpy(float)
        scale = float(np.median(m))
        m = m / scale

        def nll(logp: np.ndarray) -> float:
            p, q, v = np.exp(logp)
            ll = (
                gammaln(p * x + q)
                - gammaln(p * x)
                - gammaln(q)
                + q * np.log(v)
                + (p * x - 1) * np.log(m)
                + p * x * np.log(x)
                - (p * x + q) * np.log(x * m + v)
            )
            return -float(np.mean(ll)) + self.penalizer * float(np.sum(logp**2))

        res = minimize(nll, np.zeros(3), method="L-BFGS-B", bounds=[(-8, 8)] * 3)
        p, q, v = np.exp(res.x)
        return {"p": float(p), "q": float(q), "v": float(v * scale)}

    def expected_purchases(self, summary: pd.DataFrame, days: float) -> np.ndarray:
        """Expected purchase days in the next ``days`` days, per customer."""
        check_is_fitted(self, "bgnbd_params_")
        x, tx, T = self._arrays(summary)
        r, alpha, a, b = (self.bgnbd_params_[k] for k in ("r", "alpha", "a", "b"))
        t = days / float(self.time_unit_days)
        z = t / (alpha + T + t)
        # Valid for any a != 1 (for a < 1 both factors are negative).
        a_minus_1 = a - 1 if abs(a - 1) > 1e-6 else 1e-6
        head = (a + b + x - 1) / a_minus_1
        body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return np.clip(head * body / self._alive_denominator(x, tx, T), 0, None)

    def _alive_denominator(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = (self.bgnbd_params_[k] for k in ("r", "alpha", "a", "b"))
        with np.errstate(divide="ignore", invalid="ignore"):
            extra = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
        return 1.0 + extra

    def probability_alive(self, summary: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "bgnbd_params_")
        x, tx, T = self._arrays(summary)
        return 1.0 / self._alive_denominator(x, tx, T)

    def expected_order_value(self, summary: pd.DataFrame) -> np.ndarray:
        """Gamma-Gamma conditional expected spend per purchase (population mean for one-timers)."""
        check_is_fitted(self, "bgnbd_params_")
        if self.gamma_gamma_params_ is None:
            raise ValueError("Gamma-Gamma was not fitted (no monetary_value or too few repeat customers)")
        p, q, v = (self.gamma_gamma_params_[k] for k in ("p", "q", "v"))
        x = summary["frequency"].to_numpy(float)
        m = summary["monetary_value"].to_numpy(float)
        return (p * (v + x * m)) / (p * x + q - 1)

    def predict(self, summary: pd.DataFrame, days: float = 90.0, margin: float = 1.0) -> pd.DataFrame:
        """Per customer: expected purchases, P(alive), expected order value and CLV over ``days``."""
        purchases = self.expected_purchases(summary, days)
        out = pd.DataFrame(
            {"expected_purchases": purchases, "probability_alive": self.probability_alive(summary)},
            index=summary.index,
        )
        if self.gamma_gamma_params_ is not None and "monetary_value" in summary.columns:
            value = self.expected_order_value(summary)
            out["expected_order_value"] = value
            out["clv"] = margin * purchases * value
        return out

    def explain(self, summary: pd.DataFrame, days: float = 90.0, top_n: int = 3) -> pd.DataFrame:
        """Top factors of the expected purchases in the next ``days`` days."""
        check_is_fitted(self, "bgnbd_params_")
        cols = ["frequency", "recency", "T"]
        effects = baseline_contributions(
            lambda d: self.expected_purchases(d, days), summary[cols], self.baseline_, cols
        )
        return top_factors(effects, summary[cols], top_n, what="expected purchases")
