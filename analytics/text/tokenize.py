"""A small, dependency-free tokenizer with an English stop-word list of our own."""

from __future__ import annotations

import re

TOKEN_PATTERN = re.compile(r"[a-z][a-z0-9']+")

# fmt: off
STOP_WORDS = frozenset(
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
        "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
        "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
        "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
        "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than",
        "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
        "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
        "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
        "yours", "yourself", "yourselves", "i'm", "i've", "i'd", "it's", "don't", "can't", "won't", "hi",
        "hello", "hey", "please", "thanks", "thank", "ok", "okay", "yes", "also", "get", "got", "want",
        "need"
    }
)
# fmt: on


def tokenize(text: str, *, stop_words: frozenset[str] = STOP_WORDS, min_length: int = 2) -> list[str]:
    """Lower-case word tokens without stop words."""
    tokens = TOKEN_PATTERN.findall(str(text).lower())
    return [t.strip("'") for t in tokens if t not in stop_words and len(t) >= min_length]
