# Builds jsonl from hand-written messages with inline marks «T:value».
# Source: one message per line; literal \n in source = newline in message. Lines starting with '#' ignored.
import re, json, glob, sys
T={'E':'EMAIL','P':'PHONE','C':'CARD','I':'IBAN','V':'CVV','Z':'POSTCODE','D':'DATE_OF_BIRTH','A':'ADDRESS'}
M=re.compile(r'«([EPCIVZDA]):(.*?)»')
def parse(line):
    line=line.replace('\\n','\n')
    out='';spans=[];pos=0
    for m in M.finditer(line):
        out+=line[pos:m.start()]; s=len(out); out+=m.group(2)
        spans.append({'start':s,'end':len(out),'type':T[m.group(1)]}); pos=m.end()
    out+=line[pos:]
    if '«' in out or '»' in out: raise ValueError('stray mark: '+line)
    return {'text':out,'spans':spans}
def build(pattern,dest):
    rows=[]
    for f in sorted(glob.glob(pattern)):
        for ln in open(f,encoding='utf-8'):
            ln=ln.rstrip('\n')
            if not ln.strip() or ln.startswith('#'): continue
            rows.append(parse(ln))
    with open(dest,'w',encoding='utf-8') as o:
        for r in rows: o.write(json.dumps(r,ensure_ascii=False)+'\n')
    print(dest,len(rows))
build('src/pii_*.txt','../holdout2.jsonl')
build('src/clean_*.txt','../clean2.jsonl')
