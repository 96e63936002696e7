"""Scoring helpers for the CLINC150 benchmark (plain functions, no Rasa imports)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np

OOS = "oos"

# The threshold may cost at most this much validation in-scope accuracy.
MAX_IN_SCOPE_LOSS = 0.005


def scores(gold: list[str], predicted: list[str]) -> dict:
    """In-scope accuracy (oos predictions count as errors) and OOS recall/precision."""
    g, p = np.asarray(gold, dtype=object), np.asarray(predicted, dtype=object)
    in_scope = g != OOS
    predicted_oos = p == OOS
    return {
        "in_scope_accuracy": round(float((p[in_scope] == g[in_scope]).mean()), 4),
        "oos_recall": round(float(predicted_oos[~in_scope].mean()), 4),
        "oos_precision": round(float((~in_scope[predicted_oos]).mean()) if predicted_oos.any() else 0.0, 4),
        "overall_accuracy": round(float((p == g).mean()), 4),
    }


def labels_with_threshold(results: list[dict], threshold: float, oos_names: Iterable[str | None]) -> list[str]:
    """Map parse results to CLINC labels: oos if an oos name or below the threshold."""
    oos_names = set(oos_names)
    return [OOS if r["name"] in oos_names or r["confidence"] < threshold else r["name"] for r in results]


def choose_threshold(results: list[dict], gold: list[str], oos_names: Iterable[str | None]) -> tuple[float, dict]:
    """Pick the confidence threshold on validation data.

    Rule: maximise in-scope accuracy + OOS recall among thresholds that lose at
    most ``MAX_IN_SCOPE_LOSS`` in-scope accuracy against no threshold. (Maximising
    the plain sum trades far too much in-scope accuracy, because oos_val has only
    100 queries.)
    """
    oos_names = list(oos_names)
    base = scores(gold, labels_with_threshold(results, 0.0, oos_names))
    best_t, best = 0.0, base
    for t in np.round(np.arange(0.0, 1.0, 0.01), 2):
        s = scores(gold, labels_with_threshold(results, float(t), oos_names))
        if s["in_scope_accuracy"] < base["in_scope_accuracy"] - MAX_IN_SCOPE_LOSS:
            continue
        if s["in_scope_accuracy"] + s["oos_recall"] > best["in_scope_accuracy"] + best["oos_recall"]:
            best_t, best = float(t), s
    return best_t, best


def write_per_intent_csv(gold: list[str], predicted: list[str], path: Path) -> None:
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(gold) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    rows = sorted(zip(labels, p, r, f, s, strict=False), key=lambda row: row[3])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["intent", "precision", "recall", "f1", "support"])
        for label, pi, ri, fi, si in rows:
            writer.writerow([label, f"{pi:.4f}", f"{ri:.4f}", f"{fi:.4f}", int(si)])


def write_confusion_png(gold: list[str], predicted: list[str], labels: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    # oos last, so its row and column are easy to find
    order = [label for label in labels if label != OOS] + [OOS]
    matrix = confusion_matrix(gold, predicted, labels=order).astype(float)
    matrix /= np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(12, 11), dpi=110)
    image = ax.imshow(np.sqrt(matrix), cmap="viridis", interpolation="nearest")
    ax.set_title("CLINC150 test: confusion matrix (row-normalised, sqrt scale; oos last)")
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    step = 10
    ticks = [*list(range(0, len(order), step)), len(order) - 1]
    ax.set_xticks(ticks)
    ax.set_xticklabels([order[i] for i in ticks], rotation=90, fontsize=6)
    ax.set_yticks(ticks)
    ax.set_yticklabels([order[i] for i in ticks], fontsize=6)
    fig.colorbar(image, ax=ax, fraction=0.046, label="sqrt(row share)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
