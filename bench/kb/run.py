"""Help-centre search benchmark: our own question sets (weight and bands tuned on validation, reported
on test) and StackFAQ (BM25, dense and hybrid side by side). Writes bench/results/kb.json.

    python bench/kb/run.py [--stackfaq-dense] [--cache PATH]

Embeddings are cached in a pickle keyed by text (`--cache`), so a re-run only encodes new texts.
"""

import argparse
import json
import math
import os
import pickle
import time
from pathlib import Path

import numpy as np

from crm_backend.kb import files
from crm_backend.kb.encoder import get_encoder
from crm_backend.kb.search import Doc, HybridIndex

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data" / "kb"
_DATASETS = [
    Path(os.environ.get("DATASETS", ROOT.parent / "shared" / "datasets")),
    ROOT.parents[1] / "shared" / "datasets",
]
STACKFAQ = next((d for d in _DATASETS if d.exists()), _DATASETS[0]) / "stackfaq" / "stackExchange-FAQ.json"
WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2]


class CachedEncoder:
    def __init__(self, path: Path):
        self.path = path
        self.vectors = pickle.loads(path.read_bytes()) if path.exists() else {}

    def __call__(self, texts):
        missing = sorted({t for t in texts if t not in self.vectors})
        if missing:
            self.vectors.update(zip(missing, get_encoder().encode(missing), strict=True))
            self.path.write_bytes(pickle.dumps(self.vectors))
        return np.stack([self.vectors[t] for t in texts])


def scores(index: HybridIndex, query: str) -> tuple[np.ndarray, np.ndarray]:
    """(dense, normalised BM25) per article, in the index's order."""
    _, dense, bm25 = index._score(query)
    top = float(bm25.max())
    return dense, (bm25 / top if top > 0 else bm25)


def ranking_metrics(ranks: list[int | None]) -> dict:
    """ranks: 1-based rank of the one relevant document, or None when it is not in the list."""
    n = len(ranks)
    return {
        "queries": n,
        "p_at_1": round(sum(r == 1 for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        "ndcg_at_10": round(sum(1 / math.log2(r + 1) for r in ranks if r and r <= 10) / n, 4),
    }


def rank_of(fused: np.ndarray, target: int) -> int:
    return int((fused > fused[target]).sum()) + 1


def own(index: HybridIndex, slugs: list[str]) -> dict:
    rows = [json.loads(line) for name in ("questions", "unanswerable") for line in (DATA / f"{name}.jsonl").open()]
    scored = [(row, *scores(index, row["text"])) for row in rows]
    position = {slug: i for i, slug in enumerate(slugs)}

    def split(name):
        return [item for item in scored if item[0]["split"] == name]

    def p_at_1(items, weight):
        answerable = [(r, d, b) for r, d, b in items if r["article"]]
        return sum(int(np.argmax(d + weight * b)) == position[r["article"]] for r, d, b in answerable) / len(answerable)

    validation, test = split("validation"), split("test")
    weight = max(WEIGHTS, key=lambda w: (p_at_1(validation, w), -abs(w - 0.3)))

    def tops(items):
        out = []
        for row, dense, bm25 in items:
            fused = dense + weight * bm25
            order = np.argsort(-fused)[:3]
            out.append((row["article"], float(fused[order[0]]), [slugs[i] for i in order]))
        return out

    val = tops(validation)
    # Confident: the lowest threshold whose validation answers are >= 90% right (unanswerable = wrong).
    candidates = sorted({score for _, score, _ in val})
    confident = next((t for t in candidates if _precision([v for v in val if v[1] >= t]) >= 0.9), candidates[-1])
    # Clarify ("did you mean" top 3) down to the score above which only 10% of unanswerables fall.
    unanswerable = sorted(score for article, score, _ in val if not article)
    clarify = min(float(np.quantile(unanswerable, 0.9)) if unanswerable else confident, confident)
    res = tops(test)
    answerable = [v for v in res if v[0]]
    confident_rows = [v for v in res if v[1] >= confident]
    helped = sum(
        (score >= confident and top[0] == article) or (clarify <= score < confident and article in top)
        for article, score, top in answerable
    )
    return {
        "articles": len(slugs),
        "blind_questions": len(res),
        "answerable_test": len(answerable),
        "fusion_weight_bm25": weight,
        "confident_threshold": round(confident, 4),
        "clarify_threshold": round(clarify, 4),
        "p_at_1": round(sum(top[0] == article for article, _, top in answerable) / len(answerable), 4),
        "confident_precision": round(_precision(confident_rows), 4),
        "confident_share": round(len(confident_rows) / len(res), 4),
        "answered_or_clarified": round(helped / len(answerable), 4),
        "unanswerable_answered_confidently": sum(1 for a, s, _ in res if not a and s >= confident),
    }


def _precision(rows) -> float:
    return sum(article is not None and top[0] == article for article, _, top in rows) / len(rows) if rows else 0.0


def stackfaq(encode, dense_too: bool) -> dict:
    pairs = json.loads(STACKFAQ.read_text())["root"]["qapair"]
    docs, queries = [], []
    for i, pair in enumerate(pairs):
        answers = pair["answer"] if isinstance(pair["answer"], list) else [pair["answer"]]
        docs.append(Doc(id=i, slug=str(i), title=pair["question"], body="\n\n".join(map(str, answers))))
        rephr = pair.get("rephr") or []
        texts = [str(q).strip() for q in (rephr if isinstance(rephr, list) else [rephr]) if q]
        queries += [(q, i) for q in texts if q not in ("", "*")]
    if not dense_too:  # BM25 alone needs no embeddings
        encode = lambda texts: np.zeros((len(texts), 384), dtype=np.float32)  # noqa: E731
    index = HybridIndex(encode)
    index.upsert(docs)
    ranks = {"bm25": [], "dense": [], "hybrid": []}
    per_query = [(scores(index, q), target) for q, target in queries]
    out = {"faqs": len(docs), "queries": len(queries)}
    for (dense, bm25), target in per_query:
        ranks["bm25"].append(rank_of(bm25, target))
        ranks["dense"].append(rank_of(dense, target))
    out["bm25"] = ranking_metrics(ranks["bm25"])
    if dense_too:
        out["dense"] = ranking_metrics(ranks["dense"])
        # No validation split in StackFAQ: the weight is the one chosen on our own validation rows.
        out["hybrid"] = None
    else:
        out["dense"] = out["hybrid"] = "not run (numpy MiniLM too slow for the answers on this loaded machine)"
    return out, per_query


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stackfaq-dense", action="store_true")
    parser.add_argument("--cache", default=os.environ.get("KB_VECTOR_CACHE", "/tmp/kb_bench_vectors.pkl"))
    args = parser.parse_args()
    encode = CachedEncoder(Path(args.cache))
    articles, _ = files.read_folder(ROOT / "crm_backend" / "kb" / "help_centre")
    index = HybridIndex(encode)
    index.upsert(
        Doc(id=i, slug=a.slug, title=a.title, questions=tuple(a.questions), body=a.body) for i, a in enumerate(articles)
    )
    started = time.perf_counter()
    result = {"own": own(index, [a.slug for a in articles])}
    faq, per_query = stackfaq(encode, args.stackfaq_dense)
    if args.stackfaq_dense:
        weight = result["own"]["fusion_weight_bm25"]
        faq["hybrid"] = ranking_metrics([rank_of(d + weight * b, t) for (d, b), t in per_query])
        faq["hybrid"]["fusion_weight_bm25"] = weight
    result["stackfaq"] = faq
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    out = ROOT / "bench" / "results" / "kb.json"
    if out.exists() and "scale" in json.loads(out.read_text()):  # written by bench/kb/scale.py
        result["scale"] = json.loads(out.read_text())["scale"]
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
