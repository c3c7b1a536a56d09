#!/usr/bin/env python3
"""A data scraper for bench/attacks.sh: logs in as one customer of the demo bank and pulls every
list it can reach, page after page, as fast as it can, with a browser's user agent.

Standard library only (urllib). It does what a screen-scraping aggregator or a harvesting bot
does with one stolen or legitimate login: the profile, every account with its balances, every
page of every account's transactions (the whole history, then month by month as an incremental
sync would), payments, beneficiaries, cards with their details, webhooks, the legacy /v1 list,
and the internal user list if the token opens it. Then it starts over, until its request or
time budget is spent. It does not stop when refused: it keeps going (a refused list is skipped
for the rest of the pass), so the run shows whether a block holds. Every request carries
`X-Forwarded-For: --xff`, the address the gateway takes it for.

Prints one JSON line on stdout: requests sent, answers by status, and the first refusal.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


class Budget(Exception):
    pass


class Scraper:
    def __init__(self, args):
        self.base = args.base.rstrip("/")
        self.args = args
        self.deadline = time.monotonic() + args.max_seconds
        self.sent = 0
        self.statuses = {}
        self.first_refusal = None
        self.token = None
        self.opener = urllib.request.build_opener(urllib.request.HTTPHandler())

    def request(self, method, path, body=None, form=False):
        if self.sent >= self.args.max_requests or time.monotonic() > self.deadline:
            raise Budget()
        if self.args.delay and self.sent:
            time.sleep(self.args.delay)
        headers = {
            "User-Agent": BROWSER,
            "Accept": "application/json",
            "Accept-Language": "en-SG,en;q=0.9",
            "X-Forwarded-For": self.args.xff,
        }
        data = None
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        self.sent += 1
        try:
            with self.opener.open(req, timeout=10) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except (urllib.error.URLError, OSError) as err:
            status, raw = 0, str(err).encode()
        self.statuses[status] = self.statuses.get(status, 0) + 1
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        if status in (403, 429) and isinstance(doc, dict) and "reason" in doc and self.first_refusal is None:
            # A refusal by the gateway (problem+json with a reason id), not by the bank.
            self.first_refusal = {
                "request": self.sent,
                "status": status,
                "reason": doc.get("reason"),
                "decision": doc.get("decision"),
                "path": path,
            }
        return status, doc

    def login(self):
        self.token = None
        status, doc = self.request(
            "POST",
            "/oauth/token",
            {
                "grant_type": "password",
                "username": self.args.username,
                "password": self.args.password,
                "client_id": self.args.client_id,
                "client_secret": self.args.client_secret,
                "scope": "accounts payments cards profile",
            },
            form=True,
        )
        if status == 200 and isinstance(doc, dict):
            self.token = doc.get("access_token")
        return self.token is not None

    def pages(self, path):
        """Follows `links.next` from `path`; yields each page's document."""
        seen = set()
        while path and path not in seen:
            seen.add(path)
            status, doc = self.request("GET", path)
            if status == 401 and self.login():
                status, doc = self.request("GET", path)
            if status != 200 or not isinstance(doc, dict):
                return
            yield doc
            links = doc.get("links") or {}
            nxt = links.get("next")
            if not nxt:
                return
            # The API's links are absolute paths with the query.
            path = urllib.parse.urlsplit(nxt)._replace(scheme="", netloc="").geturl()

    def harvest(self):
        """One pass over everything the login reaches."""
        self.request("GET", "/v2/customers/me")
        accounts = []
        for doc in self.pages("/v2/accounts"):
            accounts += [a.get("accountId") for a in doc.get("data", []) if a.get("accountId")]
        for account in accounts:
            self.request("GET", f"/v2/accounts/{account}")
            self.request("GET", f"/v2/accounts/{account}/balances")
            for _ in self.pages(f"/v2/accounts/{account}/transactions"):
                pass
            # An incremental sync: the history month by month.
            for month in range(1, 13):
                year = 2026
                start = f"{year}-{month:02d}-01"
                end = f"{year}-{month:02d}-28"
                query = urllib.parse.urlencode({"from": start, "to": end})
                for _ in self.pages(f"/v2/accounts/{account}/transactions?{query}"):
                    pass
        for path in ("/v2/payments", "/v2/beneficiaries", "/v2/webhooks"):
            for _ in self.pages(path):
                pass
        cards = []
        for doc in self.pages("/v2/cards"):
            cards += [c.get("cardId") for c in doc.get("data", []) if c.get("cardId")]
        for card in cards:
            self.request("GET", f"/v2/cards/{card}")
        for _ in self.pages("/v1/accounts"):
            pass
        for _ in self.pages("/internal/admin/users?page=1&page_size=200"):
            pass

    def run(self):
        passes = 0
        try:
            if not self.login():
                raise Budget()
            while True:
                self.harvest()
                passes += 1
        except Budget:
            pass
        return passes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--xff", required=True, help="the scraper's address (X-Forwarded-For)")
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between requests (0: as fast as it can)")
    args = parser.parse_args()
    scraper = Scraper(args)
    started = time.monotonic()
    passes = scraper.run()
    print(
        json.dumps(
            {
                "sent": scraper.sent,
                "passes": passes,
                "seconds": round(time.monotonic() - started, 1),
                "statuses": {str(k): v for k, v in sorted(scraper.statuses.items())},
                "first_refusal": scraper.first_refusal,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
