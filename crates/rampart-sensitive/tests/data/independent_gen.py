#!/usr/bin/env python3
"""Independent labelled API payloads for tests/independent.rs.

Written apart from gen_labelled.py / oracle_gen.py (which the detector authors wrote), with a
different seed and different habits: whole JSON documents as APIs send them (customer
profiles per country, KYC document lists with generic `value` fields, card lists, transfers,
orders, telemetry), field names in the styles real APIs use, values as real systems print them.

Oracles, never the Rust code:
* python-stdnum for cards (Luhn), IBAN, Aadhaar, PAN, CN RIC, KR RRN, JP My Number, AU TFN,
  MyKad, NIK, Thai PIN and US SSN;
* the issuers' published rules, written here, for SG NRIC/FIN, HKID, TW ID and AU Medicare
  (stdnum has none of them);
* phonenumbers (libphonenumber metadata) for phone numbers, positive and negative.
Generator output that fails its oracle (Faker's Aadhaar, Faker's KR RRN, …) is dropped.

Each document: {"doc": kind, "body": {...}, "labels": {pointer: "type|scenario"},
"negatives": {pointer: class}}. Pointers are concrete RFC 6901 pointers (array indexes kept).
Leaves in neither map are filler (statuses, currencies, booleans): negatives of class "filler".

    pip install faker python-stdnum phonenumbers
    python3 independent_gen.py > independent_records.json   # fixed seed: reproducible
"""
import json
import random
import string
import sys
import uuid
from datetime import date, datetime, timedelta, timezone

import phonenumbers
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from stdnum import iban as std_iban
from stdnum import luhn, verhoeff
from stdnum.au import tfn as std_tfn
from stdnum.cn import ric as std_ric
from stdnum.id import nik as std_nik
from stdnum.in_ import aadhaar as std_aadhaar
from stdnum.in_ import pan as std_pan
from stdnum.jp import in_ as std_mynumber
from stdnum.kr import rrn as std_rrn
from stdnum.my import nric as std_mykad
from stdnum.th import pin as std_pin
from stdnum.us import ssn as std_ssn

SEED = 7_310_2025
rng = random.Random(SEED)
Faker.seed(SEED)
FAKERS = {loc: Faker(loc) for loc in
          ['en_US', 'en_AU', 'en_IN', 'zh_CN', 'zh_TW', 'ja_JP', 'ko_KR', 'id_ID', 'th_TH', 'en_PH',
           'vi_VN', 'en_GB', 'de_DE', 'fr_FR', 'nl_NL']}
for i, f in enumerate(FAKERS.values()):
    f.seed_instance(SEED + i)
TODAY = date(2025, 6, 1)


def digits(n):
    return ''.join(rng.choice(string.digits) for _ in range(n))


# ---- issuer rules written here (stdnum lacks them) -------------------------------------------

def safe(check):
    """stdnum raises on some inputs instead of answering False (cn.ric on unknown counties)."""
    def run(v):
        try:
            return bool(check(v))
        except Exception:  # noqa: BLE001 - an oracle that crashes has not said "valid"
            return False
    return run


def nric_check(prefix, body):
    """ICA: Σ d×(2,7,6,5,4,3,2) (+4 for T/G, +3 for M) mod 11 indexes the series table."""
    total = sum(int(d) * w for d, w in zip(body, (2, 7, 6, 5, 4, 3, 2)))
    total += {'S': 0, 'F': 0, 'T': 4, 'G': 4, 'M': 3}[prefix]
    table = {'S': 'JZIHGFEDCBA', 'T': 'JZIHGFEDCBA', 'F': 'XWUTRQPNMLK', 'G': 'XWUTRQPNMLK',
             'M': 'XWUTRQPNJLK'}[prefix]
    return table[total % 11]


def nric_valid(v):
    v = v.upper()
    return (len(v) == 9 and v[0] in 'STFGM' and v[1:8].isdigit()
            and nric_check(v[0], v[1:8]) == v[8])


def hkid_check(letters, body):
    """HK Immigration Dept: letters A=10..Z=35 (single letter: a leading space = 36), weights
    9..2; check = 11 − sum mod 11 (10 → A, 11 → 0)."""
    vals = ([36] if len(letters) == 1 else []) + [ord(c) - 55 for c in letters]
    total = sum(v * w for v, w in zip(vals + [int(d) for d in body], range(9, 1, -1)))
    c = (11 - total % 11) % 11
    return 'A' if c == 10 else str(c)


def hkid_valid(v):
    v = v.upper().replace('(', '').replace(')', '')
    letters = ''.join(c for c in v[:2] if c.isalpha())
    body, check = v[len(letters):-1], v[-1]
    return len(letters) in (1, 2) and len(body) == 6 and body.isdigit() and hkid_check(letters, body) == check


TW_LETTERS = dict(zip('ABCDEFGHJKLMNPQRSTUVXYWZIO', range(10, 36)))


def tw_valid(v):
    """MOI: letter → 10..35 (A..H, J..N, P..V, X, Y, W, Z, I, O); weights 1,9,8..1,1; Σ ≡ 0 mod 10."""
    if len(v) != 10 or v[0] not in TW_LETTERS or not v[1:].isdigit() or v[1] not in '1289':
        return False
    code = TW_LETTERS[v[0]]
    total = code // 10 + (code % 10) * 9 + sum(int(d) * w for d, w in zip(v[1:9], range(8, 0, -1))) + int(v[9])
    return total % 10 == 0


def medicare_valid(v):
    """Services Australia: 8-digit id starting 2-6, check = Σ d×(1,3,7,9,1,3,7,9) mod 10, issue 1-9,
    optional IRN 1-9."""
    v = v.replace(' ', '')
    if not v.isdigit() or len(v) not in (10, 11) or v[0] not in '23456' or v[9] == '0':
        return False
    if len(v) == 11 and v[10] == '0':
        return False
    return sum(int(d) * w for d, w in zip(v[:8], (1, 3, 7, 9, 1, 3, 7, 9))) % 10 == int(v[8])


# ---- positive makers: each returns (value, scenario-format) ------------------------------------

def make_nric():
    prefix = rng.choice('SSSTTTFGM')
    body = digits(7)
    return prefix + body + nric_check(prefix, body)


def make_hkid():
    letters = rng.choice(string.ascii_uppercase) if rng.random() < 0.85 else rng.choice(['XA', 'WX', 'XD', 'XG'])
    body = digits(6)
    check = hkid_check(letters, body)
    return rng.choice([f'{letters}{body}({check})', f'{letters}{body}{check}', f'{letters}{body}({check})'])


def make_tw():
    for _ in range(1000):
        v = FAKERS['zh_TW'].ssn()
        if tw_valid(v):
            return v
    raise SystemExit('zh_TW ssn never valid')


def make_cn():
    for _ in range(1000):
        v = FAKERS['zh_CN'].ssn()
        if safe(std_ric.is_valid)(v):
            return v
    raise SystemExit('zh_CN ssn never valid')


def make_aadhaar():
    # Faker's en_IN aadhaar_id is not Verhoeff-valid: build it, let stdnum judge.
    while True:
        body = rng.choice('23456789') + digits(10)
        v = body + verhoeff.calc_check_digit(body)
        if safe(std_aadhaar.is_valid)(v):
            return v


def make_pan():
    while True:
        v = ''.join(rng.choice(string.ascii_uppercase) for _ in range(3)) + rng.choice('PPPPCHFT') + \
            rng.choice(string.ascii_uppercase) + digits(4) + rng.choice(string.ascii_uppercase)
        if safe(std_pan.is_valid)(v):
            return v


def make_mynumber():
    body = digits(11)
    return body + std_mynumber.calc_check_digit(body)


def make_rrn():
    for _ in range(1000):
        v = FAKERS['ko_KR'].ssn()
        if safe(std_rrn.is_valid)(v):
            return v.replace('-', '')
    # ko_KR's ssn is mostly checksum-invalid: build one (legacy format, region ≤ 96).
    while True:
        d = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
        s = rng.choice('12') if d.year < 2000 else rng.choice('34')
        body = d.strftime('%y%m%d') + s + '%02d' % rng.randrange(0, 97) + digits(3)
        v = body + std_rrn.calc_check_digit(body)
        if safe(std_rrn.is_valid)(v):
            return v


def make_tfn():
    while True:
        v = digits(9)
        if v[0] != '0' and safe(std_tfn.is_valid)(v):
            return v


def make_medicare():
    while True:
        v = rng.choice('23456') + digits(7)
        check = sum(int(d) * w for d, w in zip(v, (1, 3, 7, 9, 1, 3, 7, 9))) % 10
        v += str(check) + rng.choice('123456789') + (rng.choice('123456789') if rng.random() < 0.5 else '')
        if medicare_valid(v):
            return v


def make_mykad():
    while True:
        d = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        place = rng.choice(['01', '02', '05', '07', '08', '10', '14', '12', '13', '71', '83'])
        v = d.strftime('%y%m%d') + place + digits(4)
        if safe(std_mykad.is_valid)(v):
            return v


def make_nik():
    provinces = ['31', '32', '33', '35', '36', '51', '12', '73', '64']
    while True:
        d = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
        day = d.day + (40 if rng.random() < 0.5 else 0)
        v = rng.choice(provinces) + '%02d%02d' % (rng.randrange(1, 30), rng.randrange(1, 40)) + \
            '%02d%s' % (day, d.strftime('%m%y')) + '%04d' % rng.randrange(1, 3000)
        if safe(std_nik.is_valid)(v):
            return v


def make_th():
    body = rng.choice('12345678') + digits(11)
    return body + std_pin.calc_check_digit(body)


def make_ssn():
    while True:
        v = FAKERS['en_US'].ssn().replace('-', '')
        if safe(std_ssn.is_valid)(v):
            return v


CARD_TYPES = ['visa16', 'visa16', 'visa16', 'mastercard', 'mastercard', 'amex', 'jcb16', 'discover',
              'diners', 'visa13', 'visa19', 'jcb15', 'maestro']


def make_card():
    kind = rng.choice(CARD_TYPES)
    while True:
        v = FAKERS['en_US'].credit_card_number(kind)
        if luhn.is_valid(v):
            return v, kind


def make_iban():
    while True:
        loc = rng.choice(['en_GB', 'de_DE', 'fr_FR', 'nl_NL', 'en_GB', 'de_DE'])
        v = FAKERS[loc].iban()
        if safe(std_iban.is_valid)(v):
            return v


PHONE_REGIONS = ['SG', 'IN', 'CN', 'HK', 'AU', 'JP', 'KR', 'ID', 'MY', 'PH', 'TH', 'VN']


def make_phone(region, kind=PhoneNumberType.MOBILE):
    example = phonenumbers.example_number_for_type(region, kind)
    nsn = str(example.national_number)
    while True:
        keep = rng.randrange(1, 3)
        cand = nsn[:keep] + digits(len(nsn) - keep)
        try:
            p = phonenumbers.parse('+' + str(example.country_code) + cand)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(p) and phonenumbers.number_type(p) in (kind, PhoneNumberType.FIXED_LINE_OR_MOBILE):
            return p


def fmt_phone(p, style):
    if style == 'e164':
        return phonenumbers.format_number(p, PhoneNumberFormat.E164)
    if style == 'intl':
        return phonenumbers.format_number(p, PhoneNumberFormat.INTERNATIONAL)
    if style == 'national':
        return phonenumbers.format_number(p, PhoneNumberFormat.NATIONAL)
    # msisdn: country code + number, no plus (how telcos and SMS gateways print it)
    return phonenumbers.format_number(p, PhoneNumberFormat.E164)[1:]


# ---- formatting helpers -----------------------------------------------------------------------

def group(v, sizes, sep):
    out, at = [], 0
    for g in sizes:
        out.append(v[at:at + g])
        at += g
    if at < len(v):
        out.append(v[at:])
    return sep.join(out)


def card_format(v):
    r = rng.random()
    if r < 0.55:
        return v, 'bare'
    sep = rng.choice(' -')
    if len(v) == 15 and v[0] == '3' and v[1] in '47':
        return group(v, [4, 6, 5], sep), 'grouped'
    return group(v, [4] * (len(v) // 4), sep), 'grouped'


class Naming:
    """One naming style per document, as real APIs keep one."""

    def __init__(self):
        self.style = rng.choice(['camel', 'camel', 'camel', 'snake', 'snake', 'pascal', 'upper'])

    def __call__(self, words):
        words = words.split()
        if self.style == 'camel':
            return words[0] + ''.join(w[:1].upper() + w[1:] for w in words[1:])
        if self.style == 'snake':
            return '_'.join(words)
        if self.style == 'pascal':
            return ''.join(w[:1].upper() + w[1:] for w in words)
        return '_'.join(words).upper()


# ---- documents --------------------------------------------------------------------------------

class Doc:
    def __init__(self, kind):
        self.kind = kind
        self.n = Naming()
        self.labels = {}
        self.negatives = {}

    def pos(self, path, label, scenario):
        self.labels[path] = label + '|' + scenario

    def neg(self, path, cls):
        self.negatives[path] = cls

    def out(self, body):
        return {'doc': self.kind, 'body': body, 'labels': self.labels, 'negatives': self.negatives}



def esc(key):
    return key.replace('~', '~0').replace('/', '~1')


def iso_ts():
    t = datetime(2023, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(80_000_000))
    return rng.choice([t.strftime('%Y-%m-%dT%H:%M:%SZ'), t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z',
                       t.isoformat(), t.strftime('%Y-%m-%d %H:%M:%S')])


def epoch(ms):
    s = rng.randrange(1_600_000_000, 1_780_000_000)
    return s * 1000 + rng.randrange(1000) if ms else s


def dob_value():
    d = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    return d.strftime(rng.choice(['%Y-%m-%d', '%Y-%m-%d', '%d/%m/%Y', '%Y%m%d', '%d-%m-%Y']))


# country → (locale, [(id type label, maker, formats, field names)], phone region)
def id_formats(label, v):
    """How systems print each ID: (value, scenario)."""
    if label == 'in-aadhaar':
        return rng.choice([(v, 'bare'), (group(v, [4, 4, 4], ' '), 'grouped'), (group(v, [4, 4, 4], '-'), 'grouped-dash')])
    if label == 'kr-rrn':
        return rng.choice([(v[:6] + '-' + v[6:], 'grouped'), (v[:6] + '-' + v[6:], 'grouped'), (v, 'bare')])
    if label == 'my-mykad':
        return rng.choice([(group(v, [6, 2, 4], '-'), 'grouped'), (v, 'bare')])
    if label == 'th-national-id':
        return rng.choice([(group(v, [1, 4, 5, 2, 1], '-'), 'grouped'), (v, 'bare'), (group(v, [1, 4, 5, 2, 1], ' '), 'grouped-space')])
    if label == 'us-ssn':
        return rng.choice([(group(v, [3, 2, 4], '-'), 'grouped'), (v, 'bare')])
    if label == 'au-tfn':
        return rng.choice([(group(v, [3, 3, 3], ' '), 'grouped'), (v, 'bare')])
    if label == 'au-medicare':
        return rng.choice([(group(v, [4, 5, 1], ' '), 'grouped'), (v, 'bare')])
    if label == 'jp-my-number':
        return rng.choice([(group(v, [4, 4, 4], ' '), 'grouped'), (v, 'bare'), (group(v, [4, 4, 4], '-'), 'grouped-dash')])
    if label == 'sg-nric':
        return (v.lower(), 'lowercase') if rng.random() < 0.1 else (v, 'bare')
    if label == 'cn-resident-id':
        return (v.lower(), 'lowercase-x') if v.endswith('X') and rng.random() < 0.3 else (v, 'bare')
    return v, 'bare'


COUNTRIES = {
    'SG': ('en_US', [('sg-nric', make_nric, ['nric', 'nric fin', 'uinfin', 'id no', 'national id', 'document number'])], 'SG'),
    'IN': ('en_IN', [('in-aadhaar', make_aadhaar, ['aadhaar number', 'aadhaar no', 'aadhar', 'uid', 'id number']),
                     ('in-pan', make_pan, ['pan number', 'pan', 'pan no', 'tax id'])], 'IN'),
    'CN': ('zh_CN', [('cn-resident-id', make_cn, ['id card no', 'sfzh', 'cert no', 'id no', 'identity no', 'resident id'])], 'CN'),
    'HK': ('en_US', [('hk-hkid', make_hkid, ['hkid', 'hkid no', 'id no', 'document number', 'identity card number'])], 'HK'),
    'TW': ('zh_TW', [('tw-national-id', make_tw, ['id no', 'national id', 'tw id', 'uid'])], None),
    'AU': ('en_AU', [('au-tfn', make_tfn, ['tfn', 'tax file number', 'tax id']),
                     ('au-medicare', make_medicare, ['medicare number', 'medicare card no', 'medicare no'])], 'AU'),
    'JP': ('ja_JP', [('jp-my-number', make_mynumber, ['my number', 'individual number', 'kojin bango'])], 'JP'),
    'KR': ('ko_KR', [('kr-rrn', make_rrn, ['rrn', 'resident registration number', 'jumin no', 'id no'])], 'KR'),
    'MY': ('en_US', [('my-mykad', make_mykad, ['ic number', 'mykad', 'no kp', 'nric', 'id no'])], 'MY'),
    'ID': ('id_ID', [('id-nik', make_nik, ['nik', 'no ktp', 'nomor induk kependudukan', 'id number'])], 'ID'),
    'TH': ('th_TH', [('th-national-id', make_th, ['citizen id', 'thai id', 'id card number', 'national id'])], 'TH'),
    'US': ('en_US', [('us-ssn', make_ssn, ['ssn', 'social security number', 'tax id', 'tin'])], None),
}


def customer(country):
    loc, ids, region = COUNTRIES[country]
    f = FAKERS[loc]
    d = Doc('customer-' + country)
    n = d.n
    top = n(rng.choice(['customer', 'data', 'profile', 'applicant']))
    body = {}
    p = '/' + esc(top)
    c = {}
    if rng.random() < 0.4:
        c[n('customer id')] = rng.choice([str(uuid.UUID(int=rng.getrandbits(128))), 'CUST-' + digits(8), digits(10)])
        d.neg(p + '/' + esc(n('customer id')), 'customer-id')
    def sometimes():
        return rng.random() < 0.35

    name_key = n(rng.choice(['full name', 'legal name', 'customer name']))
    if sometimes():
        c[name_key] = FAKERS['en_US'].name() if loc in ('en_US', 'en_IN', 'en_AU') else f.name()
        d.pos(p + '/' + esc(name_key), 'person-name', 'named')
    dob_key = n(rng.choice(['date of birth', 'dob', 'birth date']))
    if sometimes():
        c[dob_key] = dob_value()
        d.pos(p + '/' + esc(dob_key), 'date-of-birth', 'named')
    email_key = n(rng.choice(['email', 'email address', 'contact email']))
    if sometimes():
        c[email_key] = f.email() if rng.random() < 0.7 else FAKERS['en_US'].free_email()
        d.pos(p + '/' + esc(email_key), 'email', 'named')
    if region and rng.random() < 0.6:
        ph = make_phone(region)
        style = rng.choice(['e164', 'intl', 'national', 'msisdn'])
        key = n(rng.choice(['mobile no', 'msisdn', 'phone number', 'mobile number', 'contact number']))
        c[key] = fmt_phone(ph, style)
        d.pos(p + '/' + esc(key), 'phone', 'named-' + style)
    for label, make, names in ids:
        v, fmt = id_formats(label, make())
        key = n(rng.choice(names))
        c[key] = v
        d.pos(p + '/' + esc(key), label, 'named-' + fmt)
    addr_key = n(rng.choice(['address', 'home address', 'residential address']))
    if sometimes():
        c[addr_key] = (f.address() if loc != 'en_US' else FAKERS['en_US'].address()).replace('\n', ', ')
        d.pos(p + '/' + esc(addr_key), 'address', 'named')
    if sometimes():
        c[n('created at')] = iso_ts()
        d.neg(p + '/' + esc(n('created at')), 'iso-timestamp')
    if sometimes():
        c[n('updated at')] = epoch(True)
        d.neg(p + '/' + esc(n('updated at')), 'epoch-ms-number')
        c[n('status')] = rng.choice(['ACTIVE', 'PENDING_KYC', 'SUSPENDED'])
    body[top] = c
    if sometimes():
        body[n('request id')] = str(uuid.UUID(int=rng.getrandbits(128)))
        d.neg('/' + esc(n('request id')), 'uuid')
    return d.out(body)


KYC_TYPES = {
    'sg-nric': ('NRIC', make_nric), 'hk-hkid': ('HKID', make_hkid), 'tw-national-id': ('TW_ID', make_tw),
    'cn-resident-id': ('CN_RIC', make_cn), 'in-aadhaar': ('AADHAAR', make_aadhaar), 'in-pan': ('PAN', make_pan),
    'kr-rrn': ('RRN', make_rrn), 'my-mykad': ('MYKAD', make_mykad), 'th-national-id': ('THAI_ID', make_th),
    'us-ssn': ('SSN', make_ssn), 'jp-my-number': ('MY_NUMBER', make_mynumber), 'au-tfn': ('TFN', make_tfn),
    'au-medicare': ('MEDICARE', make_medicare), 'id-nik': ('NIK', make_nik),
}


def kyc_documents():
    """A KYC payload listing documents with generic `value`/`number` fields: only the value (and
    its official format) can tell the type."""
    d = Doc('kyc-documents')
    n = d.n
    docs_key = n(rng.choice(['documents', 'identifiers', 'id documents']))
    value_key = n(rng.choice(['value', 'number', 'id', 'document number', 'data']))
    items = []
    for i in range(rng.randrange(1, 4)):
        label = rng.choice(list(KYC_TYPES))
        type_name, make = KYC_TYPES[label]
        v, fmt = id_formats(label, make())
        items.append({n('type'): type_name, value_key: v})
        d.pos(f'/{esc(docs_key)}/{i}/{esc(value_key)}', label, 'generic-' + fmt)
    if rng.random() < 0.5:
        ph = make_phone(rng.choice(PHONE_REGIONS))
        style = rng.choice(['e164', 'intl'])
        i = len(items)
        items.append({n('type'): 'MOBILE', value_key: fmt_phone(ph, style)})
        d.pos(f'/{esc(docs_key)}/{i}/{esc(value_key)}', 'phone', 'generic-' + style)
    if rng.random() < 0.4:
        i = len(items)
        items.append({n('type'): 'EMAIL', value_key: FAKERS['en_US'].email()})
        d.pos(f'/{esc(docs_key)}/{i}/{esc(value_key)}', 'email', 'generic')
    body = {n('applicant id'): digits(rng.choice([9, 12, 16])), docs_key: items,
            n('submitted at'): epoch(False)}
    d.neg('/' + esc(n('applicant id')), 'random-digits-id')
    d.neg('/' + esc(n('submitted at')), 'epoch-s-number')
    return d.out(body)


def cards():
    d = Doc('cards')
    n = d.n
    key = n(rng.choice(['card number', 'pan', 'card no', 'primary account number', 'number', 'value']))
    generic = key.lower() in ('number', 'value')
    items = []
    for i in range(rng.randrange(1, 4)):
        v, brand = make_card()
        shown, fmt = card_format(v)
        item = {key: shown, n('expiry'): '%02d/%02d' % (rng.randrange(1, 13), rng.randrange(25, 31))}
        base = f'/{esc(n("cards"))}/{i}/'
        d.pos(base + esc(key), 'card-number', ('generic-' if generic else 'named-') + fmt + '-' + brand)
        d.neg(base + esc(n('expiry')), 'card-expiry')
        if rng.random() < 0.3:
            item[n('card id')] = str(uuid.UUID(int=rng.getrandbits(128)))
            d.neg(base + esc(n('card id')), 'uuid')
        if rng.random() < 0.3:
            item[n('last4')] = v[-4:]
            item[n('bin')] = v[:6]
            d.neg(base + esc(n('last4')), 'card-last4')
            d.neg(base + esc(n('bin')), 'card-bin')
        items.append(item)
    body = {n('cards'): items, n('total'): len(items)}
    return d.out(body)


def transfer():
    d = Doc('transfer')
    n = d.n
    body = {}
    body[n('transfer id')] = 'TRF' + digits(12)
    d.neg('/' + esc(n('transfer id')), 'transfer-id')
    body[n('amount')] = rng.choice([round(rng.uniform(1, 1e6), 2), '%.2f' % rng.uniform(1, 1e7)])
    d.neg('/' + esc(n('amount')), 'amount')
    body[n('currency')] = rng.choice(['SGD', 'EUR', 'GBP', 'USD'])
    for party in ('debtor', 'creditor'):
        pk = n(party)
        iban_v = make_iban()
        style = rng.random()
        iban_key = n(rng.choice(['iban', 'account iban', 'iban']))
        shown = group(iban_v, [4] * 9, ' ').strip() if style < 0.4 else iban_v
        body[pk] = {n('name'): FAKERS['en_GB'].name(), iban_key: shown,
                    n('bic'): FAKERS['en_GB'].swift(length=rng.choice([8, 11]))}
        d.pos(f'/{esc(pk)}/{esc(n("name"))}', 'person-name', 'party-name')
        d.pos(f'/{esc(pk)}/{esc(iban_key)}', 'iban', 'named-' + ('grouped' if style < 0.4 else 'bare'))
        d.pos(f'/{esc(pk)}/{esc(n("bic"))}', 'swift-bic', 'named')
    ref_len = rng.choice([12, 16, 18, 19])
    ref = digits(ref_len)
    body[n('end to end id')] = ref
    d.neg('/' + esc(n('end to end id')), f'random-{ref_len}-' + ('luhn' if luhn.is_valid(ref) else 'nonluhn'))
    body[n('value date')] = (TODAY + timedelta(days=rng.randrange(30))).isoformat()
    d.neg('/' + esc(n('value date')), 'iso-date')
    body[n('created')] = epoch(rng.random() < 0.5)
    d.neg('/' + esc(n('created')), 'epoch-number')
    return d.out(body)


def luhn_digits(length, want_luhn):
    while True:
        v = rng.choice('123456789') + digits(length - 1)
        if luhn.is_valid(v) == want_luhn:
            return v


def order():
    """Negatives only: order, invoice and tracking numbers, SKUs, amounts, timestamps, and digit
    strings of card length (Luhn-valid by chance or not) under the names that carry them."""
    d = Doc('order')
    n = d.n
    body = {}

    def put(key, value, cls, keep=0.45):
        if rng.random() < keep:
            body[key] = value
            d.neg('/' + esc(key), cls)

    length = rng.choice([9, 10, 11, 12, 13, 14, 15, 16, 16, 16, 17, 18, 19])
    want = rng.random() < 0.5
    v = luhn_digits(length, want)
    put(n(rng.choice(['order id', 'order number', 'order no'])), v, f'random-{length}-' + ('luhn' if want else 'nonluhn'), 1)
    put(n('invoice number'), rng.choice(['INV-%d-%06d' % (rng.randrange(2019, 2026), rng.randrange(10 ** 6)),
                                         'INV' + digits(10), digits(8)]), 'invoice-number')
    put(n('sku'), rng.choice(['SKU-%s%s-%s' % (rng.choice(string.ascii_uppercase), rng.choice(string.ascii_uppercase), digits(5)),
                              '%s-%s-%s' % (digits(3), digits(4), digits(3)), digits(12)]), 'sku')
    put(n('tracking number'), rng.choice(['1Z' + ''.join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
                                          digits(12), digits(22), 'SG' + digits(9) + 'SG', 'JD' + digits(18)]), 'tracking-number')
    put(n('total amount'), '%d.%02d' % (rng.randrange(100_000_000), rng.randrange(100)), 'amount')
    put(n('created at'), str(epoch(True)), 'epoch-ms-string')
    put(n('paid at'), str(epoch(False)), 'epoch-s-string')
    put(n('order date'), (TODAY - timedelta(days=rng.randrange(2000))).strftime(rng.choice(['%Y-%m-%d', '%d/%m/%Y', '%Y%m%d'])), 'date')
    put(n('correlation id'), str(uuid.UUID(int=rng.getrandbits(128))), 'uuid')
    # The same lengths under generic names: no name says card or ID.
    length = rng.choice([9, 10, 11, 12, 13, 14, 15, 16, 16, 17, 18, 19])
    want = rng.random() < 0.5
    put(n(rng.choice(['id', 'reference', 'ref', 'number', 'value', 'data', 'trace no'])),
        luhn_digits(length, want), f'random-{length}-' + ('luhn' if want else 'nonluhn') + '-generic', 1)
    put(n('merchant id'), digits(15), 'merchant-id')
    put(n('terminal id'), digits(8), 'terminal-id')
    # ISO 8583 retrieval reference number: 12 digits, called `rrn` by every card processor.
    put(n('rrn'), digits(12), 'iso8583-rrn')
    put(n('stan'), digits(6), 'stan')
    put(n('auth code'), ''.join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6)), 'auth-code')
    put(n('masked pan'), make_card()[0][:6] + '******' + digits(4), 'masked-pan')
    return d.out(body)


def invalid_phone(region):
    cc = phonenumbers.country_code_for_region(region)
    while True:
        cand = str(cc) + digits(rng.randrange(6, 12))
        try:
            p = phonenumbers.parse('+' + cand)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(p):
            return '+' + cand


def broken(label, v):
    """One character changed so the issuer's rule fails."""
    oracle = ORACLES[label]
    for _ in range(100):
        i = rng.randrange(len(v))
        if not v[i].isdigit():
            continue
        w = v[:i] + rng.choice([c for c in string.digits if c != v[i]]) + v[i + 1:]
        if not oracle(w):
            return w
    return None


ORACLES = {
    'sg-nric': nric_valid, 'hk-hkid': hkid_valid, 'tw-national-id': tw_valid, 'au-medicare': medicare_valid,
    'cn-resident-id': safe(std_ric.is_valid), 'in-aadhaar': safe(std_aadhaar.is_valid), 'in-pan': safe(std_pan.is_valid),
    'kr-rrn': safe(std_rrn.is_valid), 'my-mykad': safe(std_mykad.is_valid), 'th-national-id': safe(std_pin.is_valid),
    'us-ssn': safe(std_ssn.is_valid), 'jp-my-number': safe(std_mynumber.is_valid), 'au-tfn': safe(std_tfn.is_valid),
    'id-nik': safe(std_nik.is_valid), 'card-number': safe(luhn.is_valid), 'iban': safe(std_iban.is_valid),
}


def telemetry():
    """Device/session telemetry: version strings shaped like IPv4, build numbers, epoch times,
    invalid phone numbers under phone names, checksum-broken IDs under their own names."""
    d = Doc('telemetry')
    n = d.n
    body = {}

    def put(key, value, cls, keep=0.45):
        if rng.random() < keep:
            body[key] = value
            d.neg('/' + esc(key), cls)

    put(n('app version'), '%d.%d.%d.%d' % (rng.randrange(1, 30), rng.randrange(0, 20), rng.randrange(0, 50), rng.randrange(0, 250)), 'version-4-part')
    put(n('os version'), '%d.%d.%d' % (rng.randrange(10, 18), rng.randrange(0, 9), rng.randrange(0, 9)), 'version-3-part')
    put(n('build number'), digits(rng.choice([8, 10])), 'build-number')
    put(n('device id'), str(uuid.UUID(int=rng.getrandbits(128))).upper(), 'uuid')
    put(n('session id'), uuid.UUID(int=rng.getrandbits(128)).hex, 'hex-id')
    put(n('event time'), epoch(True), 'epoch-ms-number')
    put(n('latency ms'), rng.randrange(1, 5000), 'small-number')
    ip_key = n(rng.choice(['client ip', 'ip address', 'remote addr']))
    body[ip_key] = FAKERS['en_US'].ipv4_public()
    d.pos('/' + esc(ip_key), 'ip-address', 'named')
    region = rng.choice(PHONE_REGIONS)
    put(n(rng.choice(['mobile no', 'phone number', 'msisdn'])), invalid_phone(region), 'invalid-phone-named-' + region, 1)
    label = rng.choice(list(KYC_TYPES))
    _, make = KYC_TYPES[label]
    names = [nm for c in COUNTRIES.values() for (lb, _, nms) in c[1] if lb == label for nm in nms]
    # only names that name this very type (not the generic `id no` / `tax id`)
    own = [nm for nm in names if nm not in ('id no', 'id number', 'tax id', 'national id', 'uid', 'document number', 'tin', 'nric')] or names
    raw = make()
    w = broken(label, raw.replace('(', '').replace(')', '') if label == 'hk-hkid' else raw)
    if w is not None and label != 'kr-rrn':
        put(n(rng.choice(own)), w, 'broken-' + label, 1)
    return d.out(body)


def main():
    docs = []
    for country in COUNTRIES:
        for _ in range(60):
            docs.append(customer(country))
    for _ in range(440):
        docs.append(kyc_documents())
    for _ in range(230):
        docs.append(cards())
    for _ in range(110):
        docs.append(transfer())
    for _ in range(380):
        docs.append(order())
    for _ in range(230):
        docs.append(telemetry())
    rng.shuffle(docs)
    out = sys.stdout
    out.write('{"seed": %d, "generator": "independent_gen.py", "documents": [\n' % SEED)
    for i, doc in enumerate(docs):
        out.write(json.dumps(doc, ensure_ascii=False, separators=(',', ':')))
        out.write(',\n' if i + 1 < len(docs) else '\n')
    out.write(']}\n')


if __name__ == '__main__':
    main()
