#!/usr/bin/env python3
"""Generate a synthetic but realistic API traffic corpus for the discovery benchmark.

Writes Exchange JSON Lines (docs/exchange-jsonl.md) and, optionally, a HAR 1.2 file of the first N
exchanges (for tools that only read HAR, such as mitmproxy2swagger), plus the ground-truth list of
endpoint templates. Bodies are ~1 KB JSON. Deterministic for a given --seed.

    bench/gen_corpus.py --exchanges 1000000 --jsonl corpus.jsonl --har corpus.har --har-entries 20000 --truth truth.txt
"""
import argparse
import base64
import json
import random
import uuid
from datetime import datetime, timedelta, timezone

HOSTS = ["api.apac-bank.example", "partner.apac-bank.example", "mobile.apac-bank.example"]
WORDS = ["salary", "grocery", "transfer", "rent", "utilities", "dining", "travel", "insurance", "fees", "refund"]
NAMES = ["Tan Mei Ling", "Rahul Sharma", "Li Wei", "Siti Nurhaliza", "Nguyen Van An", "Kim Min-jun",
         "Sato Yuki", "Maria Santos", "Ahmad Faizal", "Chen Jia Hui"]
USERNAMES = ["mei.tan88", "rahul_s", "liwei2024", "siti.n", "an.nguyen", "minjun.kim", "yuki.sato", "msantos",
             "afaizal", "jiahui.chen", "wong.kar.wai", "priya.k", "hiroshi.t", "lee.sy", "budi.s"]


def b64url(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(rng, sub):
    header = b64url({"alg": "RS256", "typ": "JWT", "kid": "k1"})
    now = 1764400000
    payload = b64url({"iss": "https://auth.apac-bank.example", "sub": sub, "aud": "accounts", "iat": now, "exp": now + 900})
    sig = base64.urlsafe_b64encode(rng.randbytes(64)).rstrip(b"=").decode()
    return f"{header}.{payload}.{sig}"


def txn(rng, i):
    return {
        "transactionId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "bookingDate": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        "amount": {"value": round(rng.uniform(1, 5000), 2), "currency": rng.choice(["SGD", "INR", "HKD", "MYR"])},
        "description": f"{rng.choice(WORDS)} {i}",
        "counterparty": {"name": rng.choice(NAMES), "accountNumber": str(rng.randint(10**9, 10**10))},
        "status": rng.choice(["BOOKED", "PENDING"]),
    }


def account(rng, account_id):
    return {
        "accountId": account_id,
        "accountNumber": f"{rng.randint(100, 999)}-{rng.randint(100000, 999999)}-{rng.randint(0, 9)}",
        "currency": "SGD",
        "type": rng.choice(["SAVINGS", "CURRENT", "FIXED_DEPOSIT"]),
        "owner": {"name": rng.choice(NAMES), "email": f"user{rng.randint(1, 99999)}@mail.example", "phone": f"+65 9{rng.randint(1000000, 9999999)}"},
        "balance": {"available": round(rng.uniform(0, 100000), 2), "ledger": round(rng.uniform(0, 100000), 2)},
        "openedOn": f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "branch": {"code": f"B{rng.randint(100, 999)}", "city": rng.choice(["Singapore", "Mumbai", "Hong Kong", "Kuala Lumpur"])},
        "interestRate": round(rng.uniform(0.1, 3.5), 3),
        "overdraftAllowed": rng.random() < 0.2,
        "closedOn": None,
        "lastTransaction": txn(rng, 0),
    }


def ids(rng):
    return {
        "account": str(rng.randint(10**6, 10**8)),
        "txn": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "customer": f"CUST{rng.randint(100000, 999999)}",
        "card": str(rng.randint(10**5, 10**6)),
        "user": rng.choice(USERNAMES) + str(rng.randint(0, 999)),
        "order": str(rng.randint(1, 10**9)),
        "date": f"2026-{rng.randint(1, 11):02d}",
        "hex": "%032x" % rng.getrandbits(128),
    }


# (method, template, response builder); every template is one ground-truth endpoint per host.
def endpoints():
    return [
        ("GET", "/v2/accounts", lambda r, i: {"data": [account(r, str(r.randint(10**6, 10**8))) for _ in range(1)], "meta": {"total": 1}}),
        ("GET", "/v2/accounts/{accountId}", lambda r, i: account(r, i["account"])),
        ("GET", "/v2/accounts/{accountId}/balances", lambda r, i: {"accountId": i["account"], "available": r.uniform(0, 9e4), "ledger": r.uniform(0, 9e4), "asOf": "2026-11-29T10:00:00Z", "holds": [txn(r, k) for k in range(3)]}),
        ("GET", "/v2/accounts/{accountId}/transactions", lambda r, i: {"data": [txn(r, k) for k in range(4)], "links": {"next": f"/v2/accounts/{i['account']}/transactions?page=2"}}),
        ("GET", "/v2/accounts/{accountId}/transactions/{transactionId}", lambda r, i: txn(r, 1) | {"notes": "x" * 600}),
        ("GET", "/v2/customers/me", lambda r, i: {"customerId": i["customer"], "name": r.choice(NAMES), "email": "me@mail.example", "accounts": [account(r, i["account"])]}),
        ("GET", "/v2/customers/{customerId}", lambda r, i: {"customerId": i["customer"], "name": r.choice(NAMES), "nric": "S1234567D", "dob": "1988-04-12", "accounts": [account(r, i["account"])]}),
        ("POST", "/v2/payments", lambda r, i: {"paymentId": i["txn"], "status": "ACCEPTED", "debtor": account(r, i["account"])}),
        ("GET", "/v2/payments/{paymentId}", lambda r, i: {"paymentId": i["txn"], "status": "SETTLED", "debtor": account(r, i["account"])}),
        ("GET", "/v2/cards/{cardId}", lambda r, i: {"cardId": i["card"], "pan": "4111 **** **** 1111", "limits": {"daily": 5000}, "account": account(r, i["account"])}),
        ("POST", "/v2/cards/{cardId}/freeze", lambda r, i: {"cardId": i["card"], "frozen": True, "account": account(r, i["account"])}),
        ("GET", "/v2/statements/{yearMonth}", lambda r, i: {"period": i["date"], "transactions": [txn(r, k) for k in range(4)]}),
        ("GET", "/v1/accounts/{accountId}", lambda r, i: account(r, i["account"])),
        ("GET", "/internal/admin/users/{username}", lambda r, i: {"username": i["user"], "roles": ["customer"], "profile": account(r, i["account"])}),
        ("GET", "/internal/admin/users", lambda r, i: {"users": [{"username": u} for u in USERNAMES[:8]], "page": account(r, i["account"])}),
        ("GET", "/orders/{orderId}/items", lambda r, i: {"orderId": int(i["order"]), "items": [txn(r, k) for k in range(4)]}),
        ("GET", "/files/{fileId}", lambda r, i: {"fileId": i["hex"], "size": r.randint(1, 10**7), "meta": account(r, i["account"])}),
        ("POST", "/oauth/token", lambda r, i: {"access_token": "redacted", "token_type": "Bearer", "expires_in": 900, "scope": "accounts payments", "profile": account(r, i["account"])}),
    ]


PARAM_OF = {"accountId": "account", "transactionId": "txn", "customerId": "customer", "paymentId": "txn",
            "cardId": "card", "yearMonth": "date", "username": "user", "orderId": "order", "fileId": "hex"}


def concrete(template, i):
    out = template
    for name, key in PARAM_OF.items():
        out = out.replace("{" + name + "}", i[key])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exchanges", type=int, default=1_000_000)
    ap.add_argument("--jsonl")
    ap.add_argument("--har")
    ap.add_argument("--har-entries", type=int, default=20_000)
    ap.add_argument("--truth")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    eps = endpoints()
    tokens = [jwt(rng, f"cust-{n}") for n in range(200)]
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    jsonl = open(args.jsonl, "w") if args.jsonl else None
    har_entries = []
    for n in range(args.exchanges):
        host = HOSTS[n % len(HOSTS)]
        method, template, build = eps[rng.randrange(len(eps))]
        i = ids(rng)
        path = concrete(template, i)
        query = [["page", str(rng.randint(1, 9))], ["page_size", "20"]] if template.endswith("transactions") else []
        body = json.dumps(build(rng, i), separators=(",", ":"))
        req_body = None
        if method == "POST":
            req_body = json.dumps({"amount": {"value": round(rng.uniform(1, 900), 2), "currency": "SGD"}, "reference": f"INV-{rng.randint(1, 99999)}"})
        when = start + timedelta(milliseconds=n * 37)
        status = 200 if rng.random() < 0.97 else rng.choice([401, 404, 500])
        req_headers = [["Authorization", "Bearer " + tokens[n % len(tokens)]], ["Accept", "application/json"], ["X-Request-Id", str(n)]]
        if req_body:
            req_headers.append(["Content-Type", "application/json"])
            req_headers.append(["Idempotency-Key", str(uuid.UUID(int=rng.getrandbits(128), version=4))])
        ex = {
            "v": 1,
            "started_at": when.isoformat().replace("+00:00", "Z"),
            "duration_ms": round(rng.uniform(2, 250), 2),
            "client": {"ip": f"203.0.113.{n % 250 + 1}"},
            "source": {"kind": "gateway", "name": "bench"},
            "request": {"method": method, "scheme": "https", "host": host, "path": path, "query": query, "headers": req_headers},
            "response": {"status": status, "headers": [["Content-Type", "application/json"]], "body": {"text": body}},
        }
        if req_body:
            ex["request"]["body"] = {"text": req_body}
        if jsonl:
            jsonl.write(json.dumps(ex, separators=(",", ":")))
            jsonl.write("\n")
        if args.har and len(har_entries) < args.har_entries and host == HOSTS[0]:
            url = f"https://{host}{path}" + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
            entry = {
                "startedDateTime": ex["started_at"], "time": ex["duration_ms"],
                "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "cookies": [],
                            "headers": [{"name": k, "value": v} for k, v in req_headers],
                            "queryString": [{"name": k, "value": v} for k, v in query], "headersSize": -1, "bodySize": len(req_body or "")},
                "response": {"status": status, "statusText": "OK", "httpVersion": "HTTP/1.1", "cookies": [],
                             "headers": [{"name": "Content-Type", "value": "application/json"}],
                             "content": {"size": len(body), "mimeType": "application/json", "text": body},
                             "redirectURL": "", "headersSize": -1, "bodySize": len(body)},
                "cache": {}, "timings": {"send": 0, "wait": ex["duration_ms"], "receive": 0},
            }
            if req_body:
                entry["request"]["postData"] = {"mimeType": "application/json", "text": req_body}
            har_entries.append(entry)
    if jsonl:
        jsonl.close()
    if args.har:
        with open(args.har, "w") as f:
            json.dump({"log": {"version": "1.2", "creator": {"name": "rampart-bench", "version": "1"}, "entries": har_entries}}, f)
    if args.truth:
        with open(args.truth, "w") as f:
            for method, template, _ in eps:
                f.write(f"{method} {template}\n")


if __name__ == "__main__":
    main()
