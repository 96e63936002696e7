#!/usr/bin/env python3
"""Validate dev.jsonl / test.jsonl of the blind Concierge dialogue benchmark.

Usage:  python3 check.py            # validate, print statistics, exit 1 on error
        python3 check.py --markdown # additionally print a per-tag table (for README)
"""
import json, os, re, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = {"dev": "dev.jsonl", "test": "test.jsonl"}
DEV_COUNT, TEST_MIN = 50, 160

LABELS = set("""greet goodbye thanks_ack chitchat order_status order_items tracking list_orders
ask_which_order ask_items ask_reason ask_address ask_confirmation done not_done refuse_not_allowed
refuse_other_person not_found sign_in_needed info state_answer product_info recommendations
ticket_opened ticket_updated handoff_offer handoff_queued handoff_wait_ack handoff_cancelled
agents_offline agent_message csat_ask csat_thanks clarify fallback unsupported_language too_long
out_of_scope retention_offer ignored_command""".split())
INFO_TOPICS = set("""shipping delivery_time delivery_options returns refunds cancellation_fees
payment_methods payment_security warranty invoices account password newsletter privacy loyalty
gift_cards contact opening_hours sizes product_care ordering""".split())
PLACEHOLDERS = set("""name open_order open_order_2 shipped_order late_order delivered_order old_order
cancelled_order last_order other_customer_order unknown_order item_a item_b item_not_in_order
open_item""".split())
ORDER_PH = {"{%s}" % p for p in """open_order open_order_2 shipped_order late_order delivered_order
old_order cancelled_order last_order other_customer_order unknown_order""".split()}
PROFILE = {"newsletter": {True, False}, "tier": {"bronze", "silver", "gold"},
           "churn_risk": {"low", "high"}, "agents_online": {True, False}}
TAGS = set("""happy status tracking items list_orders cancel address return newsletter recommendations
loyalty general product handoff handoff_wait handoff_cancel agents_offline csat hedge state_question
other_person injection form_question correction other_one slots_upfront item_not_in_order
return_window shipped_cancel context ticket not_due repeat_complaint add_items_delivered item_change
command language long typo multi_intent frustration churn anonymous stop account_deletion payment
refunds greeting not_found chitchat out_of_scope""".split())
# tags every file must contain at least once
REQUIRED_TAGS = set("""happy status tracking items list_orders cancel address return newsletter
recommendations loyalty general handoff handoff_wait handoff_cancel agents_offline csat hedge
state_question other_person injection form_question correction other_one slots_upfront
item_not_in_order return_window shipped_cancel context ticket not_due repeat_complaint
add_items_delivered command language long typo multi_intent frustration churn anonymous stop
account_deletion payment""".split())
PH_RE = re.compile(r"\{([A-Za-z0-9_]+)\}")
LONG = "@@LONG@@"


def label_ok(l):
    if l in LABELS:
        return True
    if l.startswith("info:"):
        return l[5:] in INFO_TOPICS
    return False


def split_sentences(text):
    out = []
    for s in re.split(r"(?<=[.!?。？！])\s+|\n+", text):
        norm = " ".join(re.findall(r"[\w{}@']+", s.lower()))
        if not norm:
            norm = s.strip()
        if norm:
            out.append(norm)
    return out


def check_file(kind, errors):
    path = os.path.join(HERE, FILES[kind])
    convs = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                convs.append(json.loads(line))
            except json.JSONDecodeError as e:
                errors.append(f"{kind}:{ln}: bad JSON: {e}")
    for c in convs:
        cid = c.get("id", "?")
        where = f"{kind}:{cid}"
        for k in c:
            if k not in ("id", "verified", "profile", "tags", "turns"):
                errors.append(f"{where}: unknown key {k!r}")
        if not isinstance(c.get("id"), str) or not c["id"]:
            errors.append(f"{where}: missing id")
        if not isinstance(c.get("verified"), bool):
            errors.append(f"{where}: verified must be a boolean")
        prof = c.get("profile", {})
        if not isinstance(prof, dict):
            errors.append(f"{where}: profile must be an object")
            prof = {}
        for k, v in prof.items():
            if k not in PROFILE:
                errors.append(f"{where}: unknown profile key {k!r}")
            elif v not in PROFILE[k] or type(v) is not type(next(iter(PROFILE[k]))):
                errors.append(f"{where}: bad profile value {k}={v!r}")
        tags = c.get("tags")
        if not isinstance(tags, list) or not tags:
            errors.append(f"{where}: tags must be a non-empty list")
            tags = []
        for t in tags:
            if t not in TAGS:
                errors.append(f"{where}: unknown tag {t!r}")
        if len(set(tags)) != len(tags):
            errors.append(f"{where}: duplicate tags")
        turns = c.get("turns")
        if not isinstance(turns, list):
            errors.append(f"{where}: turns must be a list")
            continue
        if not 2 <= len(turns) <= 8:
            errors.append(f"{where}: {len(turns)} turns (must be 2..8)")
        if turns and "user" not in turns[0]:
            errors.append(f"{where}: first turn must be a user message")
        seen_text = " ".join(str(v) for v in prof.values()).lower()
        for i, t in enumerate(turns, 1):
            tw = f"{where} turn {i}"
            kinds = [k for k in ("user", "click", "agent") if k in t]
            if len(kinds) != 1:
                errors.append(f"{tw}: exactly one of user/click/agent required")
                continue
            kind_t = kinds[0]
            allowed = {"user": {"user", "expect"}, "click": {"click", "expect"},
                       "agent": {"agent", "text", "expect"}}[kind_t]
            for k in t:
                if k not in allowed:
                    errors.append(f"{tw}: unknown key {k!r}")
            texts = []
            if kind_t == "user":
                if not isinstance(t["user"], str) or not t["user"].strip():
                    errors.append(f"{tw}: empty user text")
                elif LONG in t["user"] and t["user"] != LONG:
                    errors.append(f"{tw}: {LONG} must be the whole message")
                texts.append(t["user"])
            elif kind_t == "click":
                if not isinstance(t["click"], str) or not t["click"].strip():
                    errors.append(f"{tw}: empty click text")
                texts.append(t["click"])
            else:
                a = t["agent"]
                if a not in ("claims", "says", "hands_back"):
                    errors.append(f"{tw}: bad agent step {a!r}")
                if a == "says":
                    if not isinstance(t.get("text"), str) or not t["text"].strip():
                        errors.append(f"{tw}: agent says needs text")
                    else:
                        texts.append(t["text"])
                elif "text" in t:
                    errors.append(f"{tw}: only 'says' carries text")
            for tx in texts:
                for ph in PH_RE.findall(tx):
                    if ph not in PLACEHOLDERS:
                        errors.append(f"{tw}: unknown placeholder {{{ph}}}")
            seen_text += " " + " ".join(texts).lower()
            exp = t.get("expect")
            if exp is None:
                if kind_t != "agent":
                    errors.append(f"{tw}: missing expect")
                continue
            if not isinstance(exp, dict):
                errors.append(f"{tw}: expect must be an object")
                continue
            for k in exp:
                if k not in ("outcome", "changes", "mentions"):
                    errors.append(f"{tw}: unknown expect key {k!r}")
            out = exp.get("outcome")
            if out is None and kind_t != "agent":
                errors.append(f"{tw}: missing outcome")
            if out is not None:
                if not isinstance(out, list) or not out:
                    errors.append(f"{tw}: outcome must be a non-empty list")
                else:
                    for l in out:
                        if not isinstance(l, str) or not label_ok(l):
                            errors.append(f"{tw}: bad outcome label {l!r}")
                    if len(set(out)) != len(out):
                        errors.append(f"{tw}: duplicate outcome labels")
            ch = exp.get("changes")
            if ch is not None:
                if not isinstance(ch, list):
                    errors.append(f"{tw}: changes must be a list")
                    ch = []
                for d in ch:
                    if not isinstance(d, dict) or len(d) != 1:
                        errors.append(f"{tw}: bad change {d!r}")
                        continue
                    (k, v), = d.items()
                    if k in ("cancel", "address", "return"):
                        if v not in ORDER_PH:
                            errors.append(f"{tw}: change {k} needs an order placeholder, got {v!r}")
                        if not c.get("verified"):
                            errors.append(f"{tw}: order change in an anonymous conversation")
                    elif k == "newsletter":
                        if v not in ("on", "off"):
                            errors.append(f"{tw}: newsletter change must be on/off")
                    elif k == "ticket":
                        if v != "new":
                            errors.append(f"{tw}: ticket change must be 'new'")
                    elif k == "deletion_request":
                        if v is not True:
                            errors.append(f"{tw}: deletion_request must be true")
                    else:
                        errors.append(f"{tw}: unknown change kind {k!r}")
            ms = exp.get("mentions")
            if ms is not None:
                if not isinstance(ms, list) or not ms:
                    errors.append(f"{tw}: mentions must be a non-empty list")
                    ms = []
                for m in ms:
                    if not isinstance(m, str) or not m:
                        errors.append(f"{tw}: bad mention {m!r}")
                        continue
                    phs = PH_RE.findall(m)
                    for ph in phs:
                        if ph not in PLACEHOLDERS:
                            errors.append(f"{tw}: unknown placeholder in mention {m!r}")
                    if PH_RE.fullmatch(m):
                        continue
                    if m.lower() not in seen_text:
                        errors.append(f"{tw}: mention {m!r} is not a placeholder nor a fact given so far")
    return convs


def main():
    errors, data = [], {}
    for kind in FILES:
        data[kind] = check_file(kind, errors)
    # counts
    if len(data["dev"]) != DEV_COUNT:
        errors.append(f"dev has {len(data['dev'])} conversations, expected {DEV_COUNT}")
    if len(data["test"]) < TEST_MIN:
        errors.append(f"test has {len(data['test'])} conversations, expected >= {TEST_MIN}")
    # unique ids across both files
    ids = collections.Counter(c.get("id") for k in data for c in data[k])
    for i, n in ids.items():
        if n > 1:
            errors.append(f"id {i!r} used {n} times")
    # sentence overlap dev/test (user and agent text; clicks and the LONG marker exempt)
    def sentences(convs):
        s = collections.defaultdict(set)
        for c in convs:
            for t in c.get("turns", []):
                tx = t.get("user") or (t.get("text") if t.get("agent") == "says" else None)
                if not tx or tx == LONG:
                    continue
                for sen in split_sentences(tx):
                    s[sen].add(c.get("id"))
        return s
    sd, st = sentences(data["dev"]), sentences(data["test"])
    for sen in sorted(set(sd) & set(st)):
        errors.append(f"sentence shared by dev {sorted(sd[sen])} and test {sorted(st[sen])}: {sen!r}")
    # required tag coverage
    tagcount = {k: collections.Counter(t for c in data[k] for t in c.get("tags", [])) for k in data}
    for k in data:
        for t in sorted(REQUIRED_TAGS - set(tagcount[k])):
            errors.append(f"{k}: required tag {t!r} never used")
    # statistics
    print(f"{'':22s}{'dev':>6s}{'test':>6s}")
    print(f"{'conversations':22s}{len(data['dev']):6d}{len(data['test']):6d}")
    for k in data:
        lens = [len(c.get("turns", [])) for c in data[k]]
        if lens:
            print(f"{k}: turns mean {sum(lens)/len(lens):.2f}, min {min(lens)}, max {max(lens)}, "
                  f"total {sum(lens)}; happy share {tagcount[k]['happy']/len(lens):.0%}; "
                  f"anonymous {sum(1 for c in data[k] if not c.get('verified'))}")
    all_tags = sorted(set(tagcount["dev"]) | set(tagcount["test"]))
    for t in all_tags:
        print(f"  {t:20s}{tagcount['dev'][t]:6d}{tagcount['test'][t]:6d}")
    if "--markdown" in sys.argv:
        print("\n| tag | dev | test |\n|---|---:|---:|")
        for t in all_tags:
            print(f"| {t} | {tagcount['dev'][t]} | {tagcount['test'][t]} |")
    if errors:
        print(f"\n{len(errors)} ERROR(S):")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
