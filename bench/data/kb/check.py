#!/usr/bin/env python3
"""Sanity checker for the blind help-centre evaluation set.

Checks
  * every line of questions.jsonl / unanswerable.jsonl is valid JSON with the
    expected keys and types;
  * every slug in questions.jsonl exists in ARTICLES.md, and unanswerable
    questions have "article": null;
  * split is "test" or "validation";
  * file sizes (>= 480 answerable, >= 120 unanswerable);
  * every article has >= 6 questions and appears in BOTH splits;
  * validation share is roughly 25% in each file;
  * no exact duplicates (after normalising case, punctuation, spaces) across
    both files;
  * no near-duplicates that differ only in one word (same number of words,
    exactly one position different, or one word inserted/removed);
  * reports (as warnings, not failures) pairs with very high character
    similarity so a human can look at them.

Exit code 0 when all hard checks pass, 1 otherwise.
"""
import difflib
import json
import os
import re
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ARTICLES = os.path.join(HERE, "ARTICLES.md")
QUESTIONS = os.path.join(HERE, "questions.jsonl")
UNANSWERABLE = os.path.join(HERE, "unanswerable.jsonl")

MIN_ANSWERABLE = 480
MIN_UNANSWERABLE = 120
MIN_PER_ARTICLE = 6
VAL_SHARE_LOW, VAL_SHARE_HIGH = 0.20, 0.30

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def load_slugs():
    slugs = []
    with open(ARTICLES, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            slug = line.split(" — ")[0].strip()
            if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
                slugs.append(slug)
    return slugs


def load_jsonl(path, answerable, slugs):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                err(f"{os.path.basename(path)}:{n}: empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{os.path.basename(path)}:{n}: invalid JSON ({e})")
                continue
            if not isinstance(obj, dict):
                err(f"{os.path.basename(path)}:{n}: not an object")
                continue
            keys = set(obj)
            if keys != {"text", "article", "split"}:
                err(f"{os.path.basename(path)}:{n}: keys {sorted(keys)} != [article, split, text]")
            text = obj.get("text")
            if not isinstance(text, str) or not text.strip():
                err(f"{os.path.basename(path)}:{n}: empty or non-string text")
                continue
            art = obj.get("article", "MISSING")
            if answerable:
                if art not in slugs:
                    err(f"{os.path.basename(path)}:{n}: unknown slug {art!r}")
            elif art is not None:
                err(f"{os.path.basename(path)}:{n}: article must be null, got {art!r}")
            if obj.get("split") not in ("test", "validation"):
                err(f"{os.path.basename(path)}:{n}: bad split {obj.get('split')!r}")
            rows.append((path, n, obj))
    return rows


def norm(text):
    t = text.lower()
    t = re.sub(r"[^\w\s]", " ", t)
    return " ".join(t.split())


def one_word_apart(a, b):
    """True when token lists differ by exactly one substituted, inserted or
    deleted word."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if la == lb:
        return sum(x != y for x, y in zip(a, b)) == 1
    if abs(la - lb) == 1:
        short, long_ = (a, b) if la < lb else (b, a)
        for i in range(len(long_)):
            if long_[:i] + long_[i + 1:] == short:
                return True
    return False


def main():
    slugs = load_slugs()
    if len(slugs) != len(set(slugs)):
        err("duplicate slugs in ARTICLES.md")
    if not slugs:
        err("no slugs parsed from ARTICLES.md")
    slugset = set(slugs)

    ans = load_jsonl(QUESTIONS, True, slugset)
    una = load_jsonl(UNANSWERABLE, False, slugset)

    if len(ans) < MIN_ANSWERABLE:
        err(f"questions.jsonl has {len(ans)} rows < {MIN_ANSWERABLE}")
    if len(una) < MIN_UNANSWERABLE:
        err(f"unanswerable.jsonl has {len(una)} rows < {MIN_UNANSWERABLE}")

    # per-article counts and split coverage
    per = Counter(o["article"] for _, _, o in ans)
    per_split = defaultdict(Counter)
    for _, _, o in ans:
        per_split[o.get("split")][o["article"]] += 1
    for s in slugs:
        if per[s] < MIN_PER_ARTICLE:
            err(f"article {s}: only {per[s]} questions (< {MIN_PER_ARTICLE})")
        for sp in ("test", "validation"):
            if per_split[sp][s] < 1:
                err(f"article {s}: no questions in split {sp}")

    # validation share
    for name, rows in (("questions.jsonl", ans), ("unanswerable.jsonl", una)):
        if not rows:
            continue
        v = sum(1 for _, _, o in rows if o.get("split") == "validation")
        share = v / len(rows)
        if not (VAL_SHARE_LOW <= share <= VAL_SHARE_HIGH):
            err(f"{name}: validation share {share:.1%} outside "
                f"[{VAL_SHARE_LOW:.0%}, {VAL_SHARE_HIGH:.0%}]")

    # duplicates and near-duplicates over both files
    allrows = ans + una
    seen = {}
    for path, n, o in allrows:
        k = norm(o["text"])
        if k in seen:
            p2, n2 = seen[k]
            err(f"duplicate: {os.path.basename(path)}:{n} == {os.path.basename(p2)}:{n2}: {o['text']!r}")
        else:
            seen[k] = (path, n)
    toks = [(path, n, o, norm(o["text"]).split()) for path, n, o in allrows]
    for i in range(len(toks)):
        for j in range(i + 1, len(toks)):
            a, b = toks[i][3], toks[j][3]
            if one_word_apart(a, b):
                err(f"near-duplicate (one word apart): {toks[i][2]['text']!r} <> {toks[j][2]['text']!r}")
            else:
                sa, sb = " ".join(a), " ".join(b)
                if abs(len(sa) - len(sb)) < 15 and min(len(sa), len(sb)) > 15:
                    r = difflib.SequenceMatcher(None, sa, sb).ratio()
                    if r > 0.85:
                        warnings.append(f"similar ({r:.2f}): {toks[i][2]['text']!r} <> {toks[j][2]['text']!r}")

    # report
    v_ans = sum(1 for _, _, o in ans if o.get("split") == "validation")
    v_una = sum(1 for _, _, o in una if o.get("split") == "validation")
    print(f"articles in ARTICLES.md : {len(slugs)}")
    print(f"answerable questions    : {len(ans)} (validation {v_ans}, test {len(ans) - v_ans})")
    print(f"unanswerable questions  : {len(una)} (validation {v_una}, test {len(una) - v_una})")
    if per:
        print(f"questions per article   : min {min(per[s] for s in slugs)}, max {max(per[s] for s in slugs)}")
    if "-v" in sys.argv:
        for s in slugs:
            print(f"  {s:28s} {per[s]:3d}  (val {per_split['validation'][s]}, test {per_split['test'][s]})")
    for w in warnings:
        print("WARNING", w)
    for e in errors:
        print("ERROR", e)
    print("FAIL" if errors else "PASS")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
