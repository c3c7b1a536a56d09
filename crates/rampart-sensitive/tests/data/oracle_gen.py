#!/usr/bin/env python3
"""Generate labelled identifier cases for rampart-sensitive's oracle test.

Labels come from python-stdnum (`pip install python-stdnum`), an independent implementation of
the issuers' rules. stdnum has no module for the Singapore NRIC, the Hong Kong HKID, the Taiwan
national ID or the Australian Medicare number: for those, this script carries its own
implementation, written from the issuers' published rules (not from the Rust code).

For every type it writes `valid` cases (built by the rule, then confirmed by the oracle) and
near-misses (one character of a valid case changed) that the oracle rejects, and random
look-alikes of the same shape (every digit and letter replaced at random) with the oracle's
verdict, whatever it is. Birth dates stay
before 2025 so that the snapshot remains true as time passes.

Usage: oracle_gen.py [--seed N] [--per-type N] [--out FILE]
"""

import argparse
import datetime
import json
import random
import string
import sys

from stdnum import bic, iban, luhn, numdb
from stdnum.au import tfn
from stdnum.cn import ric
from stdnum.id import nik
from stdnum.in_ import aadhaar, pan
from stdnum.jp import in_ as my_number
from stdnum.kr import rrn
from stdnum.my import nric as mykad
from stdnum.th import pin
from stdnum.us import ssn

LAST_BIRTH_DATE = datetime.date(2024, 12, 31)


def rand_digits(rng, n):
    return ''.join(rng.choice(string.digits) for _ in range(n))


def rand_date(rng, first_year=1900, last=LAST_BIRTH_DATE):
    start = datetime.date(first_year, 1, 1)
    return start + datetime.timedelta(days=rng.randrange((last - start).days + 1))


# ---- own implementations, from the issuers' published rules -------------------------------------

def sg_nric_valid(s):
    """ICA: weights 2,7,6,5,4,3,2; +4 for T/G, +3 for M; mod 11 into the series' table."""
    if len(s) != 9 or s[0] not in 'STFGM' or not s[1:8].isdigit():
        return False
    total = sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), s[1:8]))
    total += {'S': 0, 'F': 0, 'T': 4, 'G': 4, 'M': 3}[s[0]]
    table = {'S': 'JZIHGFEDCBA', 'T': 'JZIHGFEDCBA', 'F': 'XWUTRQPNMLK', 'G': 'XWUTRQPNMLK',
             'M': 'XWUTRQPNJLK'}[s[0]]
    return table[total % 11] == s[8]


def sg_nric_make(rng):
    series = rng.choice('STFGM')
    body = rand_digits(rng, 7)
    for check in string.ascii_uppercase:
        if sg_nric_valid(series + body + check):
            return series + body + check
    raise AssertionError('no check letter')


def hkid_check(prefix, digits):
    """Immigration Department: letters A=10..Z=35 (missing first letter = 36), weights 9..2."""
    letters = prefix if len(prefix) == 2 else ' ' + prefix
    values = [36 if c == ' ' else ord(c) - ord('A') + 10 for c in letters]
    total = values[0] * 9 + values[1] * 8 + sum((7 - i) * int(d) for i, d in enumerate(digits))
    check = (11 - total % 11) % 11
    return 'A' if check == 10 else str(check)


def hkid_valid(s):
    s = s.replace('(', '').replace(')', '')
    if len(s) not in (8, 9):
        return False
    prefix, digits, check = s[:-7], s[-7:-1], s[-1]
    if not prefix.isalpha() or not prefix.isupper() or not digits.isdigit():
        return False
    return hkid_check(prefix, digits) == check


def hkid_make(rng):
    prefix = ''.join(rng.choice(string.ascii_uppercase) for _ in range(rng.choice((1, 1, 1, 2))))
    digits = rand_digits(rng, 6)
    check = hkid_check(prefix, digits)
    return prefix + digits + ('(%s)' % check if rng.random() < 0.5 else check)


TW_LETTERS = dict(zip('ABCDEFGHJKLMNPQRSTUVXYWZIO', range(10, 36)))


def tw_valid(s):
    """Ministry of the Interior: letter code (two digits, weights 1,9), then 8,7,...,1,1; mod 10."""
    if len(s) != 10 or s[0] not in TW_LETTERS or not s[1:].isdigit() or s[1] not in '1289':
        return False
    code = TW_LETTERS[s[0]]
    total = code // 10 + (code % 10) * 9
    total += sum(w * int(d) for w, d in zip((8, 7, 6, 5, 4, 3, 2, 1, 1), s[1:]))
    return total % 10 == 0


def tw_make(rng):
    body = rng.choice(string.ascii_uppercase) + rng.choice('1289') + rand_digits(rng, 7)
    for check in string.digits:
        if tw_valid(body + check):
            return body + check
    raise AssertionError('no check digit')


def medicare_valid(s):
    """Services Australia: first digit 2-6, weights 1,3,7,9,1,3,7,9 mod 10 = 9th digit, issue
    number 1-9, optional IRN 1-9."""
    s = s.replace(' ', '').replace('/', '')
    if len(s) not in (10, 11) or not s.isdigit() or s[0] not in '23456':
        return False
    if s[9] == '0' or (len(s) == 11 and s[10] == '0'):
        return False
    return sum(w * int(d) for w, d in zip((1, 3, 7, 9, 1, 3, 7, 9), s)) % 10 == int(s[8])


def medicare_make(rng):
    ident = rng.choice('23456') + rand_digits(rng, 7)
    check = sum(w * int(d) for w, d in zip((1, 3, 7, 9, 1, 3, 7, 9), ident)) % 10
    number = ident + str(check) + rng.choice('123456789')
    if rng.random() < 0.5:
        number += rng.choice('123456789')
    return number


# ---- builders for the stdnum-backed types ------------------------------------------------------

def card_make(rng):
    prefix = rng.choice(['4', '51', '55', '2221', '2720', '34', '37', '6011', '62', '3530', '36', '65'])
    length = rng.choice([13, 14, 15, 16, 16, 16, 17, 18, 19])
    body = prefix + rand_digits(rng, length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


def iban_formats():
    formats = []
    with open(numdb.__file__.replace('numdb.py', 'iban.dat'), encoding='utf-8') as dat:
        for line in dat:
            if line.startswith('#') or not line.strip():
                continue
            cc = line[:2]
            structure = line.split('bban="')[1].split('"')[0]
            formats.append((cc, structure))
    return formats


def iban_make(rng, formats):
    cc, structure = rng.choice(formats)
    bban = ''
    count = ''
    for ch in structure:
        if ch.isdigit():
            count += ch
        elif ch == '!':
            continue
        else:
            alphabet = {'n': string.digits, 'a': string.ascii_uppercase,
                        'c': string.digits + string.ascii_uppercase}[ch]
            bban += ''.join(rng.choice(alphabet) for _ in range(int(count)))
            count = ''
    return cc + iban.calc_check_digits(cc + '00' + bban) + bban


def bic_make(rng):
    countries = sorted(bic._country_codes)
    alnum = string.ascii_uppercase + string.digits
    code = ''.join(rng.choice(string.ascii_uppercase) for _ in range(4)) + rng.choice(countries)
    code += ''.join(rng.choice(alnum) for _ in range(2))
    if rng.random() < 0.5:
        code += ''.join(rng.choice(alnum) for _ in range(3))
    return code


def aadhaar_make(rng):
    from stdnum import verhoeff
    body = rng.choice('23456789') + rand_digits(rng, 10)
    return body + verhoeff.calc_check_digit(body)


def pan_make(rng):
    letters = string.ascii_uppercase
    return (''.join(rng.choice(letters) for _ in range(3)) + rng.choice('PCHFATBLJG')
            + rng.choice(letters) + '%04d' % rng.randrange(1, 10000) + rng.choice(letters))


def cn_make(rng, prefixes):
    while True:
        prefix = rng.choice(prefixes)
        born = rand_date(rng)
        body = prefix + born.strftime('%Y%m%d') + rand_digits(rng, 3)
        number = body + ric.calc_check_digit(body + '0')
        if ric.is_valid(number):
            return number


def cn_prefixes():
    """Six-digit division codes that stdnum knows, read from its data file's nesting."""
    prefixes = []
    stack = []
    with open(numdb.__file__.replace('numdb.py', 'cn/loc.dat'), encoding='utf-8') as dat:
        for line in dat:
            if not line.strip() or line.startswith('#'):
                continue
            indent = len(line) - len(line.lstrip(' '))
            code = line.strip().split(' ')[0]
            level = indent // 2
            stack[level:] = [code]
            full = ''.join(stack)
            if len(full) == 6:
                prefixes.append(full)
    return prefixes


def tfn_make(rng):
    while True:
        length = rng.choice((8, 9, 9, 9))
        body = rand_digits(rng, length - 1)
        for check in string.digits:
            if tfn.is_valid(body + check):
                return body + check


def my_number_make(rng):
    body = rand_digits(rng, 11)
    return body + my_number.calc_check_digit(body)


def rrn_make(rng):
    while True:
        born = rand_date(rng)
        if born.year < 2000:
            gender = rng.choice('1256')
        else:
            gender = rng.choice('3478')
        body = born.strftime('%y%m%d') + gender + '%02d' % rng.randrange(0, 97) + rand_digits(rng, 3)
        number = body + rrn.calc_check_digit(body)
        if rrn.is_valid(number, allow_future=False):
            return number


MYKAD_PLACES = ['%02d' % p for p in list(range(1, 17)) + list(range(21, 69)) + [71, 72]
                + list(range(74, 80)) + list(range(82, 94)) + [98, 99]]


def mykad_make(rng):
    born = rand_date(rng, 1930)
    return born.strftime('%y%m%d') + rng.choice(MYKAD_PLACES) + rand_digits(rng, 4)


NIK_PROVINCES = ['11', '12', '13', '14', '15', '16', '17', '18', '19', '21', '31', '32', '33', '34',
                 '35', '36', '51', '52', '53', '61', '62', '63', '64', '71', '72', '73', '74', '75',
                 '76', '81', '82', '91', '94']


def nik_make(rng):
    born = rand_date(rng, 1930)
    day = born.day + (40 if rng.random() < 0.5 else 0)
    return (rng.choice(NIK_PROVINCES) + '%02d' % rng.randrange(1, 80) + '%02d' % rng.randrange(1, 60)
            + '%02d' % day + born.strftime('%m%y') + '%04d' % rng.randrange(1, 10000))


def th_make(rng):
    body = rng.choice('12345678') + rand_digits(rng, 11)
    return body + pin.calc_check_digit(body)


def ssn_make(rng):
    while True:
        number = '%03d-%02d-%04d' % (rng.randrange(1, 900), rng.randrange(1, 100), rng.randrange(1, 10000))
        if ssn.is_valid(number):
            return number if rng.random() < 0.5 else number.replace('-', '')


# ---- the labelled set ---------------------------------------------------------------------------

def one_char_changed(rng, value):
    """Change one significant character to another of its class (digit->digit, letter->letter)."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    i = rng.choice(positions)
    old = value[i]
    alphabet = string.digits if old.isdigit() else string.ascii_uppercase
    new = rng.choice([c for c in alphabet if c != old])
    return value[:i] + new + value[i + 1:]


def same_shape(rng, value):
    """A random string shaped like `value`: every digit and letter replaced by a random one."""
    return ''.join(rng.choice(string.digits) if c.isdigit()
                   else rng.choice(string.ascii_uppercase) if c.isalpha() else c for c in value)


def spaced(value, groups):
    """Insert spaces as people write the number, e.g. groups (4, 4, 4) for Aadhaar."""
    out, at = [], 0
    for g in groups:
        out.append(value[at:at + g])
        at += g
    if at < len(value):
        out.append(value[at:])
    return ' '.join(out)


def build(seed, per_type):
    rng = random.Random(seed)
    formats = iban_formats()
    prefixes = cn_prefixes()
    types = {
        # name: (maker, oracle, oracle name, presentation)
        'luhn': (card_make, luhn.is_valid, 'stdnum.luhn', lambda v: spaced(v, (4, 4, 4, 4))),
        'iban': (lambda r: iban_make(r, formats), lambda v: iban.is_valid(v, check_country=False),
                 'stdnum.iban (check_country=False)', iban.format),
        'swift_bic': (bic_make, bic.is_valid, 'stdnum.bic', None),
        'in_aadhaar': (aadhaar_make, aadhaar.is_valid, 'stdnum.in_.aadhaar', aadhaar.format),
        'in_pan': (pan_make, pan.is_valid, 'stdnum.in_.pan', None),
        'cn_resident_id': (lambda r: cn_make(r, prefixes), ric.is_valid, 'stdnum.cn.ric', None),
        'au_tfn': (tfn_make, tfn.is_valid, 'stdnum.au.tfn', tfn.format),
        'jp_my_number': (my_number_make, my_number.is_valid, 'stdnum.jp.in_', my_number.format),
        'kr_rrn_legacy': (rrn_make, lambda v: rrn.is_valid(v, allow_future=False), 'stdnum.kr.rrn',
                          rrn.format),
        'my_mykad': (mykad_make, mykad.is_valid, 'stdnum.my.nric', mykad.format),
        'id_nik': (nik_make, nik.is_valid, 'stdnum.id.nik', None),
        'th_national_id': (th_make, pin.is_valid, 'stdnum.th.pin', pin.format),
        'us_ssn': (ssn_make, ssn.is_valid, 'stdnum.us.ssn', None),
        'sg_nric': (sg_nric_make, sg_nric_valid, 'own (ICA rules)', None),
        'hk_hkid': (hkid_make, hkid_valid, 'own (Immigration Department rules)', None),
        'tw_national_id': (tw_make, tw_valid, 'own (Ministry of the Interior rules)', None),
        'au_medicare': (medicare_make, medicare_valid, 'own (Services Australia rules)', None),
    }
    cases = []
    oracles = {}
    for name, (make, oracle, oracle_name, present) in types.items():
        oracles[name] = oracle_name
        valid = []
        while len(valid) < per_type:
            value = make(rng)
            if oracle(value) and value not in valid:
                valid.append(value)
        for value in valid:
            shown = present(value) if present and rng.random() < 0.4 else value
            cases.append({'type': name, 'value': shown, 'valid': True, 'kind': 'built'})
        misses = 0
        attempts = 0
        while misses < per_type and attempts < per_type * 50:
            attempts += 1
            changed = one_char_changed(rng, rng.choice(valid))
            if not oracle(changed):
                cases.append({'type': name, 'value': changed, 'valid': False, 'kind': 'near_miss'})
                misses += 1
        for _ in range(per_type * 2 // 3):
            lookalike = same_shape(rng, rng.choice(valid))
            cases.append({'type': name, 'value': lookalike, 'valid': bool(oracle(lookalike)),
                          'kind': 'random'})
    return {'generator': 'tests/data/oracle_gen.py', 'seed': seed, 'per_type': per_type,
            'oracles': oracles, 'cases': cases}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seed', type=int, default=20250101)
    parser.add_argument('--per-type', type=int, default=120)
    parser.add_argument('--out', default='-')
    args = parser.parse_args()
    doc = build(args.seed, args.per_type)
    text = json.dumps(doc, ensure_ascii=False, indent=None, separators=(',', ':'))
    # One case per line keeps diffs of the snapshot readable.
    text = text.replace('},{"type"', '},\n{"type"')
    if args.out == '-':
        sys.stdout.write(text + '\n')
    else:
        with open(args.out, 'w', encoding='utf-8') as out:
            out.write(text + '\n')


if __name__ == '__main__':
    main()
