"""Evaluation of the transactional churn and BG/NBD + Gamma-Gamma models on Online Retail.

Churn: train with features before 2011-05-04 and labels in the next 90 days, then test
with features before 2011-08-02 and labels in the 90 days after it (to 2011-10-31,
the end of the file). CLV: fit on the summary before 2011-08-02 and compare predicted
purchase days and spend over the next 90 days with what happened, against a naive
"same purchase rate as before" baseline.

Run from the project root::

    .venv/bin/python -m bench.analytics.predict_online_retail

Writes ``reports/predict_online_retail.json``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from tqdm import tqdm

from analytics.features import clv_summary, future_purchases
from analytics.predict import BGNBDGammaGamma, ChurnClassifier, make_churn_dataset
from bench.analytics.importing import read_import_csv
from bench.analytics.threads import bench_parser, parse_for, run_with_thread_limit

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "datasets" / "online_retail" / "online_retail_2010-12-01_2011-10-31.csv.gz"
OUT = ROOT / "reports" / "predict_online_retail.json"


def churn_report(tx: pd.DataFrame, train_cutoff: str, test_cutoff: str, horizon: int) -> dict:
    X_train, y_train = make_churn_dataset(tx, train_cutoff, horizon)
    X_test, y_test = make_churn_dataset(tx, test_cutoff, horizon)
    out = {
        "train_customers": len(X_train),
        "test_customers": len(X_test),
        "test_churn_rate": float(y_test.mean()),
        "models": {},
    }
    for kind in tqdm(["hgb", "logit"], desc="churn models"):
        model = ChurnClassifier(model=kind, random_state=0).fit(X_train, y_train)
        p = model.predict_proba(X_test)[:, 1]
        out["models"][kind] = {
            "roc_auc": float(roc_auc_score(y_test, p)),
            "pr_auc": float(average_precision_score(y_test, p)),
            "brier": float(brier_score_loss(y_test, p)),
        }
        if kind == "hgb":
            out["example_factors"] = model.explain(X_test.head(2)).drop(columns="value").to_dict("records")
    out["models"]["recency_only_baseline"] = {"roc_auc": float(roc_auc_score(y_test, X_test["recency_days"]))}
    return out


def clv_report(tx: pd.DataFrame, cutoff: str, horizon: int) -> dict:
    summary = clv_summary(tx, cutoff)
    model = BGNBDGammaGamma().fit(summary)
    pred = model.predict(summary, days=horizon)
    actual = future_purchases(tx, cutoff, horizon).reindex(summary.index, fill_value=0.0)
    naive = (summary["frequency"] + 1) / summary["T"].clip(lower=1) * horizon
    naive_spend = (
        naive
        * tx[tx["order_date"] < pd.Timestamp(cutoff)].groupby("customer_id")["amount"].sum().reindex(summary.index)
        / (summary["frequency"] + 1)
    )

    def errors(predicted: pd.Series, truth: pd.Series) -> dict:
        return {
            "mae": float((predicted - truth).abs().mean()),
            "rmse": float(np.sqrt(((predicted - truth) ** 2).mean())),
            "spearman": float(predicted.corr(truth, method="spearman")),
            "predicted_total": float(predicted.sum()),
            "actual_total": float(truth.sum()),
        }

    return {
        "customers": len(summary),
        "params": {**model.bgnbd_params_, **(model.gamma_gamma_params_ or {})},
        "converged": model.bgnbd_converged_,
        "purchases": {
            "bgnbd": errors(pred["expected_purchases"], actual["purchases"]),
            "naive_rate": errors(naive, actual["purchases"]),
        },
        "spend": {
            "bgnbd_gamma_gamma": errors(pred["clv"], actual["spend"]),
            "naive_rate": errors(naive_spend, actual["spend"]),
        },
        "example_factors": model.explain(summary.head(2), days=horizon).drop(columns="value").to_dict("records"),
    }


def main() -> None:
    parser = bench_parser(__doc__, OUT)
    parser.add_argument("--horizon", type=int, default=90)
    args = parse_for(parser, DATA)
    started = time.time()
    tx, _ = read_import_csv(DATA, keep_guests=False)
    tx = tx.assign(amount=tx["quantity"] * tx["unit_price"])
    report = {
        "benchmark": "predict_online_retail",
        "horizon_days": args.horizon,
        "churn": churn_report(tx, "2011-05-04", "2011-08-02", args.horizon),
        "clv": clv_report(tx, "2011-08-02", args.horizon),
    }
    report["seconds"] = round(time.time() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print(
        json.dumps(
            {
                "churn": report["churn"]["models"],
                "clv_purchases": report["clv"]["purchases"],
                "clv_spend": report["clv"]["spend"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    run_with_thread_limit(main)
