"""A small lexicon-based sentiment scorer (our own lexicon, no downloads).

Each word has a weight in [-3, 3]. A negator ("not", "never", "no", ...) within the
three previous tokens flips and damps a word; an intensifier ("very", "really", ...)
right before it multiplies it. The message score is the sum squashed into [-1, 1] by
``x / sqrt(x² + 15)`` (as VADER does); labels use ±0.05 thresholds.
"""

from __future__ import annotations

import logging
import math
import re

import pandas as pd

logger = logging.getLogger(__name__)

# fmt: off
LEXICON: dict[str, float] = {
    # positive
    "good": 1.9, "great": 3.0, "excellent": 3.0, "amazing": 2.8, "awesome": 2.8, "perfect": 2.8,
    "love": 3.0, "loved": 2.9, "like": 1.2, "liked": 1.5, "nice": 1.8, "happy": 2.5, "glad": 2.0,
    "thanks": 1.5, "thank": 1.5, "helpful": 2.0, "quick": 1.0, "fast": 1.2, "easy": 1.5,
    "fine": 0.8, "satisfied": 2.0, "pleased": 2.2, "wonderful": 2.8, "fantastic": 2.9,
    "recommend": 1.5, "works": 1.0, "resolved": 1.8, "solved": 1.8, "fixed": 1.5, "best": 2.5,
    "appreciate": 2.0, "friendly": 2.0, "smooth": 1.5, "super": 2.0, "cool": 1.3,
    # negative
    "bad": -2.5, "terrible": -3.0, "awful": -3.0, "horrible": -3.0, "worst": -3.0, "poor": -2.0,
    "hate": -2.9, "angry": -2.5, "annoyed": -2.0, "annoying": -2.0, "frustrated": -2.4,
    "frustrating": -2.4, "disappointed": -2.3, "disappointing": -2.3, "useless": -2.5,
    "broken": -2.0, "damaged": -2.0, "late": -1.5, "delayed": -1.6, "wrong": -1.8, "missing": -1.6,
    "never": -0.5, "refund": -0.8, "cancel": -1.0, "problem": -1.6, "issue": -1.2, "error": -1.5,
    "fail": -2.0, "failed": -2.0, "slow": -1.5, "rude": -2.5, "unacceptable": -2.8, "scam": -3.0,
    "worse": -2.2, "complaint": -1.8, "lost": -1.6, "stuck": -1.5, "unhappy": -2.4, "sad": -2.0,
    "ridiculous": -2.3, "waste": -2.2, "confusing": -1.5, "expensive": -1.0, "ignored": -2.0,
}
NEGATORS = frozenset({"not", "no", "never", "don't", "dont", "doesn't", "didn't", "isn't", "wasn't",
                      "aren't", "can't", "cannot", "won't", "nothing", "nobody", "hardly", "without"})
INTENSIFIERS: dict[str, float] = {"very": 1.3, "really": 1.3, "so": 1.2, "extremely": 1.5, "too": 1.2,
                                  "totally": 1.3, "absolutely": 1.4, "quite": 1.1, "super": 1.3}
# fmt: on
_TOKEN = re.compile(r"[a-z']+|[!]")


def score_text(text: str) -> float:
    """Sentiment of one text in [-1, 1]."""
    tokens = _TOKEN.findall(str(text).lower())
    total = 0.0
    for i, tok in enumerate(tokens):
        weight = LEXICON.get(tok)
        if weight is None:
            continue
        if i > 0 and tokens[i - 1] in INTENSIFIERS:
            weight *= INTENSIFIERS[tokens[i - 1]]
        if any(t in NEGATORS for t in tokens[max(0, i - 3) : i]):
            weight *= -0.6
        total += weight
    if total and "!" in tokens:
        total *= 1 + 0.1 * min(tokens.count("!"), 3)
    return total / math.sqrt(total * total + 15.0)


def _label(score: float, threshold: float = 0.05) -> str:
    return "positive" if score >= threshold else "negative" if score <= -threshold else "neutral"


def score_messages(texts: list[str]) -> pd.DataFrame:
    """One row per message: text, sentiment (in [-1, 1]) and label."""
    scores = [score_text(t) for t in texts]
    return pd.DataFrame({"text": list(texts), "sentiment": scores, "label": [_label(s) for s in scores]})


def score_conversations(
    messages: pd.DataFrame, *, conversation_col: str = "conversation_id", text_col: str = "text"
) -> pd.DataFrame:
    """Per conversation: messages, mean and last-message sentiment, minimum, and a label.

    The label uses the mean, except that a clearly negative last message wins (the
    customer left unhappy).
    """
    for col in (conversation_col, text_col):
        if col not in messages.columns:
            raise ValueError(f"messages lack column {col!r}")
    scored = messages.assign(sentiment=[score_text(t) for t in messages[text_col]])
    g = scored.groupby(conversation_col, sort=True)["sentiment"]
    out = pd.DataFrame(
        {"messages": g.size(), "mean_sentiment": g.mean(), "min_sentiment": g.min(), "last_sentiment": g.last()}
    )
    label = out["mean_sentiment"].map(_label)
    label[out["last_sentiment"] <= -0.3] = "negative"
    out["label"] = label
    return out
