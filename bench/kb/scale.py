"""The hybrid index with 10,000 synthetic articles: search p95, the cost of one edit, peak RSS.

Each synthetic article mixes the title, questions and body of three real help-centre articles, so
every text already has a cached embedding (the numpy encoder is far too slow for 100k+ new texts
on a shared machine): dense costs are real, but the texts repeat, which BM25 sees as duplicates.
Updates `scale` in bench/results/kb.json.
"""

import json
import os
import random
import resource
import time
from pathlib import Path

import numpy as np

from bench.kb.run import ROOT, CachedEncoder
from crm_backend.kb import files
from crm_backend.kb.search import Doc, HybridIndex

ARTICLES = int(os.environ.get("KB_SCALE_ARTICLES", "10000"))


def main() -> None:
    encode = CachedEncoder(Path(os.environ.get("KB_VECTOR_CACHE", "/tmp/kb_bench_vectors.pkl")))
    real, _ = files.read_folder(ROOT / "crm_backend" / "kb" / "help_centre")
    rng = random.Random(7)
    docs = []
    for i in range(ARTICLES):
        a, b, c = rng.sample(real, 3)
        docs.append(Doc(id=i, slug=f"synthetic-{i}", title=a.title, questions=tuple(b.questions), body=c.body))
    index = HybridIndex(encode)
    index.upsert(docs)
    queries = [json.loads(line)["text"] for line in (ROOT / "bench/data/kb/questions.jsonl").open()]
    queries = [q for q in queries if q in encode.vectors][:200]  # encoded already: time the index, not MiniLM
    index.search(queries[0])  # the first search builds the matrices
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    edited = docs[5]
    started = time.perf_counter()
    index.upsert(
        [
            Doc(
                id=edited.id,
                slug=edited.slug,
                title=edited.title,
                questions=(*edited.questions, real[0].title),
                body=edited.body,
                revision=2,
            )
        ]
    )
    index.search(queries[1])
    update = time.perf_counter() - started
    out = ROOT / "bench" / "results" / "kb.json"
    result = json.loads(out.read_text()) if out.exists() else {}
    result["scale"] = {
        "articles": ARTICLES,
        "search_p95_ms": round(float(np.percentile(timings, 95)), 1),
        "search_median_ms": round(float(np.median(timings)), 1),
        "update_seconds": round(update, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "note": "texts recombined from the 52 real articles (cached embeddings); query embedding not timed; "
        "an edit rebuilds the whole matrix and BM25 in the next search",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["scale"], indent=2))


if __name__ == "__main__":
    main()
