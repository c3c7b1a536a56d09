#!/usr/bin/env python3
"""A third, fresh labelled set for tests/fresh.rs: API payloads shaped like real vocabularies
the crate was never tuned on.

Shapes: Singpass MyInfo person (`uinfin.value`, `mobileno.nbr.value`, `regadd`), UK Open
Banking and AU CDR accounts (`SchemeName`/`Identification`, `accountNumber`, `maskedNumber`),
Berlin Group payments (`debtorAccount.iban`, `creditorAgent`, card accounts with `pan` and
`maskedPan`), Stripe-like payment methods (`card[number]`, `last4`), Plaid auth/identity,
India Account Aggregator / DigiLocker, Japanese romaji keys (`kojin_bango`, `shimei`),
SCREAMING_SNAKE core-banking rows (`NRIC_NO`, `CN_RIC`, `ACCT_NO`), abbreviated keys
(`custNric`, `idNo`, `ktp`, `mykadNo`, `hkidNo`, `taxFileNo`), nested KYC lists
(`identities[{scheme, id}]`, `documents[{docType, docNumber}]`), values inside free text
(`remarks`), header maps, bulk arrays and deep nesting; and look-alike negatives in volume.

Oracles, never the Rust code (and not the crate's field-name vocabulary):
* python-stdnum: Luhn (cards), IBAN, Aadhaar, PAN, CN RIC, KR RRN, JP My Number, AU TFN,
  MyKad, NIK, Thai PIN, US SSN;
* issuers' published rules written here: SG NRIC/FIN (S, T, F, G, M series), HKID, TW ID,
  AU Medicare, card IIN ranges;
* phonenumbers (libphonenumber metadata) for every phone number, positive and negative.

Output layout (as independent_records.json, plus `ignore`):
  {"doc": kind, "body": {...}, "labels": {pointer: "type|scenario" or ["type|scenario", ...]},
   "negatives": {pointer: class}, "ignore": [pointer, ...]}
Pointers are concrete RFC 6901 pointers. Leaves in none of the maps are filler (statuses,
currencies, booleans, enum codes). `ignore` holds leaves whose label is debatable (address
components such as a postcode or a block number, passport numbers, which have no type): they
are scored neither way.

    pip install faker python-stdnum phonenumbers
    python3 fresh_gen.py > fresh_records.json     # fixed seed: reproducible
"""
import hashlib
import json
import random
import string
import sys
import uuid
import base64
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

SEED = 20261129
rng = random.Random(SEED)
Faker.seed(SEED)
LOCALES = ['en_US', 'en_AU', 'en_IN', 'zh_CN', 'zh_TW', 'ja_JP', 'ko_KR', 'id_ID', 'th_TH', 'en_PH',
           'vi_VN', 'en_GB', 'de_DE', 'fr_FR', 'nl_NL', 'es_ES', 'it_IT']
FK = {loc: Faker(loc) for loc in LOCALES}
for i, f in enumerate(FK.values()):
    f.seed_instance(SEED * 7 + i)
TODAY = date(2026, 11, 1)


def digits(n):
    return ''.join(rng.choice(string.digits) for _ in range(n))


def hexs(n):
    return ''.join(rng.choice('0123456789abcdef') for _ in range(n))


def alnum(n, alphabet=string.ascii_letters + string.digits):
    return ''.join(rng.choice(alphabet) for _ in range(n))


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128)))


def safe(check):
    def run(v):
        try:
            return bool(check(v))
        except Exception:  # noqa: BLE001 - a crashing oracle has not said "valid"
            return False
    return run


# ---- markers: a body is built with these, then flattened into labels by pointer -----------------

class P:
    """A positive: `kinds` is [(type, scenario), ...]."""

    def __init__(self, value, kind, scenario):
        self.value = value
        self.kinds = [(kind, scenario)] if isinstance(kind, str) else kind
        if scenario is None:
            self.kinds = kind


class N:
    def __init__(self, value, cls):
        self.value, self.cls = value, cls


class I:  # noqa: E742 - ignored leaf
    def __init__(self, value):
        self.value = value


def esc(key):
    return key.replace('~', '~0').replace('/', '~1')


def finish(kind, body):
    labels, negatives, ignore = {}, {}, []

    def walk(node, ptr):
        if isinstance(node, P):
            ls = [f'{k}|{s}' for k, s in node.kinds]
            labels[ptr] = ls[0] if len(ls) == 1 else ls
            return node.value
        if isinstance(node, N):
            negatives[ptr] = node.cls
            return node.value
        if isinstance(node, I):
            ignore.append(ptr)
            return node.value
        if isinstance(node, dict):
            return {k: walk(v, f'{ptr}/{esc(k)}') for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f'{ptr}/{i}') for i, v in enumerate(node)]
        return node

    out = walk(body, '')
    doc = {'doc': kind, 'body': out, 'labels': labels, 'negatives': negatives}
    if ignore:
        doc['ignore'] = ignore
    return doc


# ---- issuer rules written here -----------------------------------------------------------------

NRIC_W = (2, 7, 6, 5, 4, 3, 2)
NRIC_TABLES = {'ST': 'JZIHGFEDCBA', 'FG': 'XWUTRQPNMLK', 'M': 'XWUTRQPNJLK'}


def nric_letter(prefix, body):
    """ICA: weights 2,7,6,5,4,3,2; offset 0 (S, F), 4 (T, G), 3 (M); remainder mod 11 indexes
    the series' table (M has its own, FIN 2022+)."""
    total = sum(int(d) * w for d, w in zip(body, NRIC_W)) + {'S': 0, 'F': 0, 'T': 4, 'G': 4, 'M': 3}[prefix]
    table = NRIC_TABLES['ST' if prefix in 'ST' else 'FG' if prefix in 'FG' else 'M']
    return table[total % 11]


def nric_ok(v):
    v = v.upper()
    return len(v) == 9 and v[0] in 'STFGM' and v[1:8].isdigit() and nric_letter(v[0], v[1:8]) == v[8]


def hkid_digit(letters, body):
    vals = ([36] if len(letters) == 1 else []) + [ord(c) - 55 for c in letters] + [int(d) for d in body]
    c = (11 - sum(v * w for v, w in zip(vals, range(9, 1, -1))) % 11) % 11
    return 'A' if c == 10 else str(c)


def hkid_ok(v):
    v = v.upper().replace('(', '').replace(')', '').replace(' ', '')
    letters = v[:2] if v[:2].isalpha() else v[:1]
    body, check = v[len(letters):-1], v[-1:]
    return letters.isalpha() and len(body) == 6 and body.isdigit() and hkid_digit(letters, body) == check


TW_CODES = dict(zip('ABCDEFGHJKLMNPQRSTUVXYWZIO', range(10, 36)))


def tw_ok(v):
    if len(v) != 10 or v[0] not in TW_CODES or not v[1:].isdigit() or v[1] not in '12':
        return False
    c = TW_CODES[v[0]]
    s = c // 10 + (c % 10) * 9 + sum(int(d) * w for d, w in zip(v[1:9], range(8, 0, -1))) + int(v[9])
    return s % 10 == 0


def medicare_ok(v):
    v = v.replace(' ', '').replace('-', '')
    if not v.isdigit() or len(v) not in (10, 11) or v[0] not in '23456' or v[9] == '0':
        return False
    return sum(int(d) * w for d, w in zip(v[:8], (1, 3, 7, 9, 1, 3, 7, 9))) % 10 == int(v[8])


ORACLE = {
    'sg-nric': nric_ok, 'hk-hkid': hkid_ok, 'tw-national-id': tw_ok, 'au-medicare': medicare_ok,
    'cn-resident-id': safe(std_ric.is_valid), 'in-aadhaar': safe(std_aadhaar.is_valid),
    'in-pan': safe(std_pan.is_valid), 'kr-rrn': safe(std_rrn.is_valid), 'my-mykad': safe(std_mykad.is_valid),
    'th-national-id': safe(std_pin.is_valid), 'us-ssn': safe(std_ssn.is_valid),
    'jp-my-number': safe(std_mynumber.is_valid), 'au-tfn': safe(std_tfn.is_valid),
    'id-nik': safe(std_nik.is_valid), 'card-number': safe(luhn.is_valid), 'iban': safe(std_iban.is_valid),
}


def checked(label, v):
    assert ORACLE[label](v), (label, v)
    return v


# ---- positive makers (raw, unformatted) ----------------------------------------------------------

def mk_nric():
    p = rng.choice('SSTTFGMM')
    b = digits(7)
    return checked('sg-nric', p + b + nric_letter(p, b))


def mk_hkid():
    letters = rng.choice(string.ascii_uppercase) if rng.random() < 0.8 else rng.choice(['XA', 'XB', 'WX', 'XC'])
    b = digits(6)
    return letters, b, hkid_digit(letters, b)


def mk_tw():
    while True:
        letter = rng.choice(list(TW_CODES))
        body = rng.choice('12') + digits(7)
        for d in '0123456789':
            if tw_ok(letter + body + d):
                return letter + body + d


def mk_cn():
    for _ in range(1000):
        v = FK['zh_CN'].ssn()
        if ORACLE['cn-resident-id'](v):
            return v
    raise SystemExit('no valid CN RIC')


def mk_aadhaar():
    while True:
        b = rng.choice('23456789') + digits(10)
        v = b + verhoeff.calc_check_digit(b)
        if ORACLE['in-aadhaar'](v):
            return v


def mk_pan():
    while True:
        v = alnum(3, string.ascii_uppercase) + rng.choice('PPPPCHFTAB') + rng.choice(string.ascii_uppercase) + \
            digits(4) + rng.choice(string.ascii_uppercase)
        if ORACLE['in-pan'](v):
            return v


def mk_mynumber():
    b = digits(11)
    return checked('jp-my-number', b + std_mynumber.calc_check_digit(b))


def mk_rrn():
    while True:
        d = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 70))
        s = rng.choice('12') if d.year < 2000 else rng.choice('34')
        b = d.strftime('%y%m%d') + s + '%02d' % rng.randrange(0, 96) + digits(3)
        v = b + std_rrn.calc_check_digit(b)
        if ORACLE['kr-rrn'](v):
            return v


def mk_tfn():
    while True:
        v = rng.choice('123456789') + digits(8)
        if ORACLE['au-tfn'](v):
            return v


def mk_medicare():
    while True:
        b = rng.choice('23456') + digits(7)
        v = b + str(sum(int(d) * w for d, w in zip(b, (1, 3, 7, 9, 1, 3, 7, 9))) % 10) + rng.choice('123456789')
        if rng.random() < 0.4:
            v += rng.choice('12345')
        if medicare_ok(v):
            return v


def mk_mykad():
    while True:
        d = date(1955, 1, 1) + timedelta(days=rng.randrange(365 * 50))
        v = d.strftime('%y%m%d') + rng.choice(['01', '03', '04', '06', '08', '10', '11', '14', '15', '16']) + digits(4)
        if ORACLE['my-mykad'](v):
            return v


def mk_nik():
    while True:
        d = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 40))
        day = d.day + (40 if rng.random() < 0.5 else 0)
        v = rng.choice(['31', '32', '33', '34', '35', '36', '51', '61', '71']) + \
            '%02d%02d' % (rng.randrange(1, 20), rng.randrange(1, 30)) + '%02d%s' % (day, d.strftime('%m%y')) + \
            '%04d' % rng.randrange(1, 5000)
        if ORACLE['id-nik'](v):
            return v


def mk_thai():
    b = rng.choice('12345678') + digits(11)
    return checked('th-national-id', b + std_pin.calc_check_digit(b))


def mk_ssn():
    while True:
        v = '%03d%02d%04d' % (rng.randrange(1, 900), rng.randrange(1, 100), rng.randrange(1, 10000))
        if ORACLE['us-ssn'](v):
            return v


def grp(v, sizes, sep):
    out, at = [], 0
    for g in sizes:
        out.append(v[at:at + g])
        at += g
    if at < len(v):
        out.append(v[at:])
    return sep.join(x for x in out if x)


def fmt_id(label, v):
    """(value as printed, scenario)."""
    r = rng.random()
    if label == 'sg-nric':
        return (v.lower(), 'lower') if r < 0.1 else (v, 'plain')
    if label == 'hk-hkid':
        letters, b, c = v
        return rng.choice([(f'{letters}{b}({c})', 'paren'), (f'{letters}{b}{c}', 'plain'),
                           (f'{letters}{b}({c})', 'paren'), (f'{letters}{b}-{c}', 'dash')])
    if label == 'in-aadhaar':
        return rng.choice([(v, 'plain'), (grp(v, [4, 4, 4], ' '), 'grouped'), (grp(v, [4, 4, 4], '-'), 'dashed')])
    if label == 'kr-rrn':
        return rng.choice([(v[:6] + '-' + v[6:], 'dashed'), (v, 'plain')])
    if label == 'my-mykad':
        return rng.choice([(grp(v, [6, 2, 4], '-'), 'dashed'), (v, 'plain')])
    if label == 'th-national-id':
        return rng.choice([(grp(v, [1, 4, 5, 2, 1], '-'), 'dashed'), (v, 'plain')])
    if label == 'us-ssn':
        return rng.choice([(grp(v, [3, 2, 4], '-'), 'dashed'), (v, 'plain'), (grp(v, [3, 2, 4], ' '), 'spaced')])
    if label == 'au-tfn':
        return rng.choice([(grp(v, [3, 3, 3], ' '), 'grouped'), (v, 'plain'), (grp(v, [3, 3, 3], '-'), 'dashed')])
    if label == 'au-medicare':
        return rng.choice([(grp(v, [4, 5, 1], ' '), 'grouped'), (v, 'plain')])
    if label == 'jp-my-number':
        return rng.choice([(grp(v, [4, 4, 4], ' '), 'grouped'), (v, 'plain'), (grp(v, [4, 4, 4], '-'), 'dashed')])
    if label == 'cn-resident-id':
        return (v, 'plain')
    if label == 'id-nik':
        return rng.choice([(v, 'plain'), (v, 'plain'), (grp(v, [6, 6, 4], '.'), 'dotted')])
    return v, 'plain'


def printable(label, v):
    """The raw id as one string (HKID comes as a tuple)."""
    if label == 'hk-hkid':
        letters, b, c = v
        return f'{letters}{b}{c}'
    return v


MAKERS = {
    'sg-nric': mk_nric, 'hk-hkid': mk_hkid, 'tw-national-id': mk_tw, 'cn-resident-id': mk_cn,
    'in-aadhaar': mk_aadhaar, 'in-pan': mk_pan, 'jp-my-number': mk_mynumber, 'kr-rrn': mk_rrn,
    'au-tfn': mk_tfn, 'au-medicare': mk_medicare, 'my-mykad': mk_mykad, 'id-nik': mk_nik,
    'th-national-id': mk_thai, 'us-ssn': mk_ssn,
}


def id_value(label):
    v = MAKERS[label]()
    shown, scen = fmt_id(label, v)
    raw = printable(label, v)
    assert ORACLE[label](raw.replace('-', '') if label != 'hk-hkid' else raw), (label, raw)
    return shown, scen


# ---- cards: IIN ranges written here, Luhn checked by stdnum --------------------------------------

def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


CARD_BRANDS = {
    'visa': lambda: luhn_complete('4', rng.choice([16, 16, 16, 13, 19])),
    'mc5': lambda: luhn_complete(str(rng.randrange(51, 56)), 16),
    'mc2': lambda: luhn_complete(str(rng.randrange(2221, 2721)), 16),
    'amex': lambda: luhn_complete(rng.choice(['34', '37']), 15),
    'unionpay': lambda: luhn_complete('62' + str(rng.randrange(2126, 2926)) if rng.random() < 0.5 else
                                      rng.choice(['6250', '6212', '6228', '6217']), rng.choice([16, 16, 19])),
    'jcb': lambda: luhn_complete(str(rng.randrange(3528, 3590)), 16),
    'rupay': lambda: luhn_complete(rng.choice(['6521', '6522', '6080', '6070', '5085', '8100', '8200']), 16),
    'discover': lambda: luhn_complete(rng.choice(['6011', '644', '645', '649', '65']), 16),
    'diners': lambda: luhn_complete(rng.choice(['36', '300', '305', '38']), 14),
}


def mk_card():
    brand = rng.choice(list(CARD_BRANDS))
    v = CARD_BRANDS[brand]()
    return checked('card-number', v), brand


def fmt_card(v):
    r = rng.random()
    if r < 0.5:
        return v, 'plain'
    sep = rng.choice([' ', '-', ' '])
    if len(v) == 15:
        return grp(v, [4, 6, 5], sep), 'grouped'
    if len(v) == 14:
        return grp(v, [4, 6, 4], sep), 'grouped'
    return grp(v, [4, 4, 4, 4], sep), 'grouped'


def card():
    v, brand = mk_card()
    shown, scen = fmt_card(v)
    return shown, f'{scen}-{brand}'


def mk_iban():
    while True:
        v = FK[rng.choice(['en_GB', 'de_DE', 'fr_FR', 'nl_NL', 'es_ES', 'it_IT'])].iban()
        if ORACLE['iban'](v):
            return v


def iban():
    v = mk_iban()
    if rng.random() < 0.35:
        return grp(v, [4] * 9, ' ').strip(), 'grouped'
    return v, 'plain'


REAL_BICS = ['DBSSSGSG', 'OCBCSGSGXXX', 'UOVBSGSG', 'HSBCHKHHHKH', 'BKCHCNBJ', 'SBININBB', 'HDFCINBBXXX',
             'CTBAAU2S', 'MUFGJPJT', 'SHBKKRSE', 'MBBEMYKL', 'BMRIIDJA', 'BKKBTHBK', 'BFTVVNVX', 'DEUTDEFF',
             'BNPAFRPP', 'INGBNL2A', 'BARCGB22', 'CHASUS33', 'ANZBAU3M']


def bic():
    if rng.random() < 0.5:
        return rng.choice(REAL_BICS)
    return FK[rng.choice(['en_GB', 'de_DE', 'fr_FR', 'nl_NL'])].swift(length=rng.choice([8, 11]))


# ---- phones --------------------------------------------------------------------------------------

PHONE_REGIONS = ['SG', 'IN', 'CN', 'HK', 'AU', 'JP', 'KR', 'ID', 'MY', 'PH', 'TH', 'VN', 'US']


def mk_phone(region, kind=PhoneNumberType.MOBILE):
    ex = phonenumbers.example_number_for_type(region, kind)
    nsn = str(ex.national_number)
    while True:
        keep = rng.randrange(1, 3)
        cand = nsn[:keep] + digits(len(nsn) - keep)
        p = phonenumbers.parse('+%d%s' % (ex.country_code, cand))
        if phonenumbers.is_valid_number(p) and phonenumbers.number_type(p) in (kind, PhoneNumberType.FIXED_LINE_OR_MOBILE):
            assert phonenumbers.region_code_for_number(p) == region or region in ('US',)
            return p


def fmt_phone(p, style):
    if style == 'e164':
        return phonenumbers.format_number(p, PhoneNumberFormat.E164)
    if style == 'intl':
        return phonenumbers.format_number(p, PhoneNumberFormat.INTERNATIONAL)
    if style == 'national':
        return phonenumbers.format_number(p, PhoneNumberFormat.NATIONAL)
    if style == 'national-digits':
        return ''.join(c for c in phonenumbers.format_number(p, PhoneNumberFormat.NATIONAL) if c.isdigit())
    if style == 'msisdn':
        return phonenumbers.format_number(p, PhoneNumberFormat.E164)[1:]
    if style == 'intl-dashed':
        return phonenumbers.format_number(p, PhoneNumberFormat.INTERNATIONAL).replace(' ', '-')
    raise ValueError(style)


def phone(region=None, styles=('e164', 'intl', 'national', 'national-digits', 'msisdn')):
    region = region or rng.choice(PHONE_REGIONS)
    p = mk_phone(region)
    style = rng.choice(styles)
    v = fmt_phone(p, style)
    # the label's oracle: the printed form parses back to a valid number of that region
    back = phonenumbers.parse(v if not style.startswith('msisdn') else '+' + v,
                              None if style in ('e164', 'intl', 'intl-dashed', 'msisdn') else region)
    assert phonenumbers.is_valid_number(back), v
    return v, f'{style}-{region}'


def phone_kind(region, where, styles):
    v, s = phone(region, styles=styles)
    return v, 'phone', where + '-' + s


def invalid_phone(region):
    cc = phonenumbers.country_code_for_region(region)
    while True:
        cand = str(cc) + digits(rng.randrange(6, 12))
        try:
            p = phonenumbers.parse('+' + cand)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_possible_number(p) or not phonenumbers.is_valid_number(p):
            return '+' + cand


# ---- other values --------------------------------------------------------------------------------

COUNTRY_LOCALE = {'SG': 'en_US', 'IN': 'en_IN', 'CN': 'zh_CN', 'HK': 'en_US', 'TW': 'zh_TW', 'AU': 'en_AU',
                  'JP': 'ja_JP', 'KR': 'ko_KR', 'MY': 'en_US', 'ID': 'id_ID', 'TH': 'th_TH', 'US': 'en_US',
                  'PH': 'en_PH', 'VN': 'vi_VN'}
COUNTRY_IDS = {'SG': ['sg-nric'], 'IN': ['in-aadhaar', 'in-pan'], 'CN': ['cn-resident-id'], 'HK': ['hk-hkid'],
               'TW': ['tw-national-id'], 'AU': ['au-tfn', 'au-medicare'], 'JP': ['jp-my-number'],
               'KR': ['kr-rrn'], 'MY': ['my-mykad'], 'ID': ['id-nik'], 'TH': ['th-national-id'], 'US': ['us-ssn']}
COUNTRY_PHONE = {'TW': None, 'PH': 'PH', 'VN': 'VN'}


def name(loc='en_US'):
    return FK[loc].name()


def address(loc='en_US'):
    return FK[loc].address().replace('\n', ', ')


def email(loc='en_US'):
    return FK[loc].email() if rng.random() < 0.6 else FK['en_US'].free_email()


def dob(fmt=None):
    d = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    fmt = fmt or rng.choice(['%Y-%m-%d', '%Y-%m-%d', '%d/%m/%Y', '%Y%m%d', '%d-%m-%Y', '%d%m%Y', '%Y/%m/%d'])
    return d.strftime(fmt)


def iso_ts():
    t = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(90_000_000))
    return rng.choice([t.strftime('%Y-%m-%dT%H:%M:%SZ'), t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z',
                       t.strftime('%Y-%m-%dT%H:%M:%S+08:00'), t.strftime('%Y-%m-%d %H:%M:%S')])


def epoch_ms():
    return rng.randrange(1_600_000_000_000, 1_800_000_000_000)


def jwt():
    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(',', ':')).encode()).decode().rstrip('=')
    head = b64({'alg': rng.choice(['RS256', 'HS256', 'ES256']), 'typ': 'JWT', 'kid': hexs(8)})
    body = b64({'sub': uid(), 'iat': epoch_ms() // 1000, 'scope': rng.choice(['openid', 'accounts payments'])})
    sig = base64.urlsafe_b64encode(bytes(rng.getrandbits(8) for _ in range(rng.choice([32, 64])))).decode().rstrip('=')
    return f'{head}.{body}.{sig}'


def luhn_digits(length, want):
    while True:
        v = rng.choice('123456789') + digits(length - 1)
        if luhn.is_valid(v) == want:
            return v


def card_issuer_prefix(v):
    """Does the number start with an IIN range of one of the card brands above?"""
    p2, p3, p4 = int(v[:2]), int(v[:3]), int(v[:4])
    return (v[0] == '4' or 51 <= p2 <= 55 or 2221 <= p4 <= 2720 or p2 in (34, 37, 36, 38, 62, 65, 81, 82, 60)
            or 3528 <= p4 <= 3589 or 300 <= p3 <= 305 or 644 <= p3 <= 649 or p4 in (6011, 5085))


def random_digits_neg(length):
    """Random digits of card/ID length, classed by what a careless detector could take them for."""
    want = rng.random() < 0.5
    v = luhn_digits(length, want)
    cls = f'random-{length}-' + ('luhn' if want else 'nonluhn')
    if want and 13 <= length <= 19 and card_issuer_prefix(v):
        cls += '-issuer-prefix'
    return v, cls


def broken(label):
    """A real-looking ID of `label` with one digit changed so its issuer's rule fails."""
    for _ in range(200):
        v = MAKERS[label]()
        raw = printable(label, v)
        i = rng.randrange(len(raw))
        if not raw[i].isdigit():
            continue
        w = raw[:i] + rng.choice([c for c in string.digits if c != raw[i]]) + raw[i + 1:]
        # broken for its own issuer, and no valid number of another scheme either
        if not any(oracle(w) for name, oracle in ORACLE.items() if name not in ('card-number',)):
            return w
    raise SystemExit('could not break ' + label)


def masked_pan():
    v, _ = mk_card()
    return rng.choice([v[:6] + '*' * (len(v) - 10) + v[-4:], 'XXXX XXXX XXXX ' + v[-4:], '**** ' + v[-4:],
                       v[:4] + ' **** **** ' + v[-4:], 'x' * (len(v) - 4) + v[-4:]])


def sha(n=64):
    return hashlib.sha256(str(rng.random()).encode()).hexdigest()[:n]


# ---- documents -----------------------------------------------------------------------------------

def myinfo_person():
    """Singpass MyInfo v3/v4 person: every attribute is an object with a `value` and metadata."""
    def attr(value, **extra):
        return {'lastupdated': N(dob('%Y-%m-%d'), 'iso-date'), 'source': '1', 'classification': 'C',
                'value': value, **extra}
    ph, scen = phone('SG', styles=('national-digits',))
    nric = mk_nric()
    body = {
        'uinfin': attr(P(nric, 'sg-nric', 'myinfo-value')),
        'name': attr(P(FK['en_US'].name().upper(), 'person-name', 'myinfo-value')),
        'sex': {'code': 'F', 'desc': 'FEMALE', 'source': '1'},
        'dob': attr(P(dob('%Y-%m-%d'), 'date-of-birth', 'myinfo-value')),
        'email': attr(P(email(), 'email', 'myinfo-value')),
        'mobileno': {'prefix': {'value': '+'}, 'areacode': {'value': '65'},
                     'nbr': {'value': P(ph, 'phone', 'myinfo-nbr-' + scen)}, 'source': '4'},
        'regadd': {'type': 'SG', 'country': {'code': 'SG', 'desc': 'SINGAPORE'},
                   'unit': {'value': I(str(rng.randrange(1, 400)))}, 'street': {'value': I(FK['en_US'].street_name().upper())},
                   'block': {'value': I(str(rng.randrange(1, 999)))}, 'postal': {'value': N(digits(6), 'postcode-sg')},
                   'floor': {'value': I('%02d' % rng.randrange(1, 40))}, 'building': {'value': ''}},
        'cpfbalances': {'oa': {'value': N(round(rng.uniform(0, 3e5), 2), 'balance')},
                        'ma': {'value': N(round(rng.uniform(0, 1e5), 2), 'balance')}},
    }
    if rng.random() < 0.5:
        body['noa-basic'] = {'amount': {'value': N(round(rng.uniform(1e4, 3e5), 2), 'amount')},
                             'yearofassessment': {'value': str(rng.randrange(2018, 2026))}}
    return finish('myinfo-person', body)


def uk_openbanking_accounts():
    accounts = []
    for _ in range(rng.randrange(1, 4)):
        scheme = rng.choice(['UK.OBIE.SortCodeAccountNumber', 'UK.OBIE.IBAN', 'UK.OBIE.PAN'])
        if scheme == 'UK.OBIE.SortCodeAccountNumber':
            ident = P(digits(14), 'bank-account', 'ob-identification-sortcode')
        elif scheme == 'UK.OBIE.IBAN':
            v, s = iban()
            ident = P(v, 'iban', 'ob-identification-' + s)
        else:
            v, s = card()
            ident = P(v, 'card-number', 'ob-identification-' + s)
        acct = {'AccountId': N(str(rng.randrange(10 ** 5, 10 ** 12)), 'account-id-digits'),
                'Status': 'Enabled', 'Currency': 'GBP', 'AccountType': 'Personal', 'AccountSubType': 'CurrentAccount',
                'Nickname': rng.choice(['Bills', 'Household', 'Savings']),
                'Account': [{'SchemeName': scheme, 'Identification': ident,
                             'Name': P(FK['en_GB'].name(), 'person-name', 'ob-account-name'),
                             'SecondaryIdentification': N(digits(rng.choice([5, 8, 11])), 'secondary-id-digits')}],
                'OpeningDate': N(iso_ts(), 'iso-timestamp')}
        accounts.append(acct)
    body = {'Data': {'Account': accounts},
            'Links': {'Self': 'https://api.example-bank.co.uk/open-banking/v3.1/aisp/accounts'},
            'Meta': {'TotalPages': 1, 'FirstAvailableDateTime': N(iso_ts(), 'iso-timestamp')}}
    return finish('uk-ob-accounts', body)


def cdr_account_detail():
    """AU Consumer Data Right banking account detail."""
    bsb = '%03d-%03d' % (rng.randrange(10, 999), rng.randrange(0, 999))
    acct_no = digits(rng.choice([8, 9, 10]))
    data = {'accountId': N(uid(), 'uuid'), 'creationDate': N(dob('%Y-%m-%d'), 'iso-date'),
            'displayName': rng.choice(['Everyday Account', 'Smart Saver', 'Bills']),
            'nickname': 'Main', 'openStatus': 'OPEN', 'isOwned': True,
            'maskedNumber': N('xxx-xxx ' + acct_no[-4:], 'masked-account'),
            'productCategory': 'TRANS_AND_SAVINGS_ACCOUNTS', 'productName': 'Everyday',
            'bsb': N(bsb, 'bsb'), 'accountNumber': P(acct_no, 'bank-account', 'cdr-accountNumber'),
            'bundleName': 'Everyday bundle', 'specificAccountUType': 'creditCard' if rng.random() < 0.3 else 'none'}
    if data['specificAccountUType'] == 'creditCard':
        v, s = card()
        data['creditCard'] = {'minPaymentAmount': N('%.2f' % rng.uniform(10, 500), 'amount'),
                              'paymentDueAmount': N('%.2f' % rng.uniform(10, 5000), 'amount'),
                              'paymentDueDate': N((TODAY + timedelta(days=rng.randrange(30))).isoformat(), 'iso-date'),
                              'cardNumber': P(v, 'card-number', 'cdr-' + s)}
    data['addresses'] = [{'addressUType': 'simple',
                          'simple': {'addressLine1': P(FK['en_AU'].street_address(), 'address', 'cdr-addressLine1'),
                                     'city': I(FK['en_AU'].city()), 'state': 'NSW',
                                     'postcode': N(str(rng.randrange(2000, 7999)), 'postcode-au')}}]
    return finish('cdr-account-detail', {'data': data, 'links': {'self': '/banking/accounts/x'}, 'meta': {}})


def cdr_customer():
    loc = 'en_AU'
    person = {'lastUpdateTime': N(iso_ts(), 'iso-timestamp'), 'firstName': P(FK[loc].first_name(), 'person-name', 'cdr-firstName'),
              'lastName': P(FK[loc].last_name(), 'person-name', 'cdr-lastName'),
              'middleNames': [], 'prefix': 'Mx', 'occupationCode': N(digits(6), 'anzsco-code'),
              'occupationCodeVersion': 'ANZSCO_1220.0_2013_V1.2'}
    ph, s = phone('AU', styles=('national', 'e164', 'intl'))
    contact = {'phoneNumbers': [{'isPreferred': True, 'purpose': 'MOBILE', 'countryCode': '+61',
                                 'number': P(ph, 'phone', 'cdr-number-' + s), 'fullNumber': P(ph, 'phone', 'cdr-fullNumber-' + s)}],
               'emailAddresses': [{'isPreferred': True, 'purpose': 'HOME', 'address': P(email(loc), 'email', 'cdr-emailAddresses-address')}],
               'physicalAddresses': [{'addressUType': 'simple', 'purpose': 'MAIL',
                                      'simple': {'addressLine1': P(FK[loc].street_address(), 'address', 'cdr-addressLine1'),
                                                 'postcode': N(str(rng.randrange(2000, 7999)), 'postcode-au'), 'city': I(FK[loc].city()), 'state': 'VIC'}}]}
    body = {'data': {'customerUType': 'person', 'person': {**person, **contact}}, 'links': {'self': '/common/customer/detail'}, 'meta': {}}
    if rng.random() < 0.6:
        v, sc = id_value('au-tfn')
        body['data']['person']['taxFileNo'] = P(v, 'au-tfn', 'taxFileNo-' + sc)
    if rng.random() < 0.5:
        v, sc = id_value('au-medicare')
        body['data']['person']['medicareCardNo'] = P(v, 'au-medicare', 'medicareCardNo-' + sc)
    return finish('cdr-customer', body)


def berlin_group_payment():
    dv, ds = iban()
    cv, cs = iban()
    body = {'endToEndIdentification': N(digits(rng.choice([12, 16, 18])), 'end-to-end-digits'),
            'debtorAccount': {'iban': P(dv, 'iban', 'bg-debtorAccount-' + ds), 'currency': 'EUR'},
            'instructedAmount': {'currency': 'EUR', 'amount': N('%.2f' % rng.uniform(1, 1e5), 'amount')},
            'creditorAccount': {'iban': P(cv, 'iban', 'bg-creditorAccount-' + cs), 'currency': 'EUR'},
            'creditorAgent': P(bic(), 'swift-bic', 'bg-creditorAgent'),
            'creditorName': P(FK[rng.choice(['de_DE', 'fr_FR', 'nl_NL'])].name(), 'person-name', 'bg-creditorName'),
            'creditorAddress': {'streetName': I(FK['de_DE'].street_name()), 'buildingNumber': I(str(rng.randrange(1, 200))),
                                'townName': I(FK['de_DE'].city()), 'postCode': N(digits(5), 'postcode-de'), 'country': 'DE'},
            'remittanceInformationUnstructured': N(rng.choice(['Ref Number Merchant', 'Invoice %s' % digits(9),
                                                              'Rent %s/%d' % (rng.randrange(1, 13), 2026)]), 'remittance-text')}
    if rng.random() < 0.5:
        body['ultimateDebtor'] = P(FK['de_DE'].name(), 'person-name', 'bg-ultimateDebtor')
    return finish('bg-payment', body)


def berlin_group_card_accounts():
    items = []
    for _ in range(rng.randrange(1, 3)):
        v, s = card()
        item = {'resourceId': N(uid(), 'uuid'), 'maskedPan': N(masked_pan(), 'masked-pan'), 'currency': 'EUR',
                'name': rng.choice(['Main Card', 'Travel', 'Business']), 'status': 'enabled', 'usage': 'PRIV',
                'creditLimit': {'currency': 'EUR', 'amount': N(str(rng.randrange(500, 20000)), 'amount')},
                'balances': [{'balanceAmount': {'currency': 'EUR', 'amount': N('%.2f' % rng.uniform(-5e3, 5e3), 'balance')},
                              'balanceType': 'interimBooked'}]}
        if rng.random() < 0.6:
            item['pan'] = P(v, 'card-number', 'bg-pan-' + s)
        items.append(item)
    body = {'cardAccounts': items}
    if rng.random() < 0.5:
        if rng.random() < 0.5:
            v, s = card()
            ref = {'pan': P(v, 'card-number', 'bg-accountReference-pan-' + s)}
        else:
            ref = {'maskedPan': N(masked_pan(), 'masked-pan')}
        body['cardAccountReference'] = ref
    return finish('bg-card-accounts', body)


def stripe_like():
    loc = rng.choice(['en_US', 'en_AU', 'en_GB'])
    v, s = card()
    digits_only = ''.join(c for c in v if c.isdigit())
    body = {'id': N('pm_' + alnum(24), 'object-id'), 'object': 'payment_method',
            'billing_details': {'address': {'city': I(FK[loc].city()), 'country': 'US',
                                            'line1': P(FK[loc].street_address(), 'address', 'stripe-line1'),
                                            'line2': None, 'postal_code': N(digits(5), 'postcode-us'), 'state': 'CA'},
                                'email': P(email(loc), 'email', 'stripe-email'),
                                'name': P(FK[loc].name(), 'person-name', 'stripe-billing-name'),
                                'phone': None},
            'card': {'brand': 'visa', 'checks': {'cvc_check': 'pass'}, 'country': 'US',
                     'exp_month': rng.randrange(1, 13), 'exp_year': rng.randrange(2026, 2032),
                     'fingerprint': N(alnum(16), 'fingerprint'), 'funding': 'credit',
                     'last4': N(digits_only[-4:], 'card-last4'), 'iin': N(digits_only[:6], 'card-bin')},
            'created': N(epoch_ms() // 1000, 'epoch-s-number'), 'livemode': False}
    ph, ps = phone('US', styles=('e164', 'national'))
    body['billing_details']['phone'] = P(ph, 'phone', 'stripe-phone-' + ps)
    if rng.random() < 0.6:
        # the form-encoded request, as logged by a gateway
        body['request'] = {'card[number]': P(v, 'card-number', 'form-card[number]-' + s),
                           'card[exp_month]': str(rng.randrange(1, 13)), 'card[cvc]': N(digits(3), 'cvc'),
                           'billing_details[email]': P(email(loc), 'email', 'form-billing_details[email]')}
    return finish('stripe-payment-method', body)


def plaid_auth_identity():
    accounts, ach = [], []
    for _ in range(rng.randrange(1, 3)):
        aid = alnum(37)
        accounts.append({'account_id': N(aid, 'object-id'), 'mask': N(digits(4), 'account-mask'),
                         'name': 'Plaid Checking', 'official_name': 'Plaid Gold Standard 0% Interest Checking',
                         'balances': {'available': N(round(rng.uniform(0, 1e4), 2), 'balance'),
                                      'current': N(round(rng.uniform(0, 1e4), 2), 'balance'), 'iso_currency_code': 'USD'},
                         'subtype': 'checking', 'type': 'depository'})
        ach.append({'account': P(digits(rng.choice([10, 12, 13, 16])), 'bank-account', 'plaid-ach-account'),
                    'account_id': N(aid, 'object-id'), 'routing': N(digits(9), 'aba-routing'),
                    'wire_routing': N(digits(9), 'aba-routing')})
    owners = [{'names': [P(FK['en_US'].name(), 'person-name', 'plaid-names[]')],
               'phone_numbers': [{'data': P(*phone_kind('US', 'plaid-phone_numbers[].data', ('national-digits', 'e164'))), 'primary': True, 'type': 'mobile'}],
               'emails': [{'data': P(email(), 'email', 'plaid-emails[].data'), 'primary': True, 'type': 'primary'}],
               'addresses': [{'data': {'street': P(FK['en_US'].street_address(), 'address', 'plaid-street'),
                                       'city': I(FK['en_US'].city()), 'region': 'NY',
                                       'postal_code': N(digits(5), 'postcode-us'), 'country': 'US'}, 'primary': True}]}]
    body = {'accounts': accounts, 'numbers': {'ach': ach, 'eft': [], 'international': [], 'bacs': []},
            'item': {'item_id': N(alnum(37), 'object-id'), 'institution_id': 'ins_109508'},
            'request_id': N(alnum(15), 'request-id')}
    if rng.random() < 0.5:
        body['identity'] = {'owners': owners}
    return finish('plaid-auth', body)


def india_aa_fi():
    """India Account Aggregator FI data (deposit profile), and DigiLocker user details."""
    holder = {'name': P(FK['en_IN'].name(), 'person-name', 'aa-holder-name'),
              'dob': P(dob('%Y-%m-%d'), 'date-of-birth', 'aa-dob'),
              'mobile': P(*phone_kind('IN', 'aa-mobile', ('national-digits', 'e164'))),
              'nominee': 'NOT-REGISTERED', 'landline': '',
              'address': P(address('en_IN'), 'address', 'aa-address'),
              'email': P(email('en_IN'), 'email', 'aa-email'),
              'pan': P(mk_pan(), 'in-pan', 'aa-pan'), 'ckycCompliance': 'true'}
    acct = digits(rng.choice([11, 12, 14, 16]))
    body = {'Account': {'linkedAccRef': N(uid(), 'uuid'), 'maskedAccNumber': N('X' * (len(acct) - 4) + acct[-4:], 'masked-account'),
                        'type': 'deposit', 'version': '1.1',
                        'Profile': {'Holders': {'type': 'SINGLE', 'Holder': holder}},
                        'Summary': {'currentBalance': N('%.2f' % rng.uniform(0, 1e6), 'balance'), 'currency': 'INR',
                                    'exchgeRate': '', 'balanceDateTime': N(iso_ts(), 'iso-timestamp'), 'type': 'SAVINGS',
                                    'branch': I(FK['en_IN'].city()), 'facility': 'OD',
                                    'ifscCode': N(rng.choice(['SBIN', 'HDFC', 'ICIC', 'UTIB', 'KKBK']) + '0' + digits(6), 'ifsc'),
                                    'micrCode': N(digits(9), 'micr'), 'openingDate': N(dob('%Y-%m-%d'), 'iso-date'),
                                    'currentODLimit': '0', 'drawingLimit': '0', 'status': 'ACTIVE'},
                        'Transactions': {'startDate': '2026-01-01', 'endDate': '2026-03-31', 'Transaction': []}}}
    for _ in range(rng.randrange(1, 3)):
        body['Account']['Transactions']['Transaction'].append(
            {'txnId': N(rng.choice(['M' + digits(7), digits(12), 'S' + digits(8)]), 'txn-id'), 'type': 'DEBIT', 'mode': 'UPI',
             'amount': N('%.2f' % rng.uniform(1, 5e4), 'amount'), 'currentBalance': N('%.2f' % rng.uniform(0, 1e6), 'balance'),
             'transactionTimestamp': N(iso_ts(), 'iso-timestamp'), 'valueDate': N(dob('%Y-%m-%d'), 'iso-date'),
             'narration': N('UPI/%s/%s/Payment' % (digits(12), rng.choice(['swiggy', 'zomato', 'amazon'])), 'upi-narration'),
             'reference': N(digits(12), 'upi-rrn-12')})
    if rng.random() < 0.5:
        body['Account']['accNumber'] = P(acct, 'bank-account', 'aa-accNumber')
    return finish('in-aa-fi', body)


def digilocker():
    a = mk_aadhaar()
    body = {'digilockerid': N(uid(), 'uuid'), 'name': P(FK['en_IN'].name(), 'person-name', 'digilocker-name'),
            'dob': P(dob('%d%m%Y'), 'date-of-birth', 'digilocker-dob-ddmmyyyy'), 'gender': rng.choice(['M', 'F']),
            'eaadhaar': 'Y', 'reference_key': N(sha(32), 'hex-key'),
            'mobile': P(*phone_kind('IN', 'digilocker-mobile', ('national-digits', 'e164')))}
    if rng.random() < 0.5:
        body['maskedAadhaar'] = N('XXXX XXXX ' + a[-4:], 'masked-aadhaar')
    else:
        v, s = fmt_id('in-aadhaar', a)
        body['aadhaar_uid'] = P(v, 'in-aadhaar', 'aadhaar_uid-' + s)
    body['issued_documents'] = [{'doctype': rng.choice(['ADHAR', 'PANCR', 'DRVLC']), 'uri': N('in.gov.uidai-ADHAR-' + hexs(32), 'doc-uri'),
                                 'date': N(dob('%d-%m-%Y'), 'date-ddmmyyyy'), 'issuerid': 'in.gov.uidai'}]
    if rng.random() < 0.5:
        body['issued_documents'].append({'doctype': 'PANCR', 'doc_no': P(mk_pan(), 'in-pan', 'digilocker-doc_no-PANCR'),
                                         'issuerid': 'in.gov.pan'})
    return finish('in-digilocker', body)


def japanese_profile():
    f = FK['ja_JP']
    v, s = id_value('jp-my-number')
    key = rng.choice(['kojin_bango', 'my_number', 'kojinBango', 'myNumber', 'mynumber_card_no', 'KOJIN_BANGO'])
    ph, ps = phone('JP', styles=('national', 'e164', 'national-digits'))
    body = {'kokyaku_id': N('C' + digits(9), 'customer-id'), key: P(v, 'jp-my-number', key + '-' + s),
            'shimei': P(f.name(), 'person-name', 'shimei'), 'shimei_kana': P(f.kana_name(), 'person-name', 'shimei_kana'),
            'seinengappi': P(dob(rng.choice(['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d'])), 'date-of-birth', 'seinengappi'),
            'yubin_bango': N('%03d-%04d' % (rng.randrange(1000), rng.randrange(10000)), 'postcode-jp'),
            'jusho': P(f.address().replace('\n', ' '), 'address', 'jusho'),
            'denwa_bango': P(ph, 'phone', 'denwa_bango-' + ps), 'mail_address': P(email('ja_JP'), 'email', 'mail_address'),
            'koza_bango': P(digits(7), 'bank-account', 'koza_bango'), 'shiten_code': N(digits(3), 'branch-code'),
            'toroku_nichiji': N(iso_ts(), 'iso-timestamp')}
    return finish('jp-profile', body)


SCREAMING = {
    'sg-nric': ['NRIC_NO', 'NRIC', 'UIN_FIN', 'CUST_NRIC', 'NRIC_FIN_NO'],
    'in-aadhaar': ['AADHAAR_NO', 'UID_NO', 'AADHAR_NUM'], 'in-pan': ['PAN_NO', 'PAN_CARD_NO', 'IT_PAN'],
    'cn-resident-id': ['CN_RIC', 'SFZ_NO', 'ID_CARD_NO', 'RESIDENT_ID_NO'], 'hk-hkid': ['HKID_NO', 'HKIC_NO', 'HK_ID'],
    'tw-national-id': ['TW_ID_NO', 'ROC_ID', 'TWID'], 'au-tfn': ['TFN', 'TAX_FILE_NO'], 'au-medicare': ['MEDICARE_NO'],
    'jp-my-number': ['MY_NUMBER', 'KOJIN_NO'], 'kr-rrn': ['RRN_NO', 'JUMIN_NO', 'RESIDENT_REG_NO'],
    'my-mykad': ['MYKAD_NO', 'IC_NO', 'NEW_IC_NO'], 'id-nik': ['NIK', 'KTP_NO', 'NO_KTP'],
    'th-national-id': ['THAI_ID', 'CITIZEN_ID', 'ID_CARD_TH'], 'us-ssn': ['SSN', 'SSN_NO', 'SOC_SEC_NO'],
}

ABBREV = {
    'sg-nric': ['custNric', 'nricNo', 'nricFin', 'uinfin', 'nric_fin', 'idNo', 'finNo'],
    'in-aadhaar': ['aadhaarNo', 'aadharNum', 'uidNo', 'aadhaar_num', 'idNum'],
    'in-pan': ['panNo', 'panNumber', 'pan_card', 'taxPan'],
    'cn-resident-id': ['idCardNo', 'sfzh', 'shenfenzheng', 'cnIdNo', 'certNo', 'idNo'],
    'hk-hkid': ['hkidNo', 'hkid', 'hkIdCard', 'idNo'],
    'tw-national-id': ['twIdNo', 'rocId', 'shenfenzheng_tw', 'idNo'],
    'au-tfn': ['taxFileNo', 'tfnNo', 'tfn'], 'au-medicare': ['medicareNo', 'medicareCardNo', 'mcNo'],
    'jp-my-number': ['myNumber', 'kojinBango', 'myNo'],
    'kr-rrn': ['juminNo', 'rrnNo', 'juminBunho', 'residentRegNo'],
    'my-mykad': ['mykadNo', 'icNo', 'myKad', 'noKp', 'nricNo'],
    'id-nik': ['ktp', 'nik', 'noKtp', 'nikNo', 'nomorKtp'],
    'th-national-id': ['thaiIdNo', 'citizenId', 'bat_pracha_chon', 'idCardNo'],
    'us-ssn': ['ssn', 'ssnNo', 'socialSecNo', 'taxId'],
}


def core_banking_row():
    """A SCREAMING_SNAKE core-banking / mainframe extract row."""
    country = rng.choice(list(COUNTRY_IDS))
    loc = COUNTRY_LOCALE[country]
    body = {'CUST_NO': N(digits(10), 'customer-no'), 'CUST_NM': P(name(loc), 'person-name', 'CUST_NM'),
            'BRTH_DT': P(dob(rng.choice(['%Y%m%d', '%Y-%m-%d', '%d%m%Y'])), 'date-of-birth', 'BRTH_DT'),
            'CNTRY_CD': country, 'KYC_STS': 'V', 'LAST_UPD_TS': N(str(epoch_ms()), 'epoch-ms-string')}
    for label in COUNTRY_IDS[country]:
        v, s = id_value(label)
        k = rng.choice(SCREAMING[label])
        body[k] = P(v, label, k + '-' + s)
    region = COUNTRY_PHONE.get(country, country)
    if region:
        ph, ps = phone(region)
        k = rng.choice(['MOBILE_NO', 'HP_NO', 'TEL_NO', 'CONTACT_NO', 'MOB_NUM'])
        body[k] = P(ph, 'phone', k + '-' + ps)
    if rng.random() < 0.6:
        k = rng.choice(['ACCT_NO', 'ACC_NO', 'CASA_ACCT_NO', 'BANK_ACCT'])
        body[k] = P(digits(rng.choice([9, 10, 12, 14])), 'bank-account', k)
    if rng.random() < 0.5:
        k = rng.choice(['ADDR_LINE1', 'RES_ADDR', 'MAIL_ADDR'])
        body[k] = P(address(loc), 'address', k)
    if rng.random() < 0.4:
        body['PASSPORT_NO'] = I(rng.choice(string.ascii_uppercase) + digits(8))
    if rng.random() < 0.5:
        body['EMAIL_ADDR'] = P(email(loc), 'email', 'EMAIL_ADDR')
    # look-alikes in the same row
    length = rng.choice([9, 10, 12, 13, 16, 18])
    v, cls = random_digits_neg(length)
    body[rng.choice(['REF_NO', 'TXN_REF', 'DOC_ID', 'BATCH_NO', 'SEQ_NO'])] = N(v, cls + '-misleading-key')
    return finish('core-banking-row', body)


def abbreviated_profile():
    country = rng.choice(list(COUNTRY_IDS))
    loc = COUNTRY_LOCALE[country]
    body = {}
    body[rng.choice(['custName', 'nm', 'holderNm', 'fullNm', 'acctHolderName'])] = P(name(loc), 'person-name', 'abbrev-name')
    for label in COUNTRY_IDS[country]:
        v, s = id_value(label)
        k = rng.choice(ABBREV[label])
        body[k] = P(v, label, 'abbrev-' + k + '-' + s)
    if country == 'US' and rng.random() < 0.7:
        body['ssnLast4'] = N(digits(4), 'ssn-last4')
    region = COUNTRY_PHONE.get(country, country)
    if region:
        ph, ps = phone(region)
        k = rng.choice(['mobileno', 'mobNo', 'hpNo', 'telNo', 'cellNo', 'msisdnNo', 'contactNo', 'phoneNo'])
        body[k] = P(ph, 'phone', 'abbrev-' + k + '-' + ps)
    if rng.random() < 0.5:
        k = rng.choice(['emailAddr', 'e_mail', 'mailId', 'emailId'])
        body[k] = P(email(loc), 'email', 'abbrev-' + k)
    if rng.random() < 0.5:
        k = rng.choice(['dob', 'birthDt', 'dtOfBirth', 'tglLahir', 'bday'])
        body[k] = P(dob(), 'date-of-birth', 'abbrev-' + k)
    if rng.random() < 0.4:
        k = rng.choice(['regadd', 'resAddr', 'addr', 'alamat', 'homeAddr'])
        body[k] = P(address(loc), 'address', 'abbrev-' + k)
    if rng.random() < 0.4:
        k = rng.choice(['acctNo', 'bankAcctNo', 'norek', 'accNum'])
        body[k] = P(digits(rng.choice([10, 12, 13])), 'bank-account', 'abbrev-' + k)
    body['updatedAt'] = N(epoch_ms(), 'epoch-ms-number')
    return finish('abbrev-profile', body)


KYC_SCHEMES = {'sg-nric': ['NRIC', 'FIN', 'SG_NRIC', 'NRIC_FIN'], 'in-aadhaar': ['AADHAAR', 'UIDAI', 'AADHAAR_CARD'],
               'in-pan': ['PAN', 'PAN_CARD', 'IN_PAN'], 'cn-resident-id': ['CN_RIC', 'RESIDENT_ID_CARD', 'SHENFENZHENG'],
               'hk-hkid': ['HKID', 'HK_IDENTITY_CARD'], 'tw-national-id': ['TW_NATIONAL_ID', 'ROC_ID'],
               'au-tfn': ['TFN', 'AU_TFN'], 'au-medicare': ['MEDICARE', 'AU_MEDICARE'],
               'jp-my-number': ['MY_NUMBER', 'JP_INDIVIDUAL_NUMBER', 'KOJIN_BANGO'], 'kr-rrn': ['RRN', 'KR_RRN'],
               'my-mykad': ['MYKAD', 'MY_NRIC'], 'id-nik': ['KTP', 'NIK', 'E_KTP'], 'th-national-id': ['THAI_ID', 'TH_CITIZEN_ID'],
               'us-ssn': ['SSN', 'US_SSN']}


def kyc_nested():
    """identities[{scheme, id}] / documents[{docType, docNumber}] / idDocs[{idType, idValue}]."""
    shape = rng.choice([('identities', 'scheme', 'id'), ('documents', 'docType', 'docNumber'),
                        ('idDocs', 'idType', 'idValue'), ('proofs', 'proofType', 'proofNo'),
                        ('kycDocuments', 'documentKind', 'value')])
    lst, tkey, vkey = shape
    items = []
    for _ in range(rng.randrange(1, 4)):
        r = rng.random()
        if r < 0.75:
            label = rng.choice(list(KYC_SCHEMES))
            v, s = id_value(label)
            items.append({tkey: rng.choice(KYC_SCHEMES[label]), vkey: P(v, label, f'{lst}.{vkey}-{s}'),
                          'issuingCountry': rng.choice(['SG', 'IN', 'CN', 'HK', 'AU', 'MY']),
                          'verified': rng.random() < 0.5})
        elif r < 0.85:
            items.append({tkey: 'PASSPORT', vkey: I(rng.choice(string.ascii_uppercase) + digits(8)),
                          'expiry': N((TODAY + timedelta(days=rng.randrange(3000))).isoformat(), 'iso-date')})
        elif r < 0.93:
            ph, ps = phone()
            items.append({tkey: rng.choice(['MOBILE', 'PHONE', 'MSISDN']), vkey: P(ph, 'phone', f'{lst}.{vkey}-{ps}')})
        else:
            items.append({tkey: rng.choice(['UTILITY_BILL', 'BANK_STATEMENT']),
                          vkey: N(digits(rng.choice([10, 12, 14])), 'bill-reference-under-doc-type')})
    body = {'applicationId': N('APP-' + digits(10), 'application-id'), 'customer': {lst: items},
            'submittedAt': N(iso_ts(), 'iso-timestamp')}
    if rng.random() < 0.4:
        body['customer'] = {'profile': {'kyc': body['customer']}}
    return finish('kyc-nested', body)


def untyped_documents():
    """Documents with no type: 12-digit (and other) values that are not IDs (internal doc ids)."""
    items = []
    for _ in range(rng.randrange(1, 4)):
        length = rng.choice([12, 12, 12, 9, 13, 16])
        v, cls = random_digits_neg(length)
        items.append({rng.choice(['docId', 'documentId', 'docNo', 'fileRef']): N(v, cls + '-untyped-doc'),
                      'uploadedAt': N(epoch_ms(), 'epoch-ms-number'), 'pages': rng.randrange(1, 9),
                      'sha256': N(sha(64), 'sha256')})
    return finish('untyped-documents', {'documents': items, 'count': len(items)})


FREE_TEXT_KEYS = ['remarks', 'notes', 'comment', 'description', 'memo', 'agentNotes', 'narrative', 'message']


def free_text():
    """Values inside sentences: the leaf holds a sentence, labelled with every value in it."""
    kinds = []
    r = rng.random()
    if r < 0.2:
        v = mk_nric()
        text = rng.choice([f'customer NRIC {v} verified at branch', f'KYC ok, uinfin={v}', f'Called cust ({v}) re: card'])
        kinds.append(('sg-nric', 'free-text'))
    elif r < 0.35:
        v, s = card()
        text = rng.choice([f'Customer disputed charge on card {v} yesterday', f'card no: {v} reported lost'])
        kinds.append(('card-number', 'free-text-' + s))
    elif r < 0.5:
        v, s = phone(styles=('e164', 'intl'))
        text = rng.choice([f'Please call back on {v} after 6pm', f'SMS sent to {v}'])
        kinds.append(('phone', 'free-text-' + s))
    elif r < 0.6:
        v = email()
        text = f'Statement emailed to {v} on request'
        kinds.append(('email', 'free-text'))
    elif r < 0.7:
        v, s = id_value('in-aadhaar')
        text = f'Aadhaar {v} seeded with bank account'
        kinds.append(('in-aadhaar', 'free-text-' + s))
    elif r < 0.78:
        v, s = iban()
        text = f'Refund to IBAN {v} approved'
        kinds.append(('iban', 'free-text-' + s))
    elif r < 0.85:
        v = mk_nric()
        p, ps = phone('SG', styles=('national', 'e164'))
        text = f'Walk-in: NRIC {v}, contact {p}, wants limit increase'
        kinds += [('sg-nric', 'free-text'), ('phone', 'free-text-' + ps)]
    elif r < 0.9:
        v, s = id_value('hk-hkid')
        text = f'HKID {v} copy received'
        kinds.append(('hk-hkid', 'free-text-' + s))
    else:
        # negative sentences full of numbers
        text = rng.choice([f'Order {digits(10)} shipped on {dob("%Y-%m-%d")}, tracking {digits(12)}',
                           f'Txn ref {digits(16)} amount SGD {rng.uniform(1, 9999):.2f} settled',
                           f'Build {digits(8)} deployed at {epoch_ms()}', f'Ticket #{digits(7)} closed by agent {rng.randrange(100, 999)}'])
        key = rng.choice(FREE_TEXT_KEYS)
        return finish('free-text', {'caseId': N('CS-' + digits(8), 'case-id'), key: N(text, 'sentence-with-numbers'),
                                    'createdAt': N(iso_ts(), 'iso-timestamp')})
    key = rng.choice(FREE_TEXT_KEYS)
    body = {'caseId': N('CS-' + digits(8), 'case-id'), key: P(text, kinds, None), 'createdAt': N(iso_ts(), 'iso-timestamp'),
            'agent': N('agent' + digits(3), 'username')}
    return finish('free-text', body)


def headers_map():
    h = {'Content-Type': 'application/json', 'X-Request-Id': N(uid(), 'uuid'),
         'User-Agent': N(rng.choice(['okhttp/4.12.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)',
                                     'MyBankApp/%d.%d.%d (Android 14)' % (rng.randrange(1, 9), rng.randrange(20), rng.randrange(99))]), 'user-agent')}
    r = rng.random()
    if r < 0.35:
        h['Authorization'] = P('Bearer ' + alnum(40), 'bearer-token', 'header-authorization-opaque')
    elif r < 0.55:
        h['X-Api-Key'] = P(hexs(32), 'api-key', 'header-x-api-key')
    elif r < 0.75:
        h['X-Id-Token'] = P(jwt(), 'jwt', 'header-x-id-token')
    if rng.random() < 0.6:
        h['X-Forwarded-For'] = P(FK['en_US'].ipv4_public(), 'ip-address', 'header-x-forwarded-for')
    if rng.random() < 0.3:
        h['X-Client-IPv6'] = P(FK['en_US'].ipv6(), 'ip-address', 'header-ipv6')
    if rng.random() < 0.3:
        v, s = phone(styles=('msisdn', 'e164'))
        h['X-Msisdn'] = P(v, 'phone', 'header-x-msisdn-' + s)
    if rng.random() < 0.25:
        h['X-Customer-Nric'] = P(mk_nric(), 'sg-nric', 'header-x-customer-nric')
    h['X-Trace-Id'] = N(hexs(32), 'trace-id-hex')
    h['X-Timestamp'] = N(str(epoch_ms()), 'epoch-ms-string')
    body = {'method': rng.choice(['GET', 'POST']), 'path': '/v1/customers/' + digits(8), 'headers': h,
            'status': rng.choice([200, 201, 401])}
    return finish('headers', body)


def oauth_token_response():
    body = {'access_token': P(jwt(), 'jwt', 'oauth-access_token'), 'token_type': 'Bearer', 'expires_in': 3600,
            'scope': 'openid accounts', 'id_token': P(jwt(), 'jwt', 'oauth-id_token')}
    if rng.random() < 0.5:
        body['refresh_token'] = P(alnum(48), 'bearer-token', 'oauth-refresh_token')
    if rng.random() < 0.4:
        body['client_secret'] = P(alnum(32), 'api-key', 'oauth-client_secret')
    return finish('oauth-token', body)


def credentials():
    body = {'username': N(FK['en_US'].user_name(), 'username'),
            rng.choice(['password', 'pwd', 'passwd', 'userPassword', 'PASSWORD']): P(FK['en_US'].password(length=rng.randrange(10, 18)), 'password', 'credentials'),
            'rememberMe': True, 'deviceId': N(uid().upper(), 'uuid')}
    if rng.random() < 0.4:
        body['otp'] = N(digits(6), 'otp')
    return finish('login', body)


def bulk_payroll():
    """Bulk array of payout records (payroll / disbursement file as JSON)."""
    country = rng.choice(['SG', 'IN', 'MY', 'ID', 'TH', 'PH', 'VN', 'AU', 'HK'])
    loc = COUNTRY_LOCALE[country]
    recs = []
    for i in range(rng.randrange(3, 6)):
        rec = {'seq': i + 1, 'beneficiaryName': P(name(loc), 'person-name', 'bulk-beneficiaryName'),
               'beneficiaryAcctNo': P(digits(rng.choice([10, 12, 13, 15])), 'bank-account', 'bulk-beneficiaryAcctNo'),
               'bankCode': N(rng.choice(REAL_BICS)[:4] if rng.random() < 0.3 else digits(rng.choice([3, 4, 7])), 'bank-code'),
               'amount': N(round(rng.uniform(100, 20000), 2), 'amount'),
               'txnRef': N(*random_digits_neg(rng.choice([12, 14, 16, 18]))),
               'purposeCode': 'SALA'}
        if country in COUNTRY_IDS and rng.random() < 0.7:
            label = COUNTRY_IDS[country][0]
            v, s = id_value(label)
            rec['beneficiaryIdNo'] = P(v, label, 'bulk-beneficiaryIdNo-' + s)
        if rng.random() < 0.5:
            ph, ps = phone(COUNTRY_PHONE.get(country, country))
            rec['notifyMobile'] = P(ph, 'phone', 'bulk-notifyMobile-' + ps)
        if rng.random() < 0.3:
            rec['beneficiaryBic'] = P(bic(), 'swift-bic', 'bulk-beneficiaryBic')
        recs.append(rec)
    body = {'batchId': N('B' + digits(12), 'batch-id'), 'valueDate': N(TODAY.isoformat(), 'iso-date'),
            'records': recs, 'totalAmount': N(round(sum(r['amount'].value for r in recs), 2), 'amount'),
            'checksum': N(sha(40), 'sha1')}
    return finish('bulk-payroll', body)


def deep_nested():
    country = rng.choice(list(COUNTRY_IDS))
    loc = COUNTRY_LOCALE[country]
    label = rng.choice(COUNTRY_IDS[country])
    v, s = id_value(label)
    k = rng.choice(ABBREV[label] + SCREAMING[label])
    leaf = {k: P(v, label, 'deep-' + s), 'holderName': P(name(loc), 'person-name', 'deep-holderName'),
            'emailAddress': P(email(loc), 'email', 'deep-emailAddress')}
    region = COUNTRY_PHONE.get(country, country)
    if region:
        ph, ps = phone(region)
        leaf['contactNumber'] = P(ph, 'phone', 'deep-contactNumber-' + ps)
    node = leaf
    for key in rng.sample(['data', 'result', 'payload', 'response', 'body', 'customer', 'kyc', 'primary', 'details', 'attributes'], rng.randrange(5, 10)):
        node = {key: node}
    node['ver'] = N('%d.%d.%d' % (rng.randrange(1, 9), rng.randrange(20), rng.randrange(50)), 'version-3-part')
    return finish('deep-nested', node)


def cards_wallet():
    key = rng.choice(['cardNo', 'card_num', 'pan', 'primaryAccountNumber', 'cardNumber', 'CARD_NO', 'ccNumber', 'fpan', 'dpan'])
    items = []
    for _ in range(rng.randrange(1, 4)):
        v, s = card()
        items.append({key: P(v, 'card-number', f'wallet-{key}-{s}'),
                      'expiryDate': N('%02d%02d' % (rng.randrange(1, 13), rng.randrange(26, 32)), 'card-expiry-mmyy'),
                      'tokenRef': N('DNITHE' + digits(18) if rng.random() < 0.5 else uid(), 'token-ref'),
                      'cardholderName': P(FK['en_US'].name().upper(), 'person-name', 'wallet-cardholderName'),
                      'last4': N(''.join(c for c in v if c.isdigit())[-4:], 'card-last4')})
    return finish('cards-wallet', {'walletId': N(uid(), 'uuid'), 'cards': items})


def negatives_order():
    """Look-alikes only: order and reference numbers, epoch millis, 9–19 digit strings under
    innocuous and misleading keys, UUIDs, amounts, postcodes, balances, versions, hashes,
    masked numbers, broken IDs under their own names, invalid phones under phone names."""
    body = {}

    def put(key, value, cls, keep=0.5):
        if rng.random() < keep:
            body[key] = N(value, cls)

    length = rng.choice(range(9, 20))
    v, cls = random_digits_neg(length)
    put(rng.choice(['orderId', 'orderNo', 'order_number']), v, cls, 1)
    length = rng.choice(range(9, 20))
    v, cls = random_digits_neg(length)
    put(rng.choice(['referenceNo', 'refNo', 'docId', 'txnId', 'traceNo', 'customerRef', 'idNo2', 'retrievalRef',
                    'confirmationCode', 'bookingRef']), v, cls + '-misleading-key', 1)
    put('createdAt', epoch_ms(), 'epoch-ms-number')
    put('updatedTs', str(epoch_ms()), 'epoch-ms-string')
    put('requestId', uid(), 'uuid')
    put('amount', '%.2f' % rng.uniform(1, 1e7), 'amount')
    put('availableBalance', round(rng.uniform(-1e4, 1e8), 2), 'balance')
    put('postalCode', rng.choice([digits(6), digits(5), str(rng.randrange(1000, 9999))]), 'postcode')
    put('appVersion', '%d.%d.%d' % (rng.randrange(1, 20), rng.randrange(30), rng.randrange(300)), 'version-3-part')
    put('sdkVersion', '%d.%d.%d.%d' % (rng.randrange(1, 255), rng.randrange(255), rng.randrange(255), rng.randrange(255)), 'version-4-part')
    put('commitSha', sha(40), 'sha1')
    put('payloadHash', sha(64), 'sha256')
    put('gtin', digits(13), 'gtin13')
    put('imei', luhn_digits(15, True), 'imei-luhn15')
    put('invoiceNo', 'INV/%d/%s' % (rng.randrange(2020, 2027), digits(6)), 'invoice-number')
    put('maskedPan', masked_pan(), 'masked-pan')
    put('maskedAccount', 'XXXXXX' + digits(4), 'masked-account')
    label = rng.choice([x for x in MAKERS if x not in ('in-pan', 'us-ssn')])
    k = rng.choice(ABBREV[label])
    # PAN and SSN have no check digit (a changed digit is still valid): never "broken".
    if True:
        body[k] = N(broken(label), 'broken-' + label)
    if rng.random() < 0.5:
        region = rng.choice(PHONE_REGIONS)
        body[rng.choice(['mobileNo', 'msisdn', 'contactNo'])] = N(invalid_phone(region), 'invalid-phone-' + region)
    if rng.random() < 0.3:
        # ISO/IEC 7812 major industry 7 (petroleum) or 9 (national use): no payment-card brand
        while True:
            b = rng.choice('79') + digits(14)
            v = b + luhn.calc_check_digit(b)
            if not card_issuer_prefix(v):
                break
        body['loyaltyCardNo'] = N(v, 'luhn16-mii7or9-loyalty')
    if rng.random() < 0.3:
        body['sortCode'] = N('%02d-%02d-%02d' % (rng.randrange(100), rng.randrange(100), rng.randrange(100)), 'sort-code')
    return finish('negatives', body)


def id_lookup(state={'i': 0}):
    """A small lookup response holding three national IDs, the types taken in turn so every
    checksummed type has enough values to measure 0.99."""
    labels = sorted(MAKERS)
    rec = {}
    for _ in range(3):
        label = labels[state['i'] % len(labels)]
        state['i'] += 1
        v, s = id_value(label)
        k = rng.choice(ABBREV[label] + SCREAMING[label])
        while k in rec:
            k = k + '2'
        rec[k] = P(v, label, 'lookup-' + s)
    return finish('id-lookup', {'match': rec, 'score': N(round(rng.random(), 3), 'score')})


def main():
    plan = [(myinfo_person, 40), (uk_openbanking_accounts, 30), (cdr_account_detail, 30), (cdr_customer, 30),
            (berlin_group_payment, 30), (berlin_group_card_accounts, 30), (stripe_like, 30), (plaid_auth_identity, 20),
            (india_aa_fi, 15), (digilocker, 35), (japanese_profile, 40), (core_banking_row, 130), (abbreviated_profile, 150),
            (kyc_nested, 160), (untyped_documents, 40), (free_text, 140), (headers_map, 60), (oauth_token_response, 20),
            (credentials, 25), (bulk_payroll, 15), (deep_nested, 40), (cards_wallet, 50), (negatives_order, 140),
            (id_lookup, 300)]
    docs = [make() for make, count in plan for _ in range(count)]
    rng.shuffle(docs)
    out = sys.stdout
    out.write('{"seed": %d, "generator": "fresh_gen.py", "documents": [\n' % SEED)
    for i, doc in enumerate(docs):
        out.write(json.dumps(doc, ensure_ascii=False, separators=(',', ':')))
        out.write(',\n' if i + 1 < len(docs) else '\n')
    out.write(']}\n')


if __name__ == '__main__':
    main()
