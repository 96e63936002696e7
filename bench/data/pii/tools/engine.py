"""Template filling engine: builds messages as segment lists so span offsets are exact."""
import random
import re
import string

import values as V

PH = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")

ITEMS = ["the navy wool coat", "my trainers", "the linen shirt", "a pair of chelsea boots",
         "the black midi dress", "the grey hoodie", "the kids' raincoat", "the leather belt",
         "the denim jacket", "a cashmere scarf", "the running shorts", "the gift set",
         "the duvet cover", "the ceramic mugs", "the yoga mat", "the rucksack", "the puffer jacket",
         "the basic t-shirts", "the silk blouse", "the wide leg jeans", "the desk lamp", "the bedside table",
         "the knitted jumper", "the swimsuit", "the ankle boots", "the phone case", "the hiking socks"]
COLOURS = ["black", "navy", "olive", "cream", "burgundy", "grey marl", "sage", "rust", "white", "charcoal"]
CAP_FIRST = [w.capitalize() for w in V.FIRST if w.isascii()]
CAP_LAST = ["Smith", "Jones", "Taylor", "Brown", "O'Brien", "Müller", "Schmidt", "Dubois", "de Vries",
            "Jansen", "García", "Rossi", "Kowalski", "Nowak", "Patel", "Khan", "Chen", "Nguyen", "Okafor",
            "Murphy", "Kelly", "Walsh", "Byrne", "Fischer", "Martin", "Bakker", "Lopez", "Ferrari",
            "Hughes", "Evans", "Campbell", "Fitzgerald", "Silva", "Novak", "Anderson"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def tracking(r):
    while True:
        k = r.random()
        if k < 0.35:
            t = "1Z" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(6)) + \
                "".join(r.choice(string.digits) for _ in range(10))
        elif k < 0.6:
            t = "JD" + "".join(r.choice(string.digits) for _ in range(16))
        elif k < 0.8:
            t = r.choice(["RM", "LX", "CP", "RR"]) + "".join(r.choice(string.digits) for _ in range(9)) + "GB"
        else:
            t = "".join(r.choice(string.digits) for _ in range(12))
            t = "H" + r.choice("0123") + t[:14]
        digits = re.findall(r"\d+", t)
        if any(13 <= len(d) <= 19 and V.luhn_ok(d) for d in digits):
            continue
        return t


def price(r):
    v = r.choice([r.randint(5, 300) + r.choice([0, 0.99, 0.5, 0.95, 0.49]), r.randint(10, 90)])
    s = ("%.2f" % v) if v != int(v) else str(int(v))
    return r.choice(["£" + s, "€" + s, "$" + s, s + " EUR", "£" + s, s + "€", s + " quid" if r.random() < 0.2 else "£" + s])


def sku(r):
    return r.choice([
        "SKU-%05d-%s" % (r.randint(10000, 99999), r.choice(["BLK", "NVY", "WHT", "GRY", "RED"])),
        "%s-%04d-%s" % ("".join(r.choice(string.ascii_uppercase) for _ in range(2)), r.randint(1000, 9999),
                        r.choice(["XS", "S", "M", "L", "XL"])),
        "%d-%03d" % (r.randint(100, 999), r.randint(0, 999)),
        "ART%07d" % r.randint(0, 9999999),
        "HB%d%s" % (r.randint(100, 999), r.choice(["A", "B", "C", "X"])),
    ])


def voucher(r):
    return r.choice(["SAVE%d" % r.choice([10, 15, 20, 25]), "WELCOME%d" % r.choice([5, 10, 15]),
                     "WINTER-%d" % r.choice([2025, 2026]), "FREESHIP", "BF%d" % r.randint(20, 70),
                     "VIP-" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(6)),
                     "THANKYOU%d" % r.randint(5, 30), "SPRING26", "NEWBIE", "STUDENT15"])


def size(r):
    return r.choice(["size %d" % r.choice([6, 8, 10, 12, 14, 16, 18]), "%d EU" % r.randint(36, 46),
                     "UK %d" % r.randint(3, 12), "size %s" % r.choice(["S", "M", "L", "XL", "XXL", "XS"]),
                     "W32 L34", "W%d L%d" % (r.choice([28, 30, 32, 34, 36]), r.choice([30, 32, 34])),
                     "US %d.5" % r.randint(6, 11), "age %d-%d" % (lambda a: (a, a + 1))(r.randint(3, 12)),
                     "size %d" % r.randint(36, 46)])


def ddate(r):
    d, m = r.randint(1, 28), r.randint(1, 12)
    return r.choice(["%02d/%02d" % (d, m), "%d/%d" % (d, m), DAYS[r.randint(0, 6)], "the %d%s" % (d, V._suffix(d)),
                     "%d %s" % (d, V.MONTHS[m - 1]), "last %s" % DAYS[r.randint(0, 6)],
                     "%s %d" % (V.MONTHS[m - 1][:3], d), "%02d.%02d." % (d, m)])


def time_(r):
    h = r.randint(7, 22)
    return r.choice(["%02d:%02d" % (h, r.choice([0, 15, 30, 45, 10])), "%dpm" % r.randint(1, 9),
                     "%dam" % r.randint(7, 11), "%d.%02d" % (h, r.choice([0, 30])), "%d:%02d pm" % (r.randint(1, 9), r.choice([0, 30]))])


def simple(r, key):
    if key == "NAME":
        return r.choice(CAP_FIRST) + " " + r.choice(CAP_LAST)
    if key == "FNAME":
        return r.choice(CAP_FIRST)
    if key == "ORDER":
        return "%06d" % r.randint(100000, 999999)
    if key == "PRICE":
        return price(r)
    if key == "ITEM":
        return r.choice(ITEMS)
    if key == "DDATE":
        return ddate(r)
    if key == "TRACK":
        return tracking(r)
    if key == "SIZE":
        return size(r)
    if key == "QTY":
        return str(r.choice([1, 2, 2, 3, 4, 5, 6, 10, 12]))
    if key == "TIME":
        return time_(r)
    if key == "SKU":
        return sku(r)
    if key == "VOUCHER":
        return voucher(r)
    if key == "PCT":
        return "%d%%" % r.choice([5, 10, 15, 20, 25, 30, 40, 50, 70])
    if key == "YEAR":
        return str(r.randint(2015, 2026))
    if key == "REF":
        return r.choice(["%d-%04d" % (r.choice([2025, 2026]), r.randint(1, 9999)), "CS-%05d" % r.randint(0, 99999),
                         "RMA%06d" % r.randint(0, 999999), "T%d-%d" % (r.randint(100, 999), r.randint(10, 99))])
    if key == "DAY":
        return r.choice(DAYS)
    if key == "COLOUR":
        return r.choice(COLOURS)
    if key == "INV":
        return r.choice(["INV-%d-%06d" % (r.choice([2025, 2026]), r.randint(0, 999999)),
                         "%d/%05d" % (r.choice([2025, 2026]), r.randint(0, 99999)), "CN%08d" % r.randint(0, 99999999)])
    if key == "EAN":
        while True:
            e = str(r.choice([5, 4, 8])) + "".join(r.choice(string.digits) for _ in range(12))
            if not V.luhn_ok(e):
                return e
    if key == "DIM":
        return r.choice(["%d x %d cm" % (r.choice([90, 135, 140, 150, 160, 180]), r.choice([190, 200, 220])),
                         "%dx%dx%dcm" % (r.randint(20, 80), r.randint(20, 60), r.randint(10, 50)),
                         "%d cm" % r.randint(30, 250)])
    if key == "WEIGHT":
        return r.choice(["%.1f kg" % (r.randint(5, 250) / 10), "%dg" % r.randint(50, 950), "%d lbs" % r.randint(2, 40)])
    if key == "FULLDATE":
        d, m, y = r.randint(1, 28), r.randint(1, 12), r.choice([2025, 2026])
        return r.choice(["%02d/%02d/%d" % (d, m, y), "%d-%02d-%02d" % (y, m, d), "%d %s %d" % (d, V.MONTHS[m - 1], y),
                         "%02d.%02d.%d" % (d, m, y), "%s %d, %d" % (V.MONTHS[m - 1], d, y)])
    if key == "CODE4":
        return "%04d" % r.randint(0, 9999)
    if key == "GIFT":
        return "GC-%04d-%04d" % (r.randint(0, 9999), r.randint(0, 9999))
    if key == "NUM":
        return str(r.randint(2, 14))
    return None


def pii(r, key, ctx):
    """returns list of segments"""
    if key == "EMAIL":
        return [(V.make_email(r), "EMAIL")]
    if key.startswith("PHONE"):
        c = {"PHONE": None, "PHONE_UK": "UK", "PHONE_US": "US",
             "PHONE_EU": r.choice(["DE", "FR", "NL", "ES", "IT", "IE", "BE", "AT", "CH", "PL"])}[key]
        return [(V.make_phone(r, c), "PHONE")]
    if key in ("CARD", "AMEX"):
        num, brand = V.make_card(r, "amex" if key == "AMEX" else None)
        ctx["brand"] = brand
        return [(V.fmt_card(r, num), "CARD")]
    if key in ("CVV", "CVV4"):
        if key == "CVV4" or ctx.get("brand") == "amex":
            four = True
        elif ctx.get("brand"):
            four = False
        else:
            four = r.random() < 0.15
        return [(V.make_cvv(r, four), "CVV")]
    if key.startswith("IBAN"):
        c = key[5:] or None
        return [(V.fmt_iban(r, V.make_iban(r, c)), "IBAN")]
    if key == "POSTCODE":
        return [(V.make_postcode(r, r.choice(V.COUNTRIES))[0], "POSTCODE")]
    if key == "PC_UK":
        return [(V.make_postcode(r, "UK")[0], "POSTCODE")]
    if key == "ZIP":
        return [(V.make_postcode(r, "US")[0], "POSTCODE")]
    if key == "PC_EU":
        return [(V.make_postcode(r, r.choice(["DE", "FR", "NL", "PL", "IE", "ES", "IT", "BE", "AT", "CH"]))[0], "POSTCODE")]
    if key == "DOB":
        return [(V.make_dob(r), "DATE_OF_BIRTH")]
    if key == "ADDRESS":
        return [(V.make_street(r, r.choice(V.COUNTRIES)), "ADDRESS")]
    if key == "ADDR_UK":
        return [(V.make_street(r, "UK"), "ADDRESS")]
    if key == "ADDR_US":
        return [(V.make_street(r, "US"), "ADDRESS")]
    if key == "ADDR_CITY":
        return V.make_full_address(r, with_pc=False)
    if key == "FULLADDR":
        return V.make_full_address(r)
    if key == "FULLADDR_UK":
        return V.make_full_address(r, "UK")
    if key == "FULLADDR_US":
        return V.make_full_address(r, "US")
    if key == "FULLADDR_EU":
        return V.make_full_address(r, r.choice(["DE", "FR", "NL", "ES", "IT", "IE", "PL", "BE", "AT", "CH"]))
    if key == "ADDR_PC":
        return V.make_full_address(r, with_city=False)
    raise KeyError(key)


def template_types(t):
    keys = PH.findall(t)
    out = set()
    for k in keys:
        if k == "EMAIL": out.add("EMAIL")
        elif k.startswith("PHONE"): out.add("PHONE")
        elif k in ("CARD", "AMEX"): out.add("CARD")
        elif k.startswith("CVV"): out.add("CVV")
        elif k.startswith("IBAN"): out.add("IBAN")
        elif k in ("POSTCODE", "PC_UK", "ZIP", "PC_EU"): out.add("POSTCODE")
        elif k == "DOB": out.add("DATE_OF_BIRTH")
        elif k in ("ADDRESS", "ADDR_UK", "ADDR_US", "ADDR_CITY"): out.add("ADDRESS")
        elif k.startswith("FULLADDR") or k == "ADDR_PC": out |= {"ADDRESS", "POSTCODE"}
    return out


def typo_word(r, w):
    if len(w) < 4 or not w.isalpha():
        return w
    i = r.randint(1, len(w) - 2)
    k = r.random()
    if k < 0.35:
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if k < 0.65:
        return w[:i] + w[i + 1:]
    if k < 0.85:
        return w[:i] + w[i] + w[i:]
    return w[:i] + r.choice("aeiostn") + w[i + 1:]


def fill(r, template, opener=None, closer=None, style=None):
    segs = []
    ctx = {}
    pos = 0
    for m in PH.finditer(template):
        if m.start() > pos:
            segs.append((template[pos:m.start()], None))
        key = m.group(1)
        s = simple(r, key)
        if s is not None:
            segs.append((s, "_VAL"))  # non-PII value, not transformed by typos
        else:
            segs.extend(pii(r, key, ctx))
        pos = m.end()
    if pos < len(template):
        segs.append((template[pos:], None))
    if opener:
        segs.insert(0, (opener, None))
    if closer:
        segs.append((closer, None))
    # style transforms on free text only
    if style is None:
        x = r.random()
        style = ("normal" if x < 0.42 else "lower" if x < 0.64 else "typo" if x < 0.82 else
                 "nopunct" if x < 0.93 else "lowtypo" if x < 0.97 else "shout")
    out = []
    typos_left = r.randint(1, 3)
    for text, typ in segs:
        if typ is None:
            if style in ("lower", "lowtypo", "nopunct"):
                text = text.lower()
            if style == "shout":
                text = text.upper()
            if style == "nopunct":
                text = re.sub(r"[.,!?;]+(?=\s|$)", "", text)
                text = text.replace("'", "")
            if style in ("typo", "lowtypo") and typos_left > 0:
                words = re.split(r"(\W+)", text)
                for i, w in enumerate(words):
                    if typos_left > 0 and len(w) >= 5 and w.isalpha() and r.random() < 0.25:
                        words[i] = typo_word(r, w)
                        typos_left -= 1
                text = "".join(words)
        elif typ == "_VAL":
            if style in ("lower", "lowtypo", "nopunct") and r.random() < 0.5:
                text = text.lower()
        else:
            if style in ("lower", "lowtypo", "nopunct"):
                if typ in ("EMAIL",) or (typ in ("ADDRESS", "POSTCODE") and r.random() < 0.6) or \
                        (typ == "IBAN" and r.random() < 0.3) or (typ == "DATE_OF_BIRTH" and r.random() < 0.5):
                    text = text.lower()
        out.append((text, typ))
    # build text + spans
    text = ""
    spans = []
    for t, typ in out:
        if typ and typ != "_VAL":
            spans.append({"start": len(text), "end": len(text) + len(t), "type": typ})
        text += t
    # collapse accidental double spaces at edges (only leading/trailing whitespace)
    lead = len(text) - len(text.lstrip())
    text2 = text.strip()
    for s in spans:
        s["start"] -= lead
        s["end"] -= lead
    return {"text": text2, "spans": spans}


def build_set(seed, templates, openers, closers, n_target, min_per_type, types_all):
    r = random.Random(seed)
    rows, seen = [], set()
    counts = {t: 0 for t in types_all}

    def one(t):
        for _ in range(50):
            op = r.choice(openers) if r.random() < 0.3 else None
            cl = r.choice(closers) if r.random() < 0.25 else None
            row = fill(r, t, op, cl)
            if row["text"] not in seen:
                seen.add(row["text"])
                rows.append(row)
                for ty in {s["type"] for s in row["spans"]}:
                    counts[ty] += 1
                return True
        return False

    order = []
    while len(order) < n_target:
        tl = templates[:]
        r.shuffle(tl)
        order += tl
    for t in order[:n_target]:
        one(t)
    # top up under-represented types
    for ty in types_all:
        cands = [t for t in templates if ty in template_types(t)]
        while counts[ty] < min_per_type:
            one(r.choice(cands))
    r.shuffle(rows)
    return rows, counts
