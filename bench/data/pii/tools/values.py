"""Random value generators for PII test data (synthetic; no real people)."""
import random
import string

# ---------------------------------------------------------------- checksums
def luhn_ok(num: str) -> bool:
    digits = [int(c) for c in num]
    s = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return s % 10 == 0


def luhn_complete(partial: str) -> str:
    for c in "0123456789":
        if luhn_ok(partial + c):
            return partial + c
    raise ValueError


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    if len(s) < 15 or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    if IBAN_LEN.get(s[:2]) != len(s):
        return False
    r = s[4:] + s[:4]
    n = "".join(str(int(c, 36)) for c in r)
    return int(n) % 97 == 1


IBAN_LEN = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "BE": 16,
            "IE": 22, "AT": 20, "CH": 21, "PL": 28, "PT": 25, "LU": 20, "DK": 18}


def _n(r, k):
    return "".join(r.choice(string.digits) for _ in range(k))


def _a(r, k):
    return "".join(r.choice(string.ascii_uppercase) for _ in range(k))


def _c(r, k):
    return "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(k))


def make_iban(r, country=None):
    country = country or r.choice(["DE", "GB", "FR", "NL", "ES", "IT", "BE", "IE", "AT",
                                   "CH", "PL", "DE", "GB", "FR", "NL", "PT", "LU"])
    banks_gb = ["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA", "SRLG"]
    banks_nl = ["ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB"]
    banks_ie = ["AIBK", "BOFI", "IPBS", "ULSB"]
    if country == "DE":
        bban = _n(r, 18)
    elif country == "GB":
        bban = r.choice(banks_gb) + _n(r, 14)
    elif country == "FR":
        bban = _n(r, 10) + _c(r, 11) + _n(r, 2) if r.random() < 0.3 else _n(r, 23)
    elif country == "NL":
        bban = r.choice(banks_nl) + _n(r, 10)
    elif country == "ES":
        bban = _n(r, 20)
    elif country == "IT":
        bban = _a(r, 1) + _n(r, 10) + _n(r, 12)
    elif country == "BE":
        b = _n(r, 10)
        k = int(b) % 97 or 97
        bban = b + "%02d" % k
    elif country == "IE":
        bban = r.choice(banks_ie) + _n(r, 14)
    elif country == "AT":
        bban = _n(r, 16)
    elif country == "CH":
        bban = _n(r, 17)
    elif country == "PL":
        bban = _n(r, 24)
    elif country == "PT":
        bban = _n(r, 21)
    elif country == "LU":
        bban = _n(r, 3) + _n(r, 13)
    elif country == "DK":
        bban = _n(r, 14)
    r_ = bban + country + "00"
    n = "".join(str(int(c, 36)) for c in r_)
    check = 98 - int(n) % 97
    iban = country + "%02d" % check + bban
    assert iban_ok(iban), iban
    return iban


def fmt_iban(r, iban):
    style = r.random()
    if style < 0.55:
        out = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    else:
        out = iban
    if r.random() < 0.15:
        out = out.lower()
    return out


def make_card(r, brand=None):
    brand = brand or r.choice(["visa", "visa", "visa", "mc", "mc", "mc2", "amex", "discover",
                               "maestro"])
    if brand == "visa":
        p, L = "4" + _n(r, 5), 16
    elif brand == "mc":
        p, L = "5" + r.choice("12345") + _n(r, 4), 16
    elif brand == "mc2":
        p, L = str(r.randint(2221, 2720)) + _n(r, 2), 16
    elif brand == "amex":
        p, L = r.choice(["34", "37"]) + _n(r, 4), 15
    elif brand == "discover":
        p, L = r.choice(["6011", "65" + _n(r, 2), "644" + _n(r, 1)]) + _n(r, 2), 16
    elif brand == "maestro":
        p, L = r.choice(["6759", "6761", "5018", "5020"]) + _n(r, 2), r.choice([16, 19])
    partial = p + _n(r, L - len(p) - 1)
    num = luhn_complete(partial)
    return num, brand


def fmt_card(r, num):
    s = r.random()
    if len(num) == 15:  # amex 4-6-5
        g = [num[:4], num[4:10], num[10:]]
        if s < 0.5:
            return " ".join(g)
        if s < 0.7:
            return "-".join(g)
        return num
    if len(num) == 19:
        if s < 0.5:
            return " ".join(num[i:i + 4] for i in range(0, 19, 4))
        return num
    g = [num[i:i + 4] for i in range(0, 16, 4)]
    if s < 0.45:
        return " ".join(g)
    if s < 0.65:
        return "-".join(g)
    if s < 0.72:
        return "  ".join(g) if r.random() < 0.3 else " ".join(g)
    return num


def make_cvv(r, four=None):
    if four is None:
        four = r.random() < 0.2
    return _n(r, 4 if four else 3)


# ---------------------------------------------------------------- phones
def make_phone(r, country=None):
    country = country or r.choice(["UK", "UK", "US", "US", "DE", "FR", "NL", "ES", "IT", "IE",
                                   "BE", "AT", "CH", "PL"])
    d = lambda k: _n(r, k)
    if country == "UK":
        mob = "7" + r.choice(["700", "911", "480", "523", "368", "845", "412", "956"]) + d(6)
        lon = "20" + r.choice("378") + d(7)
        man = "161" + d(7)
        num = r.choice([mob, mob, lon, man])
        if num.startswith("7"):
            a, b = num[:4], num[4:]
            forms = ["0%s %s" % (a, b), "+44 %s %s" % (a, b), "+44%s" % num, "0%s%s" % (a, b),
                     "0044 %s %s" % (a, b), "0%s-%s-%s" % (a, b[:3], b[3:]),
                     "+44 (0)%s %s" % (a, b), "0%s %s %s" % (a, b[:3], b[3:])]
        elif num.startswith("20"):
            a, b, c = num[:2], num[2:6], num[6:]
            forms = ["0%s %s %s" % (a, b, c), "(0%s) %s %s" % (a, b, c), "+44 %s %s %s" % (a, b, c),
                     "+44 (0)%s %s %s" % (a, b, c), "0%s%s%s" % (a, b, c), "0044 %s %s%s" % (a, b, c)]
        else:
            a, b, c = num[:3], num[3:6], num[6:]
            forms = ["0%s %s %s" % (a, b, c), "(0%s) %s %s" % (a, b, c), "+44 %s %s %s" % (a, b, c),
                     "0%s-%s-%s" % (a, b, c)]
        return r.choice(forms)
    if country == "US":
        a = r.choice(["212", "415", "310", "312", "617", "206", "512", "303", "404", "305", "646",
                      "718", "503", "702", "917", "213"])
        b = str(r.randint(200, 999))
        c = d(4)
        forms = ["(%s) %s-%s" % (a, b, c), "%s-%s-%s" % (a, b, c), "%s.%s.%s" % (a, b, c),
                 "+1 %s %s %s" % (a, b, c), "+1 (%s) %s-%s" % (a, b, c), "1-%s-%s-%s" % (a, b, c),
                 "%s%s%s" % (a, b, c), "+1-%s-%s-%s" % (a, b, c), "%s %s %s" % (a, b, c)]
        return r.choice(forms)
    if country == "DE":
        if r.random() < 0.5:
            a = r.choice(["151", "160", "170", "171", "176", "152", "157"])
            b = d(8)
            forms = ["0%s %s" % (a, b), "+49 %s %s" % (a, b), "0049 %s %s" % (a, b),
                     "+49 (0)%s %s %s" % (a, b[:4], b[4:]), "0%s/%s" % (a, b), "0%s-%s" % (a, b)]
        else:
            a = r.choice(["30", "89", "40", "221", "69", "711"])
            b = d(10 - len(a))
            forms = ["0%s %s" % (a, b), "+49 %s %s" % (a, b), "(0%s) %s" % (a, b),
                     "0%s/%s" % (a, b), "+49 (0)%s %s" % (a, b), "0049 %s %s" % (a, b)]
        return r.choice(forms)
    if country == "FR":
        first = r.choice(["6", "7", "1", "4", "5", "9"])
        g = [first] + [d(2) for _ in range(4)]
        forms = ["0%s %s %s %s %s" % tuple(g), "+33 %s %s %s %s %s" % tuple(g),
                 "0%s.%s.%s.%s.%s" % tuple(g), "0033 %s %s %s %s %s" % tuple(g),
                 "0%s%s%s%s%s" % tuple(g), "+33%s%s%s%s%s" % tuple(g),
                 "+33 (0)%s %s %s %s %s" % tuple(g), "0%s-%s-%s-%s-%s" % tuple(g)]
        return r.choice(forms)
    if country == "NL":
        if r.random() < 0.55:
            b = d(8)
            forms = ["06 %s" % b, "06-%s" % b, "+31 6 %s" % b, "+31 (0)6 %s" % b,
                     "0031 6 %s %s" % (b[:4], b[4:]), "06%s" % b, "+316%s" % b]
        else:
            a = r.choice(["20", "10", "30", "70", "40"])
            b = d(7)
            forms = ["0%s-%s" % (a, b), "0%s %s %s" % (a, b[:3], b[3:]), "+31 %s %s %s" % (a, b[:3], b[3:]),
                     "+31 (0)%s %s" % (a, b)]
        return r.choice(forms)
    if country == "ES":
        first = r.choice(["6", "7", "9"])
        b = first + d(8)
        forms = ["+34 %s %s %s" % (b[:3], b[3:6], b[6:]), "%s %s %s" % (b[:3], b[3:6], b[6:]),
                 "%s %s %s %s" % (b[:3], b[3:5], b[5:7], b[7:]), "0034 %s %s %s" % (b[:3], b[3:6], b[6:]),
                 "+34%s" % b, "+34 %s" % b]
        return r.choice(forms)
    if country == "IT":
        if r.random() < 0.6:
            b = "3" + r.choice(["33", "47", "38", "39", "40", "28", "66"]) + d(7)
            forms = ["+39 %s %s %s" % (b[:3], b[3:6], b[6:]), "%s %s" % (b[:3], b[3:]),
                     "+39 %s %s" % (b[:3], b[3:]), "0039 %s %s" % (b[:3], b[3:]), "%s-%s" % (b[:3], b[3:]),
                     "+39%s" % b]
        else:
            a = r.choice(["06", "02", "011", "055", "081"])
            b = d(10 - len(a))
            forms = ["+39 %s %s %s" % (a, b[:4], b[4:]), "%s %s" % (a, b), "%s/%s" % (a, b),
                     "0039 %s %s" % (a, b)]
        return r.choice(forms)
    if country == "IE":
        if r.random() < 0.6:
            a = r.choice(["83", "85", "86", "87", "89"])
            b = d(7)
            forms = ["0%s %s %s" % (a, b[:3], b[3:]), "+353 %s %s %s" % (a, b[:3], b[3:]),
                     "00353 %s %s" % (a, b), "0%s-%s" % (a, b), "0%s%s" % (a, b), "+353 (0)%s %s %s" % (a, b[:3], b[3:])]
        else:
            b = d(7)
            forms = ["(01) %s %s" % (b[:3], b[3:]), "01 %s %s" % (b[:3], b[3:]), "+353 1 %s %s" % (b[:3], b[3:]),
                     "00353 1 %s" % b]
        return r.choice(forms)
    if country == "BE":
        b = "4" + r.choice(["70", "75", "77", "86", "96"]) + d(6)
        forms = ["0%s %s %s %s" % (b[:3], b[3:5], b[5:7], b[7:]), "+32 %s %s %s %s" % (b[:3], b[3:5], b[5:7], b[7:]),
                 "0032 %s %s" % (b[:3], b[3:]), "0%s/%s.%s.%s" % (b[:3], b[3:5], b[5:7], b[7:])]
        return r.choice(forms)
    if country == "AT":
        b = r.choice(["664", "660", "676", "699", "650"]) + d(7)
        forms = ["+43 %s %s" % (b[:3], b[3:]), "0%s %s" % (b[:3], b[3:]), "0043 %s %s" % (b[:3], b[3:]),
                 "0%s/%s" % (b[:3], b[3:])]
        return r.choice(forms)
    if country == "CH":
        b = r.choice(["76", "77", "78", "79", "44", "22"]) + d(7)
        forms = ["+41 %s %s %s %s" % (b[:2], b[2:5], b[5:7], b[7:]), "0%s %s %s %s" % (b[:2], b[2:5], b[5:7], b[7:]),
                 "0041 %s %s %s %s" % (b[:2], b[2:5], b[5:7], b[7:])]
        return r.choice(forms)
    if country == "PL":
        b = r.choice(["5", "6", "7", "8"]) + d(8)
        forms = ["+48 %s %s %s" % (b[:3], b[3:6], b[6:]), "%s %s %s" % (b[:3], b[3:6], b[6:]),
                 "%s-%s-%s" % (b[:3], b[3:6], b[6:]), "0048 %s %s %s" % (b[:3], b[3:6], b[6:]), "+48%s" % b]
        return r.choice(forms)
    raise ValueError(country)


# ---------------------------------------------------------------- email
FIRST = ["james", "olivia", "liam", "emma", "noah", "amelia", "oliver", "sophie", "jack", "chloe",
         "harry", "grace", "lukas", "lena", "finn", "mia", "jonas", "hannah", "lucas", "camille",
         "hugo", "chloé", "sem", "julia", "daan", "lotte", "pablo", "lucia", "marco", "giulia",
         "sean", "aoife", "ciaran", "niamh", "kasia", "piotr", "priya", "arjun", "fatima", "omar",
         "wei", "mei", "tom", "kate", "dave", "sarah", "mike", "laura", "steve", "rachel", "ben",
         "zoe", "matteo", "sofia", "elif", "mehmet", "ana", "joao", "ines", "ruth", "gary", "denise"]
LAST = ["smith", "jones", "taylor", "brown", "williams", "wilson", "murphy", "kelly", "obrien",
        "muller", "schmidt", "schneider", "fischer", "weber", "dubois", "martin", "bernard",
        "devries", "jansen", "bakker", "garcia", "martinez", "lopez", "rossi", "russo", "ferrari",
        "kowalski", "nowak", "wisniewska", "patel", "khan", "singh", "chen", "wang", "nguyen",
        "okafor", "mensah", "anderson", "thompson", "walker", "hughes", "evans", "byrne", "walsh",
        "novak", "horvat", "silva", "santos", "costa", "brennan", "fitzgerald", "campbell"]
DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.co.uk", "yahoo.com", "outlook.com",
           "hotmail.com", "hotmail.co.uk", "hotmail.fr", "icloud.com", "me.com", "web.de", "gmx.de",
           "gmx.net", "t-online.de", "orange.fr", "free.fr", "laposte.net", "ziggo.nl", "kpnmail.nl",
           "libero.it", "tiscali.it", "telefonica.net", "eircom.net", "btinternet.com", "sky.com",
           "live.ie", "wp.pl", "o2.pl", "protonmail.com", "proton.me", "aol.com", "comcast.net",
           "verizon.net", "fastmail.fm", "mail.ru", "posteo.de", "virginmedia.com", "uni-koeln.de",
           "student.uva.nl", "acme-logistics.co.uk", "brightwave.io", "dept.ox.ac.uk", "ntlworld.com"]


def make_email(r):
    f = r.choice(FIRST).replace("é", "e")
    l = r.choice(LAST)
    n = str(r.randint(1, 99)) if r.random() < 0.4 else ""
    y = str(r.randint(1960, 2005)) if r.random() < 0.15 else ""
    forms = [f + "." + l, f + l, f[0] + l, f + "_" + l, l + "." + f, f + "." + l + n, f + l + n,
             f + y, f[0] + "." + l + n, f + "-" + l, f + "+shop", f + "." + l + "+orders",
             l + f[0] + n, f + n, "the." + f + "." + l]
    local = r.choice(forms)
    if r.random() < 0.12:
        local = local.capitalize()
    dom = r.choice(DOMAINS)
    e = local + "@" + dom
    if r.random() < 0.04:
        e = e.upper()
    return e


# ---------------------------------------------------------------- DOB
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def _suffix(d):
    if 11 <= d <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


def make_dob(r, style=None):
    y = r.randint(1941, 2007)
    m = r.randint(1, 12)
    d = r.randint(1, 28 if m == 2 else (30 if m in (4, 6, 9, 11) else 31))
    M = MONTHS[m - 1]
    forms = [
        "%02d/%02d/%d" % (d, m, y), "%d/%d/%d" % (d, m, y), "%02d/%02d/%d" % (m, d, y),
        "%d-%02d-%02d" % (y, m, d), "%02d.%02d.%d" % (d, m, y), "%d %s %d" % (d, M, y),
        "%s %d, %d" % (M, d, y), "%d%s %s %d" % (d, _suffix(d), M, y),
        "%d%s of %s %d" % (d, _suffix(d), M, y), "%d %s %d" % (d, M[:3], y),
        "%02d-%02d-%d" % (d, m, y), "%02d/%02d/%02d" % (d, m, y % 100), "%s %d%s %d" % (M, d, _suffix(d), y),
        "%d %s %d" % (d, M.lower(), y), "%d.%d.%d" % (d, m, y), "%s %d %d" % (M[:3], d, y),
    ]
    if style is not None:
        return forms[style % len(forms)]
    return r.choice(forms)


# ---------------------------------------------------------------- addresses
def uk_pc(r, area):
    bad = set("CIKMOV")
    letters = [c for c in string.ascii_uppercase if c not in bad]
    if area in ("SW", "EC", "W", "WC", "E", "N", "SE", "NW"):
        dist = str(r.randint(1, 20))
        if dist == "1" and area in ("SW", "EC", "W", "WC", "E", "N") and r.random() < 0.5:
            dist = "1" + r.choice("ABCDEHJKLMNPRSTUVWXY")
    else:
        dist = str(r.randint(1, 30))
    inward = str(r.randint(0, 9)) + r.choice(letters) + r.choice(letters)
    sep = " " if r.random() < 0.8 else ""
    return area + dist + sep + inward


def eircode(r, key):
    al = "0123456789ACDEFHKNPRTVWXY"
    return key + " " + "".join(r.choice(al) for _ in range(4)) if r.random() < 0.85 else \
        key + "".join(r.choice(al) for _ in range(4))


UK_STREETS = ["Baker Street", "Queen's Road", "Church Lane", "High Street", "Victoria Road",
              "Mill Lane", "Station Road", "Kingsway", "Elm Grove", "Park Avenue", "Albert Terrace",
              "Castle Close", "Oakfield Drive", "St John's Rd", "Hillside Crescent", "Windsor Gardens",
              "Marlborough Place", "Green Lane", "Manor Road", "Chapel St", "Beech Avenue",
              "Cromwell Road", "The Crescent", "Priory Walk", "Meadow View", "Abbey Road",
              "Lordship Lane", "Coldharbour Lane", "Holloway Rd", "Ladbroke Grove", "Fore Street",
              "Wellington Street", "Canal Side", "Brunswick Square", "Ferndale Road", "Rosebery Ave"]
UK_CITIES = [("London", ["SW", "SE", "N", "NW", "E", "EC", "W", "WC"]), ("Manchester", ["M"]),
             ("Leeds", ["LS"]), ("Bristol", ["BS"]), ("Glasgow", ["G"]), ("Cardiff", ["CF"]),
             ("Sheffield", ["S"]), ("Brighton", ["BN"]), ("Edinburgh", ["EH"]), ("Norwich", ["NR"]),
             ("York", ["YO"]), ("Oxford", ["OX"]), ("Cambridge", ["CB"]), ("Liverpool", ["L"]),
             ("Reading", ["RG"]), ("Nottingham", ["NG"]), ("Belfast", ["BT"]), ("Bath", ["BA"]),
             ("Croydon", ["CR"]), ("Leicester", ["LE"]), ("Exeter", ["EX"])]
US_STREETS = ["Pennsylvania Ave NW", "5th Avenue", "Elm St", "Maple Drive", "Oak Street", "Sunset Blvd",
              "Main St", "Lakeview Dr", "W 42nd St", "Cedar Lane", "Mission St", "N Clark St",
              "Peachtree Rd NE", "Broadway", "Washington Ave", "Hillcrest Road", "Pine Street",
              "E 7th St", "Market Street", "Riverside Dr", "Magnolia Ct", "Ocean Ave", "Franklin Blvd",
              "SE Hawthorne Blvd", "Willow Way", "Grand Ave", "Lincoln Rd", "Bedford Ave"]
US_CITIES = [("New York", "NY", "100"), ("Brooklyn", "NY", "112"), ("Los Angeles", "CA", "900"),
             ("San Francisco", "CA", "941"), ("Chicago", "IL", "606"), ("Seattle", "WA", "981"),
             ("Austin", "TX", "787"), ("Boston", "MA", "021"), ("Denver", "CO", "802"),
             ("Atlanta", "GA", "303"), ("Miami", "FL", "331"), ("Portland", "OR", "972"),
             ("Washington", "DC", "200"), ("Las Vegas", "NV", "891"), ("Philadelphia", "PA", "191")]
DE_STREETS = ["Hauptstraße", "Berliner Str.", "Lindenallee", "Goethestraße", "Schillerweg", "Am Markt",
              "Bahnhofstraße", "Friedrichstraße", "Kastanienallee", "Münchner Straße", "Schloßplatz",
              "Gartenstr.", "Rosenweg", "Karl-Marx-Allee", "Kölner Str.", "Sonnenallee", "Im Winkel",
              "Leopoldstraße", "Mühlenweg", "Eichendorffstraße"]
DE_CITIES = [("Berlin", (10115, 14199)), ("München", (80331, 81929)), ("Hamburg", (20095, 22769)),
             ("Köln", (50667, 51149)), ("Frankfurt am Main", (60306, 60599)), ("Stuttgart", (70173, 70629)),
             ("Leipzig", (4103, 4357)), ("Düsseldorf", (40210, 40629)), ("Bremen", (28195, 28779)),
             ("Dresden", (1067, 1328))]
FR_STREETS = ["rue de Rivoli", "avenue Victor Hugo", "boulevard Haussmann", "rue du Faubourg Saint-Antoine",
              "place de la République", "rue des Lilas", "chemin des Vignes", "allée des Tilleuls",
              "rue Sainte-Catherine", "cours Mirabeau", "rue de la Paix", "avenue Jean Jaurès",
              "rue Oberkampf", "quai des Chartrons", "impasse des Roses", "rue Nationale"]
FR_CITIES = [("Paris", ["750%02d" % i for i in range(1, 21)]), ("Lyon", ["6900%d" % i for i in range(1, 10)]),
             ("Marseille", ["130%02d" % i for i in range(1, 17)]), ("Bordeaux", ["33000", "33100", "33200", "33800"]),
             ("Toulouse", ["31000", "31200", "31400", "31500"]), ("Nantes", ["44000", "44100", "44300"]),
             ("Lille", ["59000", "59800"]), ("Nice", ["06000", "06100", "06200", "06300"]),
             ("Aix-en-Provence", ["13090", "13100"]), ("Strasbourg", ["67000", "67100"])]
NL_STREETS = ["Prinsengracht", "Keizersgracht", "Damrak", "Oudegracht", "Kerkstraat", "Dorpsstraat",
              "Lange Voorhout", "Coolsingel", "Stationsweg", "Herengracht", "Molenstraat",
              "Van Baerlestraat", "Witte de Withstraat", "Nieuwe Binnenweg", "Julianalaan"]
NL_CITIES = [("Amsterdam", (1011, 1109)), ("Utrecht", (3511, 3585)), ("Rotterdam", (3011, 3089)),
             ("Den Haag", (2511, 2597)), ("Eindhoven", (5611, 5658)), ("Groningen", (9711, 9747)),
             ("Haarlem", (2011, 2037)), ("Leiden", (2311, 2334))]
ES_STREETS = ["Calle Mayor", "Calle de Alcalá", "Avenida de la Constitución", "Paseo de Gracia",
              "Carrer de Mallorca", "Gran Vía", "Calle Serrano", "Calle del Carmen", "Avenida Diagonal",
              "Calle Larios", "Calle de Toledo"]
ES_CITIES = [("Madrid", (28001, 28055)), ("Barcelona", (8001, 8042)), ("Valencia", (46001, 46026)),
             ("Sevilla", (41001, 41020)), ("Bilbao", (48001, 48015)), ("Málaga", (29001, 29018))]
IT_STREETS = ["Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Piazza Navona", "Viale Monza",
              "Via dei Mille", "Via Nazionale", "Corso Buenos Aires", "Via Toledo", "Via del Corso",
              "Via Cavour", "Viale Europa"]
IT_CITIES = [("Roma", (118, 199)), ("Milano", (20121, 20162)), ("Torino", (10121, 10156)),
             ("Napoli", (80121, 80147)), ("Firenze", (50121, 50145)), ("Bologna", (40121, 40141))]
IE_STREETS = ["O'Connell Street Upper", "Grand Canal Street", "Main Street", "Church Road", "Strand Road",
              "Pembroke Road", "Patrick Street", "Shop Street", "Griffith Avenue", "Clontarf Road",
              "Ranelagh Road", "Quay Street", "Marine Parade", "Oliver Plunkett Street"]
IE_CITIES = [("Dublin", ["D01", "D02", "D04", "D06", "D6W", "D08", "D12", "D15", "D24"]),
             ("Cork", ["T12", "T23"]), ("Galway", ["H91"]), ("Limerick", ["V94"]),
             ("Athlone", ["N37"]), ("Wexford", ["Y35"]), ("Kilkenny", ["R95"])]
PL_STREETS = ["ul. Marszałkowska", "ul. Długa", "al. Jerozolimskie", "ul. Floriańska", "ul. Piotrkowska",
              "ul. Nowy Świat", "ul. Grunwaldzka", "ul. Szewska", "ul. Mickiewicza"]
PL_CITIES = [("Warszawa", (0, 4)), ("Kraków", (30, 31)), ("Gdańsk", (80, 80)), ("Łódź", (90, 94)),
             ("Wrocław", (50, 54)), ("Poznań", (60, 61))]
BE_STREETS = ["Rue Neuve", "Meir", "Avenue Louise", "Kerkstraat", "Chaussée de Wavre", "Veldstraat",
              "Rue du Marché aux Herbes"]
BE_CITIES = [("Bruxelles", ["1000", "1050", "1060", "1180"]), ("Antwerpen", ["2000", "2018", "2060"]),
             ("Gent", ["9000", "9050"]), ("Liège", ["4000", "4020"]), ("Leuven", ["3000", "3010"])]
AT_STREETS = ["Mariahilfer Straße", "Landstraßer Hauptstraße", "Kärntner Straße", "Herrengasse",
              "Getreidegasse", "Praterstraße", "Annenstraße"]
AT_CITIES = [("Wien", ["1010", "1020", "1030", "1040", "1050", "1060", "1070", "1090", "1150"]),
             ("Graz", ["8010", "8020"]), ("Salzburg", ["5020"]), ("Linz", ["4020", "4040"]),
             ("Innsbruck", ["6020"])]
CH_STREETS = ["Bahnhofstrasse", "Rue du Rhône", "Marktgasse", "Limmatquai", "Seefeldstrasse",
              "Avenue de la Gare", "Spalenberg"]
CH_CITIES = [("Zürich", ["8001", "8004", "8008"]), ("Genève", ["1201", "1204", "1205"]),
             ("Bern", ["3011", "3012"]), ("Basel", ["4051", "4056"]), ("Lausanne", ["1003", "1005"])]

COUNTRIES = ["UK", "UK", "UK", "UK", "US", "US", "US", "DE", "DE", "FR", "FR", "NL", "NL", "IE",
             "IE", "ES", "IT", "PL", "BE", "AT", "CH"]


def _housenum(r):
    n = r.randint(1, 240)
    x = r.random()
    if x < 0.12:
        return str(n) + r.choice("ABab")
    return str(n)


def make_postcode(r, country):
    """returns (postcode, city)"""
    if country == "UK":
        city, areas = r.choice(UK_CITIES)
        pc = uk_pc(r, r.choice(areas))
        if r.random() < 0.1:
            pc = pc.lower()
        return pc, city
    if country == "US":
        city, st, pre = r.choice(US_CITIES)
        z = pre + "%02d" % r.randint(1, 99)
        if r.random() < 0.25:
            z += "-" + _n(r, 4)
        return z, city + ", " + st
    if country == "DE":
        city, (a, b) = r.choice(DE_CITIES)
        return "%05d" % r.randint(a, b), city
    if country == "FR":
        city, pcs = r.choice(FR_CITIES)
        return r.choice(pcs), city
    if country == "NL":
        city, (a, b) = r.choice(NL_CITIES)
        let = r.choice(["AB", "CD", "EK", "GH", "JL", "MN", "PR", "TV", "XZ", "BW", "LE", "HR"])
        sep = " " if r.random() < 0.7 else ""
        pc = "%d%s%s" % (r.randint(a, b), sep, let)
        return pc, city
    if country == "ES":
        city, (a, b) = r.choice(ES_CITIES)
        return "%05d" % r.randint(a, b), city
    if country == "IT":
        city, (a, b) = r.choice(IT_CITIES)
        return "%05d" % r.randint(a, b), city
    if country == "IE":
        city, keys = r.choice(IE_CITIES)
        return eircode(r, r.choice(keys)), city
    if country == "PL":
        city, (a, b) = r.choice(PL_CITIES)
        return "%02d-%03d" % (r.randint(a, b), r.randint(1, 999)), city
    if country == "BE":
        city, pcs = r.choice(BE_CITIES)
        return r.choice(pcs), city
    if country == "AT":
        city, pcs = r.choice(AT_CITIES)
        return r.choice(pcs), city
    if country == "CH":
        city, pcs = r.choice(CH_CITIES)
        return r.choice(pcs), city
    raise ValueError(country)


def make_street(r, country):
    h = _housenum(r)
    if country == "UK":
        s = r.choice(UK_STREETS)
        x = r.random()
        if x < 0.18:
            return "Flat %d, %s %s" % (r.randint(1, 40), h, s)
        if x < 0.24:
            return "Flat %d%s %s %s" % (r.randint(1, 9), r.choice("ABC"), h, s)
        if x < 0.28:
            return "Apartment %d, %s %s" % (r.randint(1, 90), h, s)
        if x < 0.31:
            return "%s %s, Flat %d" % (h, s, r.randint(1, 30))
        return "%s %s" % (h, s)
    if country == "US":
        s = r.choice(US_STREETS)
        h = str(r.randint(1, 9899))
        x = r.random()
        if x < 0.15:
            return "Apt %d%s %s %s" % (r.randint(1, 30), r.choice(["", "A", "B", "C"]), h, s)
        if x < 0.3:
            return "%s %s, Apt %d%s" % (h, s, r.randint(1, 30), r.choice(["", "A", "B", "F"]))
        if x < 0.38:
            return "%s %s %s" % (h, s, r.choice(["#%d" % r.randint(1, 40), "Unit %d" % r.randint(1, 40),
                                                  "Suite %d" % r.randint(100, 900)]))
        return "%s %s" % (h, s)
    if country == "DE":
        s = r.choice(DE_STREETS)
        h = r.choice([str(r.randint(1, 150)), str(r.randint(1, 60)) + "a", "%d-%d" % (lambda a: (a, a + 2))(r.randint(1, 40)),
                      str(r.randint(1, 90))])
        return "%s %s" % (s, h)
    if country == "FR":
        s = r.choice(FR_STREETS)
        h = str(r.randint(1, 180))
        x = r.random()
        if x < 0.12:
            h += " bis"
        elif x < 0.25:
            h += ","
        st = "%s %s" % (h, s)
        if r.random() < 0.1:
            st = "Appt %d, %s" % (r.randint(1, 60), st)
        return st
    if country == "NL":
        s = r.choice(NL_STREETS)
        h = r.choice([str(r.randint(1, 400)), "%d-%d" % (r.randint(1, 300), r.randint(1, 4)),
                      "%d%s" % (r.randint(1, 200), r.choice("ABC")), "%d hs" % r.randint(1, 300),
                      "%d-II" % r.randint(1, 300)])
        return "%s %s" % (s, h)
    if country == "ES":
        s = r.choice(ES_STREETS)
        h = r.choice([str(r.randint(1, 200)), "%d, %dº %s" % (r.randint(1, 200), r.randint(1, 8), r.choice("ABCD")),
                      "%d, %dºA" % (r.randint(1, 99), r.randint(1, 6)), "%d, %d-%d" % (r.randint(1, 150), r.randint(1, 6), r.randint(1, 4))])
        return "%s %s" % (s, h)
    if country == "IT":
        s = r.choice(IT_STREETS)
        h = r.choice([str(r.randint(1, 200)), "%d/%s" % (r.randint(1, 99), r.choice("ABC")), str(r.randint(1, 60))])
        return "%s %s" % (s, h)
    if country == "IE":
        s = r.choice(IE_STREETS)
        h = str(r.randint(1, 140))
        x = r.random()
        if x < 0.15:
            return "Apartment %d, %s %s" % (r.randint(1, 80), h, s)
        if x < 0.25:
            return "Apt %d, %s %s" % (r.randint(1, 30), h, s)
        return "%s %s" % (h, s)
    if country == "PL":
        s = r.choice(PL_STREETS)
        h = r.choice([str(r.randint(1, 150)), "%d/%d" % (r.randint(1, 120), r.randint(1, 80)),
                      "%d m. %d" % (r.randint(1, 90), r.randint(1, 40))])
        return "%s %s" % (s, h)
    if country == "BE":
        s = r.choice(BE_STREETS)
        h = r.choice([str(r.randint(1, 250)), "%d bus %d" % (r.randint(1, 120), r.randint(1, 12))])
        return "%s %s" % (s, h)
    if country == "AT":
        s = r.choice(AT_STREETS)
        h = r.choice([str(r.randint(1, 120)), "%d/%d" % (r.randint(1, 90), r.randint(1, 20)),
                      "%d/%d/%d" % (r.randint(1, 90), r.randint(1, 5), r.randint(1, 20))])
        return "%s %s" % (s, h)
    if country == "CH":
        s = r.choice(CH_STREETS)
        return "%s %d" % (s, r.randint(1, 120))
    raise ValueError(country)


def make_full_address(r, country=None, with_city=True, with_pc=True):
    """returns list of segments [(text, type|None)]"""
    country = country or r.choice(COUNTRIES)
    st = make_street(r, country)
    pc, city = make_postcode(r, country)
    segs = [(st, "ADDRESS")]
    if not with_pc and with_city:
        segs.append((", " + city, None))
        return segs
    if not with_city and with_pc:
        segs.append((", ", None))
        segs.append((pc, "POSTCODE"))
        return segs
    if country == "UK":
        x = r.random()
        if x < 0.6:
            segs += [(", %s " % city, None), (pc, "POSTCODE")]
        elif x < 0.85:
            segs += [(", %s, " % city, None), (pc, "POSTCODE")]
        else:
            segs += [(" %s " % city, None), (pc, "POSTCODE")]
    elif country == "US":
        segs += [(", %s " % city, None), (pc, "POSTCODE")]
    elif country == "IE":
        segs += [(", %s, " % city if r.random() < 0.7 else ", %s " % city, None), (pc, "POSTCODE")]
    else:
        segs += [(", ", None), (pc, "POSTCODE"), (" " + city, None)]
    return segs
