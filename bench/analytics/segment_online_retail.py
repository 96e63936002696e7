"""Segmentation benchmark on UCI Online Retail: silhouette, sizes, profiles, seed stability.

Features are computed as of the day after the last invoice. The segmenter is fitted
with two different seeds; stability is the adjusted Rand index between the two
labelings and the share of customers given the same segment name.

Run from the project root::

    .venv/bin/python -m bench.analytics.segment_online_retail

Writes ``bench/results/segment_online_retail.json`` and ``segment_online_retail.png``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score
from tqdm import tqdm

from analytics.features import customer_features
from analytics.segmentation import RFMSegmenter, plot_segments
from bench.analytics.importing import read_import_csv
from bench.analytics.threads import bench_parser, parse_for, run_with_thread_limit

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "datasets" / "online_retail" / "online_retail_2010-12-01_2011-10-31.csv.gz"
OUT = ROOT / "bench" / "results" / "segment_online_retail.json"
TARGET_ARI = 0.9


def main() -> None:
    parser = bench_parser(__doc__, OUT)
    parser.add_argument("--seeds", type=int, nargs=2, default=[0, 1])
    args = parse_for(parser, DATA)
    started = time.time()
    tx, cleaning = read_import_csv(DATA, keep_guests=False)
    as_of = tx["order_date"].max().normalize() + pd.Timedelta(days=1)
    features = customer_features(tx, as_of)
    fits = []
    for seed in tqdm(args.seeds, desc="retrains"):
        t0 = time.time()
        seg = RFMSegmenter(random_state=seed).fit(features)
        fits.append((seg, seg.predict_names(features), time.time() - t0))
    (first, names_a, seconds), (second, names_b, _) = fits
    ari = float(adjusted_rand_score(names_a, names_b))
    same_name = float((names_a == names_b).mean())
    png = args.out.with_suffix(".png")
    plot_segments(first, features, png, title=f"Online Retail segments as of {as_of.date()}")
    profile = first.profile(features)[
        [
            "customers",
            "share",
            "median_recency_days",
            "median_frequency",
            "median_monetary",
            "median_tenure_days",
            "median_avg_order_value",
        ]
    ]
    report = {
        "benchmark": "segment_online_retail",
        "data": "../shared/datasets/online_retail/online_retail_2010-12-01_2011-10-31.csv.gz",
        "as_of": str(as_of.date()),
        "customers": len(features),
        "cleaning": cleaning,
        "features": list(first.features),
        "k_chosen": first.n_clusters_,
        "silhouette": first.silhouette_,
        "silhouette_by_k": {str(k): v for k, v in first.silhouettes_.items()},
        "segments": first.segment_names_,
        "sizes": names_a.value_counts().reindex(first.segment_names_).astype(int).to_dict(),
        "profile": json.loads(profile.round(2).to_json(orient="index")),
        "stability": {
            "seeds": args.seeds,
            "adjusted_rand": ari,
            "same_name_share": same_name,
            "k_second_seed": second.n_clusters_,
            "target_adjusted_rand": TARGET_ARI,
            "meets_target": bool(ari >= TARGET_ARI),
        },
        "plot": str(png.relative_to(ROOT)),
        "fit_seconds": round(seconds, 1),
        "seconds": round(time.time() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(profile.round(1).to_string())
    print(f"k={first.n_clusters_} silhouette={first.silhouette_:.3f} ARI={ari:.3f} same-name={same_name:.3f}")


if __name__ == "__main__":
    run_with_thread_limit(main)
