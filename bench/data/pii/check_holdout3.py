#!/usr/bin/env python3
"""Validator for holdout3.jsonl (PII messages) and clean3.jsonl (hard negatives).
Exit code 0 = all checks pass. Warnings are printed for manual review but do not fail."""
import json, os, re, sys, difflib
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["EMAIL", "PHONE", "CARD", "IBAN", "CVV", "POSTCODE", "DATE_OF_BIRTH", "ADDRESS"]
MIN_PER_TYPE, MIN_PII, MIN_CLEAN = 70, 560, 400
IBAN_LEN = {"AD": 24, "AT": 20, "BE": 16, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
            "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23, "GL": 18,
            "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
            "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
            "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27}
ADDR_ABBREV_END = re.compile(r"(?:St|Rd|Ave|Av|Blvd|Str|Esq|Dto|Dcha|Izq|Ln|Dr|Sq|Pl|th|tv)\.$", re.I)

errors, warnings = [], []


def err(msg):
    errors.append(msg)


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(raw):
    s = re.sub(r"[\s-]", "", raw).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return False, "bad charset"
    cc = s[:2]
    if cc not in IBAN_LEN:
        return False, "unknown country " + cc
    if len(s) != IBAN_LEN[cc]:
        return False, "length %d != %d for %s" % (len(s), IBAN_LEN[cc], cc)
    num = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    if int(num) % 97 != 1:
        return False, "mod-97 fails"
    return True, ""


def load(name):
    rows = []
    path = os.path.join(HERE, name)
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except Exception as e:
                err("%s:%d not JSON (%s)" % (name, i, e))
                continue
            if set(obj) != {"text", "spans"} or not isinstance(obj["text"], str) \
                    or not isinstance(obj["spans"], list):
                err("%s:%d bad keys/types" % (name, i))
                continue
            rows.append((name, i, obj))
    return rows


def check_span(where, text, sp):
    if set(sp) != {"start", "end", "type"}:
        err("%s bad span keys %r" % (where, sp)); return False
    s, e, t = sp["start"], sp["end"], sp["type"]
    if t not in TYPES:
        err("%s unknown type %s" % (where, t)); return False
    if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
        err("%s offsets out of range %r" % (where, sp)); return False
    v = text[s:e]
    first, last = v[0], v[-1]
    if not (first.isalnum() or (t == "PHONE" and first in "+(")):
        err("%s %s starts with %r: %r" % (where, t, first, v))
    if not last.isalnum():
        if not (t == "ADDRESS" and last == "." and ADDR_ABBREV_END.search(v)):
            err("%s %s ends with %r: %r" % (where, t, last, v))
    # boundaries must not cut a token
    if s > 0 and text[s - 1].isalnum() and first.isalnum():
        err("%s %s starts inside a word: %r" % (where, t, v))
    if e < len(text) and text[e].isalnum() and last.isalnum():
        err("%s %s ends inside a word: %r" % (where, t, v))
    if t == "CARD":
        if not re.fullmatch(r"\d+(?:[ -]\d+)*", v):
            err("%s CARD bad chars %r" % (where, v))
        d = re.sub(r"\D", "", v)
        if not (13 <= len(d) <= 19) or not luhn_ok(d):
            err("%s CARD not Luhn-valid 13-19 digits %r" % (where, v))
    elif t == "IBAN":
        ok, why = iban_ok(v)
        if not ok:
            err("%s IBAN invalid (%s) %r" % (where, why, v))
    elif t == "CVV":
        if not re.fullmatch(r"\d(?: ?\d){2,3}", v):
            err("%s CVV not 3-4 digits %r" % (where, v))
    elif t == "EMAIL":
        if not re.search(r"@|\bat\b|\[at\]|\(at\)", v, re.I):
            err("%s EMAIL without @/at %r" % (where, v))
    elif t == "PHONE":
        if len(re.sub(r"\D", "", v)) < 7:
            err("%s PHONE too short %r" % (where, v))
    elif t == "POSTCODE":
        if len(v) > 10 or not re.search(r"\d", v):
            err("%s POSTCODE suspicious %r" % (where, v))
    elif t == "DATE_OF_BIRTH":
        if not re.search(r"\d|teen|twenty|thirt|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth", v, re.I):
            err("%s DOB without a date %r" % (where, v))
    elif t == "ADDRESS":
        if not re.search(r"\d", v) and "," not in v:
            warnings.append("%s ADDRESS without number %r" % (where, v))
    return True


EMAIL_RE = re.compile(r"[\w.+-]+\s?@\s?[\w-]+(?:\s?\.\s?[\w-]+)+")
OBF_RE = re.compile(r"\w+\s*(?:\[at\]|\(at\)|\bat\b|\bAT\b)\s*\w+\s*(?:\(dot\)|\[dot\]|\bdot\b|\.)\s*(?:com|net|org|de|fr|es|it|nl|uk|ie|pt|ch|at|be|pl|se|dk|no|fi|eu|info)\b", re.I)
DIGSEQ = re.compile(r"\d(?:[ -]?\d)*")
IBAN_CAND = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){10,30}")


def unannotated_scan(where, text, spans):
    masked = list(text)
    for sp in spans:
        for k in range(sp["start"], sp["end"]):
            masked[k] = "\u2588"
    m = "".join(masked)
    for x in EMAIL_RE.finditer(m):
        err("%s unannotated e-mail %r" % (where, x.group()))
    for x in OBF_RE.finditer(m):
        err("%s possible unannotated obfuscated e-mail %r" % (where, x.group()))
    for x in DIGSEQ.finditer(m):
        seq = x.group()
        cands = {re.sub(r"\D", "", seq)} | set(re.findall(r"\d+", seq))
        # also every window of consecutive digit groups
        groups = re.findall(r"\d+", seq)
        for a in range(len(groups)):
            for b in range(a + 1, len(groups) + 1):
                cands.add("".join(groups[a:b]))
        for c in cands:
            if 13 <= len(c) <= 19 and luhn_ok(c):
                err("%s unannotated Luhn-valid digit run %r in %r" % (where, c, seq))
    for x in IBAN_CAND.finditer(m):
        raw = re.sub(r"\s", "", x.group()).upper()
        cc = raw[:2]
        if cc in IBAN_LEN and len(raw) >= IBAN_LEN[cc]:
            ok, _ = iban_ok(raw[:IBAN_LEN[cc]])
            if ok:
                err("%s unannotated valid IBAN %r" % (where, x.group()))


def frame(text, spans):
    out, pos = [], 0
    for sp in sorted(spans, key=lambda s: s["start"]):
        out.append(text[pos:sp["start"]]); out.append("<%s>" % sp["type"]); pos = sp["end"]
    out.append(text[pos:])
    f = "".join(out).lower()
    return re.sub(r"\s+", " ", f).strip()


SUSPICIOUS_CLEAN = [
    (re.compile(r"\b(cvv|cvc|cid|csc|security code|card number)\b", re.I), "card-security keyword"),
    (re.compile(r"\b(born|dob|d\.o\.b|birth ?date|date of birth|geb\.)\b", re.I), "birth keyword"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"), "UK-postcode-like"),
    (re.compile(r"(?:\+|00)\d{2}[\d \-/().]{6,}"), "international-phone-like"),
    (re.compile(r"\b0\d{2,4}[ \-/.]?\d{3,4}[ \-.]?\d{3,4}\b"), "national-phone-like"),
    (re.compile(r"\b(postcode|zip|plz|eircode|post code)\b", re.I), "postcode keyword"),
]


def main():
    pii = load("holdout3.jsonl")
    clean = load("clean3.jsonl")
    counts = Counter()
    texts = Counter()
    frames = {}
    for name, i, obj in pii + clean:
        where = "%s:%d" % (name, i)
        text, spans = obj["text"], obj["spans"]
        texts[text] += 1
        if text != text.strip():
            err("%s text has outer whitespace" % where)
        nw = len(text.split())
        if not (5 <= nw <= 60):
            err("%s has %d words (want 5-60): %r" % (where, nw, text))
        good = [sp for sp in spans if check_span(where, text, sp)]
        ss = sorted(good, key=lambda s: s["start"])
        for a, b in zip(ss, ss[1:]):
            if b["start"] < a["end"]:
                err("%s overlapping spans %r %r" % (where, a, b))
        if name.startswith("holdout"):
            if not spans:
                err("%s has no spans" % where)
            for sp in good:
                counts[sp["type"]] += 1
            f = frame(text, good)
            if f in frames:
                err("%s same frame as %s: %r" % (where, frames[f], f))
            frames[f] = where
        else:
            if spans:
                err("%s clean message has spans" % where)
            for rx, label in SUSPICIOUS_CLEAN:
                mm = rx.search(text)
                if mm:
                    warnings.append("%s clean: %s %r in %r" % (where, label, mm.group(), text))
        unannotated_scan(where, text, spans)
    for t, n in texts.items():
        if n > 1:
            err("duplicate text x%d: %r" % (n, t))
    # near-duplicate frames (warning only)
    fl = list(frames.items())
    for a in range(len(fl)):
        for b in range(a + 1, len(fl)):
            if abs(len(fl[a][0]) - len(fl[b][0])) < 15:
                r = difflib.SequenceMatcher(None, fl[a][0], fl[b][0]).ratio()
                if r > 0.85:
                    warnings.append("near-duplicate frames %s / %s (%.2f)" % (fl[a][1], fl[b][1], r))
    for t in TYPES:
        if counts[t] < MIN_PER_TYPE:
            err("type %s has only %d spans" % (t, counts[t]))
    if len(pii) < MIN_PII:
        err("holdout3 has %d messages < %d" % (len(pii), MIN_PII))
    if len(clean) < MIN_CLEAN:
        err("clean3 has %d messages < %d" % (len(clean), MIN_CLEAN))
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print("holdout3 messages:", len(pii), " clean3 messages:", len(clean))
    for t in TYPES:
        print("  %-14s %d" % (t, counts[t]))
    print("total spans:", sum(counts.values()))
    print("FAIL (%d errors)" % len(errors) if errors else "PASS")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
