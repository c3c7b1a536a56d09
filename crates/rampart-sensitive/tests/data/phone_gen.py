"""Phone numbering-plan cases for tests/phone_plans.rs, labelled by libphonenumber (the Python
`phonenumbers` port) rather than by the crate's own rules.

For each region the crate covers (the APAC countries, then the US): valid mobile and fixed-line
numbers (libphonenumber's example number with its trailing digits randomised until
`is_valid_number` holds), written E.164 and in the national format; and invalid numbers (the
country code and 6–11 random digits that `is_valid_number` rejects), written E.164. Fixed seed; run `python3 tests/data/phone_gen.py >
tests/data/phone_cases.json` (phonenumbers 9.x) to regenerate.
"""
import json
import random

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# US last, so the cases of the other regions stay as they were before it was added.
REGIONS = ['SG', 'IN', 'CN', 'HK', 'AU', 'JP', 'KR', 'ID', 'MY', 'PH', 'TH', 'VN', 'US']
VALID_PER_KIND = 40
INVALID_PER_REGION = 60

rng = random.Random(20241129)


def digits(n):
    return ''.join(rng.choice('0123456789') for _ in range(n))


def valid(region, kind):
    example = phonenumbers.example_number_for_type(region, kind)
    nsn = str(example.national_number)
    while True:
        keep = rng.randrange(1, 3)
        candidate = nsn[:keep] + digits(len(nsn) - keep)
        number = phonenumbers.parse('+%d%s' % (example.country_code, candidate))
        # +1 is shared by the NANP countries: a US case must be a US number (not a Caribbean one).
        in_region = region != 'US' or phonenumbers.is_valid_number_for_region(number, region)
        if phonenumbers.is_valid_number(number) and in_region and phonenumbers.number_type(number) in (
            kind,
            PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return number


def invalid(region):
    code = phonenumbers.country_code_for_region(region)
    while True:
        candidate = str(code) + digits(rng.randrange(6, 12))
        try:
            number = phonenumbers.parse('+' + candidate)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            return '+' + candidate


def main():
    cases = []
    for region in REGIONS:
        for kind, name in ((PhoneNumberType.MOBILE, 'mobile'), (PhoneNumberType.FIXED_LINE, 'fixed')):
            for _ in range(VALID_PER_KIND):
                number = valid(region, kind)
                cases.append({
                    'region': region,
                    'kind': name,
                    'valid': True,
                    'e164': phonenumbers.format_number(number, PhoneNumberFormat.E164),
                    'national': phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
                })
        for _ in range(INVALID_PER_REGION):
            cases.append({'region': region, 'kind': 'invalid', 'valid': False, 'e164': invalid(region)})
    # One case a line, so a regenerated file diffs readably.
    print('{"generator": "phone_gen.py", "phonenumbers": %s, "cases": [' % json.dumps(phonenumbers.__version__))
    print(',\n'.join(json.dumps(case) for case in cases))
    print(']}')


if __name__ == '__main__':
    main()
