import json, re, sys, collections
from gen import luhn_ok, iban_ok
err=0
def bad(msg):
    global err; err+=1; print('ERR',msg)
PUNCT=' \t\n.,;:!?()[]{}"\'-/'
IBANLEN={'DE':22,'GB':22,'FR':27,'NL':18,'ES':24,'IT':27,'BE':16,'IE':22,'AT':20,'CH':21,'PL':28,'PT':25,'LU':20,'SE':24,'DK':18,'FI':18}
def scan_unannotated(text,spans,tag):
    covered=set()
    for s in spans: covered.update(range(s['start'],s['end']))
    for m in re.finditer(r'[\w.+-]+@[\w-]+\.[\w.]+',text):
        if m.start() not in covered: bad(f'{tag} unannotated email {m.group()!r}')
    for m in re.finditer(r'(?<![\w])(?:\d[ -]?){12,18}\d(?!\w)',text):
        d=re.sub(r'\D','',m.group())
        if 13<=len(d)<=19 and luhn_ok(d) and m.start() not in covered: bad(f'{tag} unannotated luhn number {m.group()!r}')
    for m in re.finditer(r'\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?\b',text):
        try:
            if iban_ok(m.group()) and m.start() not in covered: bad(f'{tag} unannotated iban {m.group()!r}')
        except ValueError: pass
def check(path,clean):
    rows=[json.loads(l) for l in open(path,encoding='utf-8')]
    texts=collections.Counter(r['text'] for r in rows)
    for t,c in texts.items():
        if c>1: bad(f'duplicate text x{c}: {t[:60]!r}')
    per=collections.Counter(); items=collections.Counter()
    for i,r in enumerate(rows):
        t=r['text']; sp=r['spans']; tag=f'{path}:{i+1}'
        if clean and sp: bad(f'{tag} clean has spans')
        if not clean and not sp: bad(f'{tag} no spans')
        last=-1
        for s in sorted(sp,key=lambda s:s['start']):
            a,b,ty=s['start'],s['end'],s['type']
            if not (0<=a<b<=len(t)): bad(f'{tag} bad offsets'); continue
            if a<last: bad(f'{tag} overlap')
            last=b; v=t[a:b]
            if v[0] in PUNCT or v[-1] in PUNCT:
                if not (ty=='PHONE' and v[0] in '(' ):
                    bad(f'{tag} edge punct {ty} {v!r}')
            if a>0 and (t[a-1].isalnum()) : bad(f'{tag} span starts mid-token {ty} {v!r}')
            if b<len(t) and t[b].isalnum(): bad(f'{tag} span ends mid-token {ty} {v!r}')
            d=re.sub(r'\D','',v)
            if ty=='CARD':
                if not(13<=len(d)<=19 and luhn_ok(d)) or re.search(r'[^\d -]',v): bad(f'{tag} invalid card {v!r}')
            elif ty=='IBAN':
                c=v.replace(' ','').upper()
                if not re.fullmatch(r'[A-Z]{2}\d{2}[A-Z0-9]+',c) or IBANLEN.get(c[:2])!=len(c) or not iban_ok(c): bad(f'{tag} invalid iban {v!r}')
            elif ty=='CVV':
                if not re.fullmatch(r'\d{3,4}',v): bad(f'{tag} bad cvv {v!r}')
            elif ty=='EMAIL':
                if not re.fullmatch(r'[\w.+-]+@[\w-]+(\.[\w-]+)+',v): bad(f'{tag} bad email {v!r}')
            elif ty=='PHONE':
                if not (7<=len(d)<=15) or re.search(r'[^\d +()./-]',v): bad(f'{tag} bad phone {v!r}')
            elif ty=='POSTCODE':
                if len(v)>10 or not re.search(r'\d',v): bad(f'{tag} odd postcode {v!r}')
            elif ty=='DATE_OF_BIRTH':
                if not re.search(r'\d',v): bad(f'{tag} odd dob {v!r}')
            elif ty=='ADDRESS':
                if not re.search(r'\d',v): bad(f'{tag} address w/o number {v!r}')
            items[ty]+=1
        for ty in set(s['type'] for s in sp): per[ty]+=1
        scan_unannotated(t,sp,tag)
    print(path,'messages',len(rows))
    for ty in ['EMAIL','PHONE','CARD','IBAN','CVV','POSTCODE','DATE_OF_BIRTH','ADDRESS']:
        print(f'  {ty:14s} messages={per[ty]:4d} items={items[ty]:4d}' + ('' if clean or per[ty]>=50 else '  <-- below 50'))
    return texts
a=check('../holdout2.jsonl',False); b=check('../clean2.jsonl',True)
for t in set(a)&set(b): bad(f'text in both files {t[:50]!r}')
print('errors',err)
