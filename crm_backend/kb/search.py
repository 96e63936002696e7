"""Hybrid retrieval over help-centre articles: BM25 (bm25s, Snowball stems) plus MiniLM vectors.

Each article is indexed as several fields: its title, each question variant and each passage of
its body (a heading with its text). The dense score of an article is the best cosine over its
fields, so one well-phrased variant is enough; BM25 scores the whole article. The two are fused
as `dense + bm25_weight * bm25 / best bm25` (weights measured in bench/kb; plain RRF was worse
on StackFAQ than MiniLM alone). Vectors are cached by text, so an edit re-embeds only the
texts that changed; BM25 is rebuilt in full, which takes well under a second at 10,000 articles.
"""

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import bm25s
import numpy as np
import Stemmer

logger = logging.getLogger(__name__)

TITLE, QUESTION, PASSAGE = "title", "question", "passage"
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_MARKUP = re.compile(r"[*_`|>#]+|\[([^\]]*)\]\([^)]*\)|^-{3,}$", re.MULTILINE)
MAX_PASSAGE_CHARS = 600


@dataclass(frozen=True)
class Doc:
    id: int
    slug: str
    title: str
    questions: tuple[str, ...] = ()
    body: str = ""
    url: str = ""
    revision: int = 1


@dataclass(frozen=True)
class Hit:
    article_id: int
    slug: str
    title: str
    url: str
    score: float
    dense: float
    bm25: float
    field: str  # which field matched best: title, question or passage
    passage: str  # the body passage closest to the query, in Markdown


@dataclass(frozen=True)
class Weights:
    bm25: float = 0.3  # weight of the normalised BM25 score added to the dense cosine
    passage: float = 1.0  # multiplier of passage cosines against title and question cosines


def plain(markdown: str) -> str:
    """Markdown without markup, for tokenising and embedding."""
    text = _MARKUP.sub(lambda m: m.group(1) or " ", markdown)
    return re.sub(r"\s+", " ", text).strip()


def passages(body: str) -> list[str]:
    """The body cut at headings (the heading stays with its text), long sections at blank lines."""
    sections: list[list[str]] = [[]]
    for line in body.splitlines():
        if _HEADING.match(line) and any(s.strip() for s in sections[-1]):
            sections.append([])
        sections[-1].append(line)
    out: list[str] = []
    for lines in sections:
        text = "\n".join(lines).strip()
        if not text:
            continue
        if len(text) <= MAX_PASSAGE_CHARS:
            out.append(text)
            continue
        heading = lines[0] if _HEADING.match(lines[0]) else ""
        chunk = ""
        for paragraph in re.split(r"\n\s*\n", text):
            if chunk and len(chunk) + len(paragraph) > MAX_PASSAGE_CHARS:
                out.append(chunk)
                chunk = heading + "\n" if heading and not paragraph.startswith(heading) else ""
            chunk = (chunk + "\n\n" + paragraph).strip()
        if chunk:
            out.append(chunk)
    return out


@dataclass
class _Entry:
    doc: Doc
    fields: list[str]
    texts: list[str]  # plain text of each field
    passages: list[str]  # Markdown of each passage field (same order as the passage fields)
    tokens: list[str] = field(default_factory=list)


class HybridIndex:
    """An in-process index; `upsert`/`remove` then the next `search` sees the change."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], weights: Weights | None = None) -> None:
        self.encode = encode
        self.weights = weights or Weights()
        self.stemmer = Stemmer.Stemmer("english")
        self._entries: dict[int, _Entry] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.RLock()
        self._dirty = True
        self._order: list[int] = []

    # -- content ----------------------------------------------------------------------------
    def upsert(self, docs: Iterable[Doc]) -> None:
        with self._lock:
            new: list[_Entry] = []
            for doc in docs:
                chunks = passages(doc.body)
                fields = [TITLE] + [QUESTION] * len(doc.questions) + [PASSAGE] * len(chunks)
                texts = [plain(t) for t in (doc.title, *doc.questions, *chunks)]
                entry = _Entry(doc, fields, texts, chunks)
                entry.tokens = self._tokenize([" ".join([doc.title, *doc.questions, plain(doc.body)])])[0]
                self._entries[doc.id] = entry
                new.append(entry)
            missing = sorted({t for e in new for t in e.texts if t not in self._vectors})
            if missing:
                for text, vector in zip(missing, self.encode(missing), strict=True):
                    self._vectors[text] = vector
            self._dirty = True

    def remove(self, ids: Iterable[int]) -> None:
        with self._lock:
            for doc_id in ids:
                self._entries.pop(doc_id, None)
            self._dirty = True

    def docs(self) -> dict[int, Doc]:
        return {doc_id: entry.doc for doc_id, entry in self._entries.items()}

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        return bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer, return_ids=False, show_progress=False)

    def _rebuild(self) -> None:
        self._order = sorted(self._entries)
        entries = [self._entries[i] for i in self._order]
        live = {t for e in entries for t in e.texts}
        if len(self._vectors) > 2 * max(len(live), 1000):  # forget texts of old revisions
            self._vectors = {t: v for t, v in self._vectors.items() if t in live}
        sizes = np.array([len(e.texts) for e in entries], dtype=np.int64)
        self._starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self._matrix = (
            np.stack([self._vectors[t] for e in entries for t in e.texts]).astype(np.float32)
            if entries
            else np.zeros((0, 1), dtype=np.float32)
        )
        multiplier = [self.weights.passage if f == PASSAGE else 1.0 for e in entries for f in e.fields]
        self._multiplier = np.array(multiplier, dtype=np.float32)
        self._bm25 = bm25s.BM25()
        if entries:
            self._bm25.index([e.tokens or [""] for e in entries], show_progress=False)
        self._vocab = self._bm25.vocab_dict if entries else {}
        self._dirty = False

    # -- search -------------------------------------------------------------------------------
    def _score(self, query: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cosine of every field, best cosine per article, BM25 per article), in `self._order`."""
        if self._dirty:
            self._rebuild()
        vector = self.encode([plain(query)])[0]
        unit = (self._matrix @ vector) * self._multiplier
        dense = np.maximum.reduceat(unit, self._starts)
        tokens = [t for t in self._tokenize([query])[0] if t in self._vocab]
        bm25 = self._bm25.get_scores(tokens) if tokens else np.zeros(len(self._order))
        return unit, dense, np.asarray(bm25, dtype=np.float32)

    def search(self, query: str, *, k: int = 5, method: str = "hybrid") -> list[Hit]:
        """The `k` best articles for `query`; method is "hybrid", "dense" or "bm25"."""
        with self._lock:
            if self._dirty:
                self._rebuild()
            if not self._order:
                return []
            unit, dense, bm25 = self._score(query)
            top_bm25 = float(bm25.max())
            norm = bm25 / top_bm25 if top_bm25 > 0 else np.zeros_like(bm25)
            if method == "dense":
                fused = dense
            elif method == "bm25":
                fused = norm
            else:
                fused = dense + self.weights.bm25 * norm
            k = min(k, len(fused))
            top = np.argpartition(-fused, k - 1)[:k]
            top = top[np.argsort(-fused[top])]
            return [self._hit(int(i), unit, float(fused[i]), float(dense[i]), float(norm[i])) for i in top]

    def _hit(self, position: int, unit: np.ndarray, score: float, dense: float, bm25: float) -> Hit:
        entry = self._entries[self._order[position]]
        start = int(self._starts[position])
        mine = unit[start : start + len(entry.fields)]
        field_name = entry.fields[int(np.argmax(mine))]
        passage = ""
        if entry.passages:
            first = entry.fields.index(PASSAGE)
            passage = entry.passages[int(np.argmax(mine[first:]))]
        doc = entry.doc
        return Hit(doc.id, doc.slug, doc.title, doc.url, score, dense, bm25, field_name, passage)
