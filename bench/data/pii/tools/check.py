"""Checker for /work/blind/pii/*.jsonl"""
import json, re, sys
from collections import Counter
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from values import luhn_ok, iban_ok

D = "/work/blind/pii/"
TYPES = {"EMAIL", "PHONE", "CARD", "IBAN", "CVV", "POSTCODE", "DATE_OF_BIRTH", "ADDRESS"}
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
PC_RE = re.compile(r"(?i)("
    r"[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}"        # UK
    r"|\d{5}(-\d{4})?"                                  # US / DE / FR / ES / IT
    r"|\d{4} ?[A-Z]{2}"                                 # NL
    r"|\d{2}-\d{3}"                                     # PL
    r"|\d{4}"                                           # BE AT CH
    r"|[A-Z]\d[0-9W] ?[0-9ACDEFHKNPRTVWXY]{4}"          # IE eircode
    r")")
MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
DOB_RE = re.compile(r"(?i)(\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}(st|nd|rd|th)?( of)? " + MONTH + r",? \d{4}|"
                    + MONTH + r" \d{1,2}(st|nd|rd|th)?,? \d{4})")
BAD_EDGE = set(" \t\n.,;:!?\"'")
errors = []

def err(f, i, msg):
    errors.append(f"{f}:{i+1}: {msg}")

def check_span(f, i, text, s):
    st, en, ty = s["start"], s["end"], s["type"]
    if ty not in TYPES: return err(f, i, f"bad type {ty}")
    if not (0 <= st < en <= len(text)): return err(f, i, f"bad offsets {s}")
    v = text[st:en]
    if v != v.strip() or v[0] in BAD_EDGE or v[-1] in BAD_EDGE:
        err(f, i, f"edge whitespace/punct in {ty} {v!r}")
    if v[0] == "(" and ")" not in v: err(f, i, f"unbalanced ( {v!r}")
    if v[-1] == ")" and "(" not in v: err(f, i, f"unbalanced ) {v!r}")
    # boundaries: span must not cut a word/number
    if st > 0 and text[st-1].isalnum() and v[0].isalnum(): err(f, i, f"span starts mid-token {v!r}")
    if en < len(text) and text[en].isalnum() and v[-1].isalnum(): err(f, i, f"span ends mid-token {v!r}")
    if ty == "EMAIL" and not EMAIL_RE.fullmatch(v): err(f, i, f"bad email {v!r}")
    if ty == "CARD":
        d = re.sub(r"[ \-]", "", v)
        if not (d.isdigit() and 13 <= len(d) <= 19 and luhn_ok(d)): err(f, i, f"bad card {v!r}")
    if ty == "IBAN" and not iban_ok(v): err(f, i, f"bad iban {v!r}")
    if ty == "CVV" and not re.fullmatch(r"\d{3,4}", v): err(f, i, f"bad cvv {v!r}")
    if ty == "PHONE":
        if not re.fullmatch(r"[+0-9()\-./ ]+", v): err(f, i, f"bad phone chars {v!r}")
        nd = len(re.sub(r"\D", "", v))
        if not 9 <= nd <= 15: err(f, i, f"bad phone digit count {v!r}")
    if ty == "POSTCODE" and not PC_RE.fullmatch(v): err(f, i, f"bad postcode {v!r}")
    if ty == "DATE_OF_BIRTH" and not DOB_RE.fullmatch(v): err(f, i, f"bad dob {v!r}")
    if ty == "ADDRESS" and not (re.search(r"\d", v) and re.search(r"[A-Za-zÀ-ž]{2,}", v)):
        err(f, i, f"bad address {v!r}")

def leftovers(f, i, text, spans):
    """look for unannotated PII-looking strings outside spans"""
    mask = list(text)
    for s in spans:
        for k in range(s["start"], s["end"]): mask[k] = "\0"
    rest = "".join(mask)
    if EMAIL_RE.search(rest) or "@" in rest: err(f, i, "unannotated email/@")
    for m in re.finditer(r"(?<![A-Za-z0-9])\d(?:[ \-]?\d){12,18}(?![0-9])", rest):
        if luhn_ok(re.sub(r"\D", "", m.group())): err(f, i, f"unannotated luhn number {m.group()!r}")
    for m in re.finditer(r"(?i)\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", rest):
        if iban_ok(m.group()): err(f, i, f"unannotated iban {m.group()!r}")
    if re.search(r"(?i)\b(cvv|cvc|security code)\b", rest) and not any(s["type"] == "CVV" for s in spans):
        err(f, i, "cvv context without CVV span")

def load(name):
    rows = []
    with open(D + name, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            try:
                rows.append(json.loads(line))
            except Exception as e:
                err(name, i, f"json {e}")
    return rows

def sentences(row):
    t = list(row["text"])
    for s in sorted(row["spans"], key=lambda s: -s["start"]):
        t[s["start"]:s["end"]] = "<" + s["type"] + ">"
    t = "".join(t).lower()
    t = re.sub(r"\d+", "0", t)
    out = set()
    for sent in re.split(r"[.!?\n]+", t):
        w = re.findall(r"[a-z<>_0]+", sent)
        if len(w) >= 5: out.add(" ".join(w))
    return out

report = {}
all_texts = Counter()
sets = {}
for name in ["dev.jsonl", "holdout.jsonl", "clean.jsonl"]:
    rows = load(name)
    sets[name] = rows
    c = Counter(); items = Counter()
    seen = set()
    for i, r in enumerate(rows):
        text, spans = r["text"], r["spans"]
        if text in seen: err(name, i, "duplicate text")
        seen.add(text); all_texts[text] += 1
        if text != text.strip(): err(name, i, "text has edge whitespace")
        if name == "clean.jsonl" and spans: err(name, i, "clean row has spans")
        if name != "clean.jsonl" and not spans: err(name, i, "PII row without spans")
        prev_end = -1
        for s in sorted(spans, key=lambda s: s["start"]):
            if s["start"] < prev_end: err(name, i, "overlapping spans")
            prev_end = s["end"]
            check_span(name, i, text, s)
            items[s["type"]] += 1
        for ty in {s["type"] for s in spans}: c[ty] += 1
        leftovers(name, i, text, spans)
    report[name] = (len(rows), c, items)

for t, n in all_texts.items():
    if n > 1: errors.append(f"text in more than one file: {t[:60]!r}")
sd = set().union(*(sentences(r) for r in sets["dev.jsonl"]))
sh = set().union(*(sentences(r) for r in sets["holdout.jsonl"]))
shared = sd & sh
for s in sorted(shared): errors.append(f"sentence shared dev/holdout: {s!r}")

for name, (n, c, items) in report.items():
    print(f"{name}: {n} messages")
    for ty in sorted(TYPES):
        if name != "clean.jsonl":
            print(f"   {ty:14s} messages={c[ty]:4d} items={items[ty]:4d}")
            if c[ty] < 60: errors.append(f"{name}: {ty} only in {c[ty]} messages")
print(f"shared sentences dev/holdout: {len(shared)}")
print(f"{len(errors)} errors")
for e in errors[:80]: print("  ", e)
sys.exit(1 if errors else 0)
