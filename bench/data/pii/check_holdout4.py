import json, re, sys, collections
IBAN_LEN={'AD':24,'AT':20,'BE':16,'CH':21,'CZ':24,'DE':22,'DK':18,'EE':20,'ES':24,'FI':18,'FR':27,'GB':22,'GR':27,'HR':21,'HU':28,'IE':22,'IS':26,'IT':27,'LI':21,'LT':20,'LU':20,'LV':21,'MC':27,'MT':31,'NL':18,'NO':15,'PL':28,'PT':25,'RO':24,'SE':24,'SI':19,'SK':24}
TYPES=['EMAIL','PHONE','CARD','IBAN','CVV','POSTCODE','DATE_OF_BIRTH','ADDRESS']
def luhn(d):
    s=0
    for k,c in enumerate(reversed(d)):
        x=int(c)
        if k%2==1:
            x*=2
            if x>9:x-=9
        s+=x
    return s%10==0
def iban_ok(v):
    a=re.sub(r'[\s]','',v).upper()
    if not re.fullmatch(r'[A-Z]{2}\d{2}[A-Z0-9]+',a): return False
    if IBAN_LEN.get(a[:2])!=len(a): return False
    n=int(''.join(str(int(c,36)) for c in a[4:]+a[:4]))
    return n%97==1
errs=[]
def err(f,i,m): errs.append(f'{f}:{i+1}: {m}')
EMAIL_RE=re.compile(r'[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}')
def covered(spans,a,b): return any(s['start']<=a and b<=s['end'] for s in spans)
def scan_unannotated(f,i,text,spans):
    for m in EMAIL_RE.finditer(text):
        if not covered(spans,m.start(),m.end()): err(f,i,f'unannotated email {m.group()!r}')
    # digit runs allowing single space/dash separators
    for m in re.finditer(r'\d(?:[ -]?\d)*',text):
        seq=[(j,c) for j,c in enumerate(m.group()) if c.isdigit()]
        n=len(seq)
        for x in range(n):
            for y in range(x+13,min(n,x+19)+1):
                d=''.join(c for _,c in seq[x:y])
                a=m.start()+seq[x][0]; b=m.start()+seq[y-1][0]+1
                if luhn(d) and not covered(spans,a,b):
                    # only flag if run is isolated (not part of longer run boundaries)
                    if x==0 and y==n: err(f,i,f'unannotated Luhn-valid run {text[a:b]!r}')
    for m in re.finditer(r'\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){8,30}',text):
        g=m.group()
        for L in range(len(g),9,-1):
            if g[L-1]!=' ' and iban_ok(g[:L]) and not covered(spans,m.start(),m.start()+L):
                err(f,i,f'unannotated IBAN {g[:L]!r}');break
def check(f,expect_spans):
    counts=collections.Counter(); texts=set(); n=0
    for i,line in enumerate(open(f,encoding='utf-8')):
        try: o=json.loads(line)
        except Exception as e: err(f,i,f'bad json {e}'); continue
        n+=1
        t=o.get('text'); sp=o.get('spans')
        if not isinstance(t,str) or not isinstance(sp,list): err(f,i,'bad fields'); continue
        if t in texts: err(f,i,'duplicate text')
        texts.add(t)
        if not expect_spans and sp: err(f,i,'clean file has spans')
        if expect_spans and not sp: err(f,i,'no spans')
        prev=-1
        for s in sorted(sp,key=lambda s:s['start']):
            a,b,ty=s['start'],s['end'],s['type']
            if ty not in TYPES: err(f,i,f'bad type {ty}')
            if not (0<=a<b<=len(t)): err(f,i,f'bad offsets {s}'); continue
            if a<prev: err(f,i,'overlap')
            prev=b
            v=t[a:b]
            if v!=v.strip(): err(f,i,f'whitespace edge {v!r}')
            if not v[0].isalnum() and v[0] not in '+(': err(f,i,f'bad start {v!r}')
            if not v[-1].isalnum() and not (ty=='ADDRESS' and v[-1]=='.') and not (ty=='EMAIL' and v[-1]==']'): err(f,i,f'bad end {v!r}')
            if a>0 and t[a-1].isalnum(): err(f,i,f'span starts mid-token {v!r}')
            if b<len(t) and t[b].isalnum(): err(f,i,f'span ends mid-token {v!r}')
            counts[ty]+=1
            if ty=='CARD':
                d=re.sub(r'\D','',v)
                if not (13<=len(d)<=19 and luhn(d)) or re.search(r'[^\d -]',v): err(f,i,f'bad card {v!r}')
            if ty=='IBAN' and not iban_ok(v): err(f,i,f'bad iban {v!r}')
            if ty=='CVV' and not re.fullmatch(r'\d{3,4}',v): err(f,i,f'bad cvv {v!r}')
            if ty=='EMAIL' and not ('@' in v or re.search(r'at',v,re.I)): err(f,i,f'bad email {v!r}')
        scan_unannotated(f,i,t,sp)
    return n,counts,texts
n1,c1,t1=check('/work/blind/pii4/holdout4.jsonl',True)
n2,c2,t2=check('/work/blind/pii4/clean4.jsonl',False)
if t1&t2: errs.append('text shared between files')
if n1<400: errs.append(f'holdout has {n1} < 400 messages')
if n2<250: errs.append(f'clean has {n2} < 250 messages')
for ty in TYPES:
    if c1[ty]<50: errs.append(f'{ty} only {c1[ty]} spans')
print('holdout messages',n1,'clean messages',n2)
for ty in TYPES: print(f'  {ty:14s}{c1[ty]}')
print('  total spans',sum(c1.values()))
for e in errs: print('ERR',e)
print('PASS' if not errs else f'FAIL ({len(errs)} errors)')
sys.exit(1 if errs else 0)
