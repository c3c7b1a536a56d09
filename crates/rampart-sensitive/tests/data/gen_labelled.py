#!/usr/bin/env python3
"""Labelled field/value records for tests/labelled.rs, from generators independent of the Rust
detectors: Faker for realistic personal data, python-stdnum to compute and check the check
digits of national IDs, and (for SG NRIC, HKID, TW ID, Medicare, which stdnum lacks) the
issuers' rules implemented in Python in oracle_gen.py beside this file.

Each record: {"field": name or null, "value": str, "label": type name or null}. Positives come
the way APIs carry them: under a field name in one of several naming styles, or — for formats
distinctive enough to stand alone — under a generic name or in their official grouping.
Negatives are look-alikes: order numbers, timestamps, random digit strings of the same lengths
(re-drawn when stdnum says they happen to be valid), UUIDs, amounts, invalid phone numbers, and
checksum-broken IDs under the IDs' own field names.

    pip install faker python-stdnum
    python3 gen_labelled.py > labelled.json      # fixed seed: the output is reproducible
"""
import json
import random
import re
import string
import sys
import uuid

from faker import Faker
from stdnum import iban as std_iban, luhn, verhoeff
from stdnum.au import tfn
from stdnum.cn import ric
from stdnum.id import nik
from stdnum.in_ import aadhaar, pan
from stdnum.jp import in_ as my_number
from stdnum.kr import rrn
from stdnum.my import nric as mykad
from stdnum.th import pin
from stdnum.us import ssn

sys.path.insert(0, __file__.rsplit('/', 1)[0] if '/' in __file__ else '.')
import oracle_gen as og  # noqa: E402  (own Python rules for NRIC, HKID, TW ID, Medicare)

SEED = 20240917
PER_TYPE = 150
rng = random.Random(SEED)
fake = Faker(['en_US', 'en_AU', 'en_IN', 'zh_CN', 'ja_JP', 'ko_KR', 'id_ID', 'th_TH', 'vi_VN'])
Faker.seed(SEED)


def styles(words):
    """One of the naming styles APIs use for a multi-word name."""
    style = rng.randrange(5)
    if style == 0:
        return '_'.join(words)
    if style == 1:
        return words[0] + ''.join(w.capitalize() for w in words[1:])
    if style == 2:
        return '-'.join(words)
    if style == 3:
        return ''.join(w.capitalize() for w in words)
    return '_'.join(words).upper()


NAMES = {
    'card-number': [['card', 'number'], ['card', 'no'], ['pan'], ['primary', 'account', 'number'], ['credit', 'card']],
    'iban': [['iban'], ['payee', 'iban'], ['beneficiary', 'iban']],
    'swift-bic': [['swift', 'code'], ['bic'], ['beneficiary', 'bic']],
    'sg-nric': [['nric'], ['customer', 'nric'], ['nric', 'fin']],
    'in-aadhaar': [['aadhaar'], ['aadhaar', 'number'], ['aadhar', 'no']],
    'in-pan': [['pan', 'number'], ['pan', 'card']],
    'cn-resident-id': [['resident', 'id'], ['shenfenzheng'], ['sfzh']],
    'hk-hkid': [['hkid'], ['hk', 'id']],
    'tw-national-id': [['tw', 'id'], ['national', 'id']],
    'au-tfn': [['tfn'], ['tax', 'file', 'number']],
    'au-medicare': [['medicare', 'number'], ['medicare']],
    'jp-my-number': [['my', 'number'], ['kojin', 'bango']],
    'kr-rrn': [['rrn'], ['resident', 'registration', 'number']],
    'my-mykad': [['mykad'], ['no', 'kp'], ['ic', 'number']],
    'id-nik': [['nik'], ['nomor', 'ktp']],
    'th-national-id': [['thai', 'id'], ['citizen', 'id']],
    'us-ssn': [['ssn'], ['social', 'security', 'number']],
    'phone': [['phone'], ['mobile'], ['mobile', 'number'], ['contact', 'no'], ['tel']],
    'email': [['email'], ['email', 'address'], ['contact', 'email']],
    'ip-address': [['ip', 'address'], ['client', 'ip']],
    'date-of-birth': [['dob'], ['date', 'of', 'birth'], ['birth', 'date']],
    'person-name': [['full', 'name'], ['first', 'name'], ['last', 'name'], ['account', 'holder']],
    'address': [['address'], ['home', 'address'], ['street']],
}
GENERIC = [['value'], ['id'], ['ref'], ['data'], ['identifier'], ['code'], ['number']]


def named(kind):
    return styles(rng.choice(NAMES[kind]))


def generic():
    return styles(rng.choice(GENERIC)) if rng.random() < 0.8 else None


def group(value, sizes, sep):
    out, at = [], 0
    for g in sizes:
        out.append(value[at:at + g])
        at += g
    return sep.join(out)


# ---- positives: (kind, value, official grouping or None, distinctive alone?) ---------------------

def card():
    while True:
        value = fake['en_US'].credit_card_number()
        # Faker draws some JCB numbers from 3500-3527, outside JCB's published 3528-3589 range:
        # those are not card numbers of any network.
        if luhn.is_valid(value) and not (value.startswith('35') and not 3528 <= int(value[:4]) <= 3589):
            break
    grouped = group(value, [4] * (len(value) // 4) + ([len(value) % 4] if len(value) % 4 else []), rng.choice(' -'))
    return value, grouped if len(value) == 16 else None, False


def phone():
    """E.164 from each country's real mobile prefixes, written as people do."""
    cc, nsn = rng.choice([
        ('65', rng.choice('89') + og.rand_digits(rng, 7)),
        ('91', rng.choice('6789') + og.rand_digits(rng, 9)),
        ('86', '1' + rng.choice('3589') + og.rand_digits(rng, 9)),
        ('852', rng.choice('569') + og.rand_digits(rng, 7)),
        ('61', '4' + og.rand_digits(rng, 8)),
        ('81', rng.choice(['70', '80', '90']) + og.rand_digits(rng, 8)),
        ('82', '10' + og.rand_digits(rng, 8)),
        ('62', '8' + rng.choice('123578') + og.rand_digits(rng, 8)),
        ('60', '1' + rng.choice('0123456789') + og.rand_digits(rng, 7)),
        ('63', '9' + og.rand_digits(rng, 9)),
        ('66', rng.choice('689') + og.rand_digits(rng, 8)),
        ('84', rng.choice('35789') + og.rand_digits(rng, 8)),
    ])
    style = rng.randrange(3)
    if style == 0:
        return '+' + cc + nsn, None, True
    if style == 1:
        return '+' + cc + ' ' + group(nsn, [4, 4, 4], ' ').strip(), None, True
    national = ('' if cc in ('65', '852') else '0') + nsn
    return national, None, False


def dob():
    d = og.rand_date(rng, 1930, og.LAST_BIRTH_DATE.replace(year=2006))
    fmt = rng.choice(['%Y-%m-%d', '%d/%m/%Y', '%Y%m%d', '%Y-%m-%dT00:00:00Z'])
    return d.strftime(fmt), None, False


# Some makers return their value already grouped; group it ourselves from bare digits.
for _name in ['aadhaar_make', 'tfn_make', 'medicare_make', 'my_number_make', 'rrn_make', 'mykad_make',
              'nik_make', 'th_make', 'ssn_make']:
    setattr(og, _name, (lambda make: (lambda r: re.sub(r'[^0-9]', '', make(r))))(getattr(og, _name)))

MAKERS = {
    'card-number': card,
    'iban': lambda: (lambda v: (v, group(v, [4] * 9, ' ').strip(), True))(og.iban_make(rng, IBAN_FORMATS)),
    'swift-bic': lambda: (fake['en_US'].swift(), None, False),
    'sg-nric': lambda: (og.sg_nric_make(rng), None, True),
    'in-aadhaar': lambda: (lambda v: (v, group(v, [4, 4, 4], ' '), False))(og.aadhaar_make(rng)),
    'in-pan': lambda: (og.pan_make(rng), None, True),
    'cn-resident-id': lambda: (og.cn_make(rng, CN_PREFIXES), None, True),
    'hk-hkid': lambda: (lambda v: (v, None, True))(og.hkid_make(rng)),
    'tw-national-id': lambda: (og.tw_make(rng), None, True),
    'au-tfn': lambda: (lambda v: (v, group(v, [3, 3, 3], ' ') if len(v) == 9 else None, False))(og.tfn_make(rng)),
    'au-medicare': lambda: (lambda v: (v, group(v, [4, 5, 1], ' ') if len(v) == 10 else None, False))(og.medicare_make(rng)),
    'jp-my-number': lambda: (og.my_number_make(rng), None, False),
    'kr-rrn': lambda: (lambda v: (v, v[:6] + '-' + v[6:], False))(og.rrn_make(rng)),
    'my-mykad': lambda: (lambda v: (v, group(v, [6, 2, 4], '-'), False))(og.mykad_make(rng)),
    'id-nik': lambda: (og.nik_make(rng), None, False),
    'th-national-id': lambda: (lambda v: (v, group(v, [1, 4, 5, 2, 1], '-'), False))(og.th_make(rng)),
    'us-ssn': lambda: (lambda v: (v, group(v, [3, 2, 4], '-'), False))(og.ssn_make(rng)),
    'phone': phone,
    'email': lambda: (fake.email(), None, True),
    'ip-address': lambda: (fake.ipv4_public() if rng.random() < 0.7 else fake.ipv6(), None, False),
    'date-of-birth': dob,
    'person-name': lambda: (fake['en_US'].name() if rng.random() < 0.5 else fake['en_AU'].name(), None, False),
    'address': lambda: (fake['en_AU'].address().replace('\n', ', '), None, False),
}

CHECKS = {  # independent label checks (stdnum, or the Python issuer rules)
    'card-number': luhn.is_valid, 'iban': std_iban.is_valid, 'sg-nric': og.sg_nric_valid,
    'in-aadhaar': aadhaar.is_valid, 'in-pan': pan.is_valid, 'cn-resident-id': ric.is_valid,
    'hk-hkid': og.hkid_valid, 'tw-national-id': og.tw_valid, 'au-tfn': tfn.is_valid,
    'au-medicare': og.medicare_valid, 'jp-my-number': my_number.is_valid, 'kr-rrn': rrn.is_valid,
    'my-mykad': mykad.is_valid, 'id-nik': nik.is_valid, 'th-national-id': pin.is_valid,
    'us-ssn': ssn.is_valid,
}

IBAN_FORMATS = og.iban_formats()
CN_PREFIXES = og.cn_prefixes()


def positives():
    out = []
    for kind, make in MAKERS.items():
        for _ in range(PER_TYPE):
            check = CHECKS.get(kind)
            # The label check has the last word: a draw it rejects (e.g. an IBAN whose national
            # check digits stdnum also verifies) is drawn again.
            for _ in range(100):
                value, official, distinctive = make()
                if check is None or check(value):
                    break
            else:
                raise SystemExit(f'no valid {kind} in 100 draws')
            how = rng.random()
            if official and how < 0.3:
                out.append({'field': generic(), 'value': official, 'label': kind})
            elif distinctive and how < 0.6:
                out.append({'field': generic(), 'value': value, 'label': kind})
            else:
                out.append({'field': named(kind), 'value': official if official and how < 0.7 else value,
                            'label': kind})
    return out


# ---- negatives -----------------------------------------------------------------------------------

def valid_anything(value):
    digits = re.sub(r'[^0-9A-Za-z]', '', value)
    return any(check(digits) for check in CHECKS.values() if check is not luhn.is_valid)


def negatives():
    out = []
    for _ in range(400):
        out.append({'field': styles(['order', 'id']), 'value': 'ORD-' + og.rand_digits(rng, rng.choice([8, 10, 12]))})
        out.append({'field': styles(['created', 'at']), 'value': fake.iso8601()})
        out.append({'field': 'timestamp', 'value': str(rng.randrange(1_500_000_000_000, 1_800_000_000_000))})
        out.append({'field': styles(['request', 'id']), 'value': str(uuid.UUID(int=rng.getrandbits(128)))})
        out.append({'field': 'amount', 'value': '%d.%02d' % (rng.randrange(0, 10_000_000), rng.randrange(100))})
        out.append({'field': styles(['transaction', 'ref']), 'value': og.rand_digits(rng, 16)})
        # Random digit strings of the lengths of every numeric ID, under generic names.
        length = rng.choice([8, 9, 10, 11, 12, 13, 15, 16, 18, 19])
        value = og.rand_digits(rng, length)
        while valid_anything(value):
            value = og.rand_digits(rng, length)
        out.append({'field': generic(), 'value': value})
        # Phone-like but invalid: wrong length or leading digit for the country.
        out.append({'field': styles(['mobile']), 'value': '+65 ' + rng.choice('1247') + og.rand_digits(rng, 7)})
        out.append({'field': styles(['phone']), 'value': '+61 4' + og.rand_digits(rng, rng.choice([5, 10]))})
    # Checksum-broken IDs under their own field names: the value decides.
    for kind in CHECKS:
        if kind == 'kr-rrn':
            continue  # RRNs issued since October 2020 carry no check digit: a "broken" one is not a negative
        for _ in range(60):
            value, _, _ = MAKERS[kind]()
            broken = og.one_char_changed(rng, value)
            if not CHECKS[kind](broken) and not valid_anything(broken) and not luhn.is_valid(broken):
                out.append({'field': named(kind), 'value': broken})
    for record in out:
        record['label'] = None
    return out


def main():
    records = positives() + negatives()
    rng.shuffle(records)
    json.dump({'seed': SEED, 'generator': 'gen_labelled.py', 'records': records}, sys.stdout, ensure_ascii=False,
              indent=0)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
