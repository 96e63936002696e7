import random, string
random.seed(7)
def luhn_ok(s):
    d=[int(c) for c in s][::-1]; t=0
    for i,x in enumerate(d):
        if i%2: x*=2; x = x-9 if x>9 else x
        t+=x
    return t%10==0
def card(prefix,length):
    while True:
        s=prefix+''.join(random.choice(string.digits) for _ in range(length-len(prefix)-1))
        for c in string.digits:
            if luhn_ok(s+c): return s+c
def iban_ok(s):
    s=s.replace(' ','').upper(); r=s[4:]+s[:4]
    n=''.join(str(int(c,36)) for c in r); return int(n)%97==1
def iban(cc,bban):
    r=bban+cc+'00'; n=''.join(str(int(c,36)) for c in r.upper()); ck=98-int(n)%97
    return f"{cc}{ck:02d}{bban}"
D=lambda k:''.join(random.choice(string.digits) for _ in range(k))
L=lambda k:''.join(random.choice(string.ascii_uppercase) for _ in range(k))
if __name__=='__main__':
    import sys
    what=sys.argv[1]
    if what=='cards':
        for p,l in [('4',16)]*20+[('51',16),('53',16),('55',16),('2221',16),('2720',16),('52',16),('54',16)]*3+[('34',15),('37',15)]*5+[('6011',16),('65',16)]*4+[('35',16)]*3+[('4',13)]*2:
            c=card(p,l)
            if l==15: g=f"{c[:4]} {c[4:10]} {c[10:]}"
            else: g=' '.join(c[i:i+4] for i in range(0,len(c),4))
            print(c, '|', g)
    else:
        spec={'DE':lambda:D(18),'GB':lambda:random.choice(['NWBK','BARC','LOYD','HBUK','MIDL','RBOS'])+D(14),
              'FR':lambda:D(23),'NL':lambda:random.choice(['ABNA','INGB','RABO','SNSB','TRIO'])+D(10),
              'ES':lambda:D(20),'IT':lambda:L(1)+D(22),'BE':lambda:D(12),'IE':lambda:random.choice(['AIBK','BOFI'])+D(14),
              'AT':lambda:D(16),'CH':lambda:D(17),'PL':lambda:D(24),'PT':lambda:D(21),'LU':lambda:D(13),'SE':lambda:D(20),'DK':lambda:D(14),'FI':lambda:D(14)}
        for cc in ['DE']*10+['GB']*10+['FR']*5+['NL']*7+['ES']*6+['IT']*5+['BE']*4+['IE']*5+['AT']*4+['CH']*3+['PL']*4+['PT','LU','SE','DK','FI']:
            i=iban(cc,spec[cc]()); assert iban_ok(i)
            print(i,'|',' '.join(i[k:k+4] for k in range(0,len(i),4)))
