import json, random, sys
sys.path.insert(0, __file__.rsplit("/", 1)[0])
import engine as E
import tpl_dev, tpl_holdout, tpl_clean

TYPES = ["EMAIL", "PHONE", "CARD", "IBAN", "CVV", "POSTCODE", "DATE_OF_BIRTH", "ADDRESS"]

def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "spans": r["spans"]}, ensure_ascii=False) + "\n")

dev, cd = E.build_set(1101, tpl_dev.TEMPLATES, tpl_dev.OPENERS, tpl_dev.CLOSERS, 390, 66, TYPES)
hold, ch = E.build_set(2202, tpl_holdout.TEMPLATES, tpl_holdout.OPENERS, tpl_holdout.CLOSERS, 390, 66, TYPES)
devtexts = {r["text"] for r in dev}
hold = [r for r in hold if r["text"] not in devtexts]
clean, _ = E.build_set(3303, tpl_clean.TEMPLATES, tpl_clean.OPENERS, tpl_clean.CLOSERS, 500, 0, [])
write("/work/blind/pii/dev.jsonl", dev)
write("/work/blind/pii/holdout.jsonl", hold)
write("/work/blind/pii/clean.jsonl", clean)
print(len(dev), cd); print(len(hold), ch); print(len(clean))
