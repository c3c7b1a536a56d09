#!/usr/bin/env node
// End-to-end test of the Rampart dashboard in headless Chromium (playwright-core, no test runner).
//
// Each step does what a person would and checks what they would see (the text on the page), with
// a screenshot per page. Waits are conditions with timeouts, never fixed sleeps. The first failing
// step stops the run with a message, a FAILED-*.png screenshot and exit code 1.
//
// Environment:
//   RAMPART_URL            control-plane base URL (default http://127.0.0.1:9090)
//   RAMPART_TOKEN          an admin token (required; the admin step 8 needs the admin role)
//   RAMPART_VIEWER_TOKEN   a viewer token (required)
//   RAMPART_ATTACKER_IP    the demo's credential stuffer (default 198.18.5.66)
//   SCREENSHOT_DIR         where the PNG screenshots go (default e2e/screenshots)
//   CHROMIUM               the browser binary (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS         how long one condition may take to come true (default 15000)
//   E2E_TRACE              set to log every API call the pages make
//   E2E_DECISION_VALUE     the address the decision form test blocks for 15 minutes, then lifts
//                          (default 198.51.100.250, a documentation address)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.RAMPART_URL || 'http://127.0.0.1:9090').replace(/\/+$/, '');
const TOKEN = process.env.RAMPART_TOKEN || '';
const VIEWER_TOKEN = process.env.RAMPART_VIEWER_TOKEN || '';
const ATTACKER = process.env.RAMPART_ATTACKER_IP || '198.18.5.66';
const SHOTS = path.resolve(process.env.SCREENSHOT_DIR || path.join(here, 'screenshots'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000);
const DECISION_VALUE = process.env.E2E_DECISION_VALUE || '198.51.100.250';
const CARD_PATH = '/v2/cards/{cardId}';
const VIEWPORT = { width: 1366, height: 768 };
const E2E_SPEC_NAME = 'e2e-dashboard-test.openapi.yaml';
const E2E_SPEC = `openapi: 3.0.3
info:
  title: Rampart dashboard e2e test
  version: 0.0.1
paths:
  /e2e/ping:
    get:
      operationId: e2ePing
      responses:
        '200':
          description: pong
`;

function usage(msg) {
  console.error(`dashboard.mjs: ${msg}`);
  console.error('usage: RAMPART_URL=http://127.0.0.1:9090 RAMPART_TOKEN=rmp_... RAMPART_VIEWER_TOKEN=rmp_... node e2e/dashboard.mjs  (Node 20+)');
  process.exit(2);
}
if (!TOKEN) usage('RAMPART_TOKEN (an operator or admin token) is not set');
if (!VIEWER_TOKEN) usage('RAMPART_VIEWER_TOKEN (a viewer token) is not set');
if (!fs.existsSync(CHROMIUM)) usage(`no browser at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`);
fs.mkdirSync(SHOTS, { recursive: true });

// ------------------------------------------------------------------ helpers

class CheckFailed extends Error {}

function fail(msg) {
  throw new CheckFailed(msg);
}

/** Polls `fn` until it returns a truthy value; fails with `what` (and the last value seen). */
async function until(what, fn, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      const seen = lastErr ? ` (last error: ${lastErr.message.split('\n')[0]})` : '';
      fail(`timed out after ${timeout} ms waiting for ${what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the locator is visible and returns its visible text. */
async function visibleText(locator, what) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
  } catch {
    fail(`${what} is not shown`);
  }
  return (await locator.first().innerText()).trim();
}

/** Waits until the locator's visible text matches `re`; returns the text. */
async function textMatches(locator, re, what) {
  let text = '';
  await until(`${what} to read ${re}`, async () => {
    if (!(await locator.first().isVisible())) return false;
    text = (await locator.first().innerText()).trim();
    return re.test(text);
  }).catch((e) => fail(`${e.message}; it reads ${JSON.stringify(text)}`));
  return text;
}

/** Waits until a list panel has shown the answer to its latest filters (no aria-busy). */
async function settled(panel, what) {
  await until(`${what} to finish loading`, async () => (await panel.count()) > 0 && (await panel.first().getAttribute('aria-busy')) === null);
}

function toNumber(text) {
  const n = Number(String(text).replace(/[^0-9.-]/g, ''));
  return Number.isFinite(n) ? n : NaN;
}

/** A regular expression matching exactly this text. */
const exact = (text) => new RegExp(`^${String(text).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);

/** CSS attribute value, quoted. */
const q = (v) => JSON.stringify(String(v));

/** Runs of 13–19 digits (single spaces or dashes between them allowed) that pass the Luhn check. */
function luhnPans(text) {
  const out = [];
  for (const m of String(text).matchAll(/\d(?:[ -]?\d){12,18}/g)) {
    const digits = m[0].replace(/\D/g, '');
    let sum = 0;
    for (let i = 0; i < digits.length; i += 1) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    if (sum % 10 === 0) out.push(m[0]);
  }
  return out;
}

async function shot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  // The header is sticky: from the top, a full-page screenshot shows it where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {});
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A page whose script errors and CSP violations fail the step that caused them. */
function watch(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught error in the page: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) {
      problems.push(`CSP violation: ${text}`);
    }
  });
  page.problems = problems;
  return page;
}
function noProblems(page) {
  if (page.problems.length) fail(page.problems.join('\n'));
}

async function api(method, route, token, body) {
  const res = await fetch(`${BASE}/api/v1${route}`, {
    method,
    headers: Object.assign({ Authorization: `Bearer ${token}`, Accept: 'application/json' }, body ? { 'Content-Type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

// ------------------------------------------------------------------ steps

let browser;
let passed = 0;
let failed = 0;
let current = null; // the page the running step works on, for the failure screenshot
const notes = [];

async function step(n, name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    if (current) noProblems(current);
    passed += 1;
    console.log(`ok ${n} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed += 1;
    console.log(`not ok ${n} - ${name}`);
    console.log(`  ${String(e instanceof CheckFailed ? e.message : e.stack || e).split('\n').join('\n  ')}`);
    if (current) {
      try {
        const f = await shot(current, `FAILED-step${n}`);
        console.log(`  screenshot: ${f}`);
        console.log(`  page: ${current.url()}`);
      } catch { /* the page may be gone */ }
    }
    throw e;
  }
}

async function newPage() {
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  const page = watch(await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  if (process.env.E2E_TRACE) {
    page.on('response', (r) => { if (r.url().includes('/api/')) console.log(`#   ${r.request().method()} ${r.url().slice(BASE.length)} -> ${r.status()}`); });
  }
  current = page;
  return page;
}

async function gotoNav(page, id, title) {
  await page.getByTestId(`nav-${id}`).click();
  await textMatches(page.getByTestId('page-title'), title, `the ${id} page title`);
}

let findingId = null;
let e2eDecisionId = null;
let uploadedSpecId = null;
let e2eTokenId = null;
const E2E_TOKEN_NAME = 'e2e-temporary';

async function main() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await newPage();

  await step(1, 'overview: signed in from #token=, shadow and sensitive counts, OWASP and traffic charts', async () => {
    await page.goto(`${BASE}/#token=${encodeURIComponent(TOKEN)}`);
    const shadow = toNumber(await visibleText(page.getByTestId('overview-shadow-count'), 'the shadow endpoint count'));
    if (!(shadow > 0)) fail(`the overview shows ${shadow} shadow endpoints; expected more than 0`);
    const sensitive = toNumber(await visibleText(page.getByTestId('overview-sensitive-count'), 'the sensitive endpoint count'));
    if (!(sensitive > 0)) fail(`the overview shows ${sensitive} sensitive endpoints; expected more than 0`);
    // The token is out of the address bar (and so out of history and bookmarks).
    const url = page.url();
    if (url.includes(TOKEN) || /token=/.test(url)) fail(`the token is still in the address bar: ${url}`);
    if (!/#\/overview/.test(url)) fail(`expected to land on #/overview, the address is ${url}`);
    // Who is signed in.
    const name = await visibleText(page.getByTestId('whoami-name'), 'the token name in the header');
    if (!name || name === '?') fail('the header shows no token name');
    await textMatches(page.getByTestId('whoami-role'), /^(operator|admin)$/i, 'the role in the header');
    // OWASP chart: bars with open findings, labelled with the category names.
    const owasp = page.getByTestId('owasp-chart');
    await textMatches(owasp, /API3\s*Broken Object Property Level Authorization/, 'the OWASP chart');
    const bars = await until('OWASP bars with open findings', async () => {
      const counts = await page.getByTestId('owasp-bar').evaluateAll((els) => els.map((e) => {
        const fill = e.querySelector('.fill');
        return { n: Number(e.dataset.count), w: fill ? fill.getBoundingClientRect().width : 0 };
      }));
      const drawn = counts.filter((c) => c.n > 0 && c.w > 0);
      return drawn.length ? drawn : null;
    });
    const shownCounts = await page.getByTestId('owasp-count').allInnerTexts();
    if (!shownCounts.some((t) => toNumber(t) > 0)) fail('the OWASP chart shows no count above 0');
    // Traffic chart: drawn bars and a caption with the totals.
    const chart = page.getByTestId('traffic-chart');
    await chart.waitFor({ state: 'visible' });
    const drawnBars = await until('bars in the traffic chart', async () => {
      const n = await chart.locator('[data-testid="traffic-bar"], [data-testid="traffic-bar-refused"]').evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().height > 0).length);
      return n > 0 ? n : null;
    });
    const caption = await textMatches(page.getByTestId('traffic-summary'), /Last 60 min: [\d,]+ requests/, 'the traffic chart caption');
    if (!(toNumber(caption.match(/([\d,]+) requests/)[1]) > 0)) fail(`the traffic chart caption counts no request: ${caption}`);
    for (const legend of ['Requests passed', 'Refused / blocked', 'Alerts']) {
      await textMatches(page.getByTestId('overview-traffic'), new RegExp(legend.replace('/', '\\/')), `the traffic legend (${legend})`);
    }
    await textMatches(page.getByTestId('severity-chart'), /critical[\s\S]*high[\s\S]*medium[\s\S]*low[\s\S]*info/, 'findings by severity');
    notes.push(`overview: ${shadow} shadow, ${sensitive} sensitive, ${bars.length} OWASP bars, ${drawnBars} traffic bars`);
    await shot(page, '01-overview');
  });

  await step(2, `inventory: shadow filter, search "cards", ${CARD_PATH} with a masked card number`, async () => {
    await gotoNav(page, 'inventory', /inventory/i);
    await until('inventory rows', async () => (await page.getByTestId('inventory-row').count()) > 0);
    await page.getByTestId('inventory-filter-spec').selectOption('shadow');
    await settled(page.getByTestId('inventory'), 'the inventory');
    const statuses = await until('only shadow endpoints to be listed', async () => {
      const st = await page.getByTestId('inventory-spec-status').allInnerTexts();
      return st.length > 0 && st.every((t) => t.trim() === 'shadow') ? st : null;
    });
    const shadowPaths = await page.getByTestId('inventory-path').allInnerTexts();
    await textMatches(page.getByTestId('inventory-count'), /\d+.*of \d+ endpoints/, 'the inventory count');
    notes.push(`inventory shadow: ${statuses.length} rows (${shadowPaths.slice(0, 3).join(', ')}…)`);
    await shot(page, '02-inventory-shadow');

    // Back to every status, then search.
    await page.getByTestId('inventory-filter-spec').selectOption('');
    await page.getByTestId('inventory-search').fill('cards');
    await settled(page.getByTestId('inventory'), 'the inventory search');
    const cardRow = page.getByTestId('inventory-row').filter({ has: page.getByTestId('inventory-path').filter({ hasText: exact(CARD_PATH) }) });
    await until(`the search to list only paths with "cards", ${CARD_PATH} among them`, async () => {
      const paths = await page.getByTestId('inventory-path').allInnerTexts();
      return paths.length > 0 && paths.every((p) => p.includes('cards')) && paths.includes(CARD_PATH);
    });
    await textMatches(cardRow.getByTestId('sensitive-badge').filter({ hasText: 'card-number' }), /^card-number$/, `the card-number badge of ${CARD_PATH}`);
    await shot(page, '03-inventory-search-cards');

    await cardRow.first().click();
    await until('the endpoint page', async () => /#\/endpoints\/ep_/.test(page.url()));
    await textMatches(page.getByTestId('endpoint-title'), exact(CARD_PATH), 'the endpoint title');
    const field = page.getByTestId('endpoint-sensitive-field').filter({ hasText: 'card-number' });
    await textMatches(field, /card-number/, 'a card-number sensitive field');
    const sample = await visibleText(field.first().getByTestId('endpoint-sensitive-sample'), 'the masked sample of the card number');
    if (luhnPans(sample).length || /\d{13,}/.test(sample.replace(/[\s-]/g, ''))) fail(`the card number sample is not masked: ${sample}`);
    if (!/[*•xX#]/.test(sample)) fail(`the card number sample shows no masking: ${sample}`);
    const pans = luhnPans(await page.locator('body').innerText());
    if (pans.length) fail(`the endpoint page shows a full card number: ${pans[0]}`);
    await visibleText(page.getByTestId('endpoint-traffic-chart'), 'the endpoint traffic chart').catch(() => null);
    await textMatches(page.getByTestId('endpoint-traffic-summary'), /Last 60 min|No traffic/, 'the endpoint traffic caption');
    notes.push(`endpoint: card-number sample ${sample}`);
    await shot(page, '04-endpoint-card');
  });

  await step(3, 'findings: the API3 card-number finding is accepted, reloads as accepted, and is reopened', async () => {
    await gotoNav(page, 'findings', /findings/i);
    await page.getByTestId('findings-filter-status').selectOption('');
    await page.getByTestId('findings-filter-owasp').selectOption('API3');
    await page.getByTestId('findings-search').fill('cards');
    await settled(page.getByTestId('findings'), 'the findings list');
    await until('only API3 findings about "cards" to be listed', async () => {
      const rows = await page.getByTestId('finding-row').allInnerTexts();
      const owasp = await page.getByTestId('finding-owasp').allInnerTexts();
      return rows.length > 0 && owasp.every((o) => o.trim() === 'API3') && rows.every((r) => /cards/i.test(r));
    });
    const rowFor = () => page.getByTestId('finding-row')
      .filter({ has: page.getByTestId('finding-endpoint').filter({ hasText: exact(CARD_PATH) }) })
      .filter({ has: page.getByTestId('finding-owasp').filter({ hasText: exact('API3') }) })
      .filter({ hasText: /card number|PAN|excessive|data exposure/i });
    await until(`an API3 finding on ${CARD_PATH}`, async () => (await rowFor().count()) > 0);
    const row = rowFor().first();
    findingId = await row.getAttribute('data-finding-id');
    const byId = () => page.locator(`[data-testid="finding-row"][data-finding-id=${q(findingId)}]`);
    await textMatches(byId().getByTestId('finding-title'), /card|PAN/i, 'the finding title');
    // Expand: evidence and fix.
    await byId().click();
    const detail = page.getByTestId('finding-detail');
    await textMatches(detail.getByTestId('finding-evidence'), /\S/, 'the finding evidence');
    await textMatches(detail.getByTestId('finding-fix'), /\S/, 'the finding fix');
    // Accept it.
    await detail.getByTestId('finding-status-select').selectOption('accepted');
    await detail.getByTestId('finding-note').fill('e2e: accepted while testing the dashboard');
    await detail.getByTestId('finding-status-save').click();
    await textMatches(byId().getByTestId('finding-status'), /^accepted$/, 'the finding status after saving');
    await shot(page, '05-findings-accepted');
    // It stays accepted after a reload (the filters are kept in the address).
    await page.reload();
    await textMatches(byId().getByTestId('finding-status'), /^accepted$/, 'the finding status after a reload');
    // Back to open.
    await byId().click();
    await page.getByTestId('finding-detail').getByTestId('finding-status-select').selectOption('open');
    await page.getByTestId('finding-detail').getByTestId('finding-note').fill('e2e: reopened');
    await page.getByTestId('finding-detail').getByTestId('finding-status-save').click();
    await textMatches(byId().getByTestId('finding-status'), /^open$/, 'the finding status after reopening');
    await page.reload();
    await textMatches(byId().getByTestId('finding-status'), /^open$/, 'the reopened finding after a reload');
  });

  await step(4, `attacks: ${ATTACKER} is alerted and blocked; lifting its decision; adding one by hand`, async () => {
    await gotoNav(page, 'alerts', /attacks/i);
    const attackerAlerts = () => page.getByTestId('alert-row').filter({ has: page.getByTestId('alert-key').filter({ hasText: ATTACKER }) });
    try {
      await until(`an alert on ip ${ATTACKER}`, async () => (await attackerAlerts().count()) > 0);
    } catch (e) {
      const keys = await page.getByTestId('alert-key').allInnerTexts().catch(() => []);
      fail(`${e.message}; the alerts shown are keyed: ${keys.join(', ') || 'none'} (set RAMPART_ATTACKER_IP?)`);
    }
    const keyText = await visibleText(attackerAlerts().first().getByTestId('alert-key'), 'the alert key');
    if (!new RegExp(`^ip\\s+${ATTACKER.replace(/\./g, '\\.')}$`).test(keyText)) fail(`the alert key reads ${JSON.stringify(keyText)}; expected "ip ${ATTACKER}"`);
    const blockedAlert = attackerAlerts().filter({ has: page.getByTestId('alert-blocked') });
    await until(`a "blocked" badge on the alert for ${ATTACKER}`, async () => (await blockedAlert.count()) > 0);
    await textMatches(blockedAlert.first().getByTestId('alert-blocked'), /^blocked$/i, 'the blocked badge');
    await textMatches(blockedAlert.first().getByTestId('alert-detector'), /\S/, 'the alert detector');
    // Evidence samples.
    const alertId = await blockedAlert.first().getAttribute('data-alert-id');
    await blockedAlert.first().click();
    await textMatches(page.getByTestId('alert-detail').getByTestId('alert-samples'), /\S/, 'the alert evidence samples');
    if ((await page.getByTestId('alert-detail').getByTestId('alert-sample').count()) < 1) fail('the alert shows no evidence sample');
    // The active decision for the attacker.
    const decisions = () => page.getByTestId('decision-row').filter({ has: page.getByTestId('decision-target').filter({ hasText: ATTACKER }) });
    await until(`an active decision on ${ATTACKER}`, async () => (await decisions().count()) > 0);
    const decisionId = await decisions().first().getAttribute('data-decision-id');
    await textMatches(decisions().first(), /block|rate limit/, 'the decision action');
    await shot(page, '06-attacks');
    // Lift it, through the in-page confirmation.
    await decisions().first().getByTestId('lift-button').click();
    const dialog = page.getByTestId('confirm-dialog');
    await textMatches(dialog, new RegExp(ATTACKER.replace(/\./g, '\\.')), 'the lift confirmation');
    await shot(page, '07-attacks-lift-confirm');
    await dialog.getByTestId('confirm-lift').click();
    await until('the confirmation to close', async () => (await page.getByTestId('confirm-dialog').count()) === 0);
    await until(`decision ${decisionId} to leave the active list`, async () =>
      (await page.locator(`[data-testid="decision-row"][data-decision-id=${q(decisionId)}]`).count()) === 0);
    notes.push(`attacks: alert ${alertId}, lifted ${decisionId}`);
    // Add a decision with the form (lifted again at the end of the run).
    await page.getByTestId('decision-kind').selectOption('ip');
    await page.getByTestId('decision-value').fill(DECISION_VALUE);
    await page.getByTestId('decision-action').selectOption('block');
    await page.getByTestId('decision-reason').fill('e2e: dashboard test, lifted at the end of the run');
    await page.getByTestId('decision-expiry').selectOption('900');
    await page.getByTestId('decision-submit').click();
    await textMatches(page.getByTestId('decision-form-message'), /Added/, 'the decision form confirmation');
    const mine = page.getByTestId('decision-row').filter({ has: page.getByTestId('decision-target').filter({ hasText: DECISION_VALUE }) });
    await until(`the new decision on ${DECISION_VALUE} in the active list`, async () => (await mine.count()) > 0);
    e2eDecisionId = await mine.first().getAttribute('data-decision-id');
    await shot(page, '08-attacks-after');
  });

  await step(5, 'specs: the diff lists shadow endpoints under /internal/ and zombie ones under /v1/; downloads, upload, delete', async () => {
    await gotoNav(page, 'specs', /specs/i);
    const shadow = page.getByTestId('spec-diff-shadow');
    await textMatches(shadow, /Shadow endpoints/, 'the shadow section');
    const shadowCount = toNumber(await visibleText(page.getByTestId('spec-diff-shadow-count'), 'the shadow count'));
    if (!(shadowCount > 0)) fail(`the spec diff counts ${shadowCount} shadow endpoints`);
    const shadowPaths = await until('shadow paths', async () => {
      const p = await shadow.getByTestId('spec-diff-path').allInnerTexts();
      return p.length ? p : null;
    });
    if (!shadowPaths.some((p) => p.startsWith('/internal/'))) fail(`no shadow endpoint under /internal/: ${shadowPaths.join(', ')}`);
    const zombie = page.getByTestId('spec-diff-zombie');
    await textMatches(zombie, /Zombie endpoints/, 'the zombie section');
    const zombiePaths = await zombie.getByTestId('spec-diff-path').allInnerTexts();
    const v1 = zombiePaths.filter((p) => p.startsWith('/v1/'));
    if (!v1.length) fail(`no zombie endpoint under /v1/: ${zombiePaths.join(', ') || 'none listed'}`);
    for (const sec of ['documented', 'unused', 'drift']) {
      await page.getByTestId(`spec-diff-${sec}`).waitFor({ state: 'attached' });
      await visibleText(page.getByTestId(`spec-diff-${sec}-count`), `the ${sec} count`);
    }
    notes.push(`specs: shadow ${shadowPaths.length} (${shadowPaths.filter((p) => p.startsWith('/internal/')).length} under /internal/), zombie ${v1.join(', ')}`);
    await shot(page, '09-specs');
    // The reconstructed spec downloads as a file (fetched with the token, saved from a blob).
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.getByTestId('reconstructed-download').click(),
    ]);
    const file = await download.path();
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!doc || !/^3\./.test(String(doc.openapi))) fail(`the reconstructed spec is not an OpenAPI 3 document (openapi: ${doc && doc.openapi})`);
    if (!download.suggestedFilename().endsWith('.json')) fail(`the reconstructed spec downloads as ${download.suggestedFilename()}`);
    // An uploaded spec downloads as uploaded.
    if ((await page.getByTestId('spec-row').count()) > 0) {
      const [dl] = await Promise.all([
        page.waitForEvent('download', { timeout: TIMEOUT }),
        page.getByTestId('spec-row').first().getByTestId('spec-download').click(),
      ]);
      const text = fs.readFileSync(await dl.path(), 'utf8');
      if (!/openapi/.test(text)) fail(`the downloaded spec ${dl.suggestedFilename()} is not an OpenAPI document`);
    }
    // Upload a small spec with the file control, then delete it through the confirmation.
    await page.getByTestId('spec-upload-input').setInputFiles({ name: E2E_SPEC_NAME, mimeType: 'application/yaml', buffer: Buffer.from(E2E_SPEC) });
    await page.getByTestId('spec-upload-button').click();
    await textMatches(page.getByTestId('spec-upload-message'), /Uploaded/, 'the upload confirmation');
    const uploaded = page.getByTestId('spec-row').filter({ has: page.getByTestId('spec-name').filter({ hasText: exact(E2E_SPEC_NAME) }) });
    await until(`${E2E_SPEC_NAME} in the list of specs`, async () => (await uploaded.count()) === 1);
    uploadedSpecId = await uploaded.getAttribute('data-spec-id');
    await shot(page, '09b-specs-uploaded');
    await uploaded.getByTestId('spec-delete').click();
    await textMatches(page.getByTestId('confirm-dialog'), new RegExp(E2E_SPEC_NAME.replace(/\./g, '\\.')), 'the delete confirmation');
    await page.getByTestId('confirm-dialog').getByTestId('confirm-delete').click();
    await until(`${E2E_SPEC_NAME} to leave the list of specs`, async () => (await uploaded.count()) === 0);
    uploadedSpecId = null;
  });

  await step(6, 'viewer: the pages load without a Lift button or status controls', async () => {
    const v = await newPage();
    await v.goto(`${BASE}/#token=${encodeURIComponent(VIEWER_TOKEN)}`);
    await textMatches(v.getByTestId('whoami-role'), /^viewer$/i, 'the viewer role in the header');
    const shadow = toNumber(await visibleText(v.getByTestId('overview-shadow-count'), 'the shadow count (viewer)'));
    if (!(shadow > 0)) fail(`the viewer's overview shows ${shadow} shadow endpoints`);
    await shot(v, '10-viewer-overview');
    // Findings: readable, expandable, no status control.
    await gotoNav(v, 'findings', /findings/i);
    await v.getByTestId('findings-filter-status').selectOption('');
    await until('findings for the viewer', async () => (await v.getByTestId('finding-row').count()) > 0);
    await v.getByTestId('finding-row').first().click();
    await textMatches(v.getByTestId('finding-detail').getByTestId('finding-fix'), /\S/, 'the finding fix (viewer)');
    if ((await v.getByTestId('finding-status-control').count()) || (await v.getByTestId('finding-status-select').count())) fail('the viewer is offered a finding status control');
    await shot(v, '11-viewer-findings');
    // Attacks: alerts and decisions, no Lift, no form.
    await gotoNav(v, 'alerts', /attacks/i);
    await until('alerts for the viewer', async () => (await v.getByTestId('alert-row').count()) > 0);
    await until('decisions for the viewer', async () =>
      (await v.getByTestId('decision-row').count()) > 0 || (await v.getByTestId('decisions-empty').count()) > 0);
    if ((await v.getByTestId('decision-row').count()) === 0) notes.push('viewer: no active decision was listed, so the missing Lift button proves less');
    if (await v.getByTestId('lift-button').count()) fail('the viewer is offered a Lift button');
    if (await v.getByTestId('decision-form').count()) fail('the viewer is offered the add-decision form');
    await textMatches(v.getByTestId('viewer-note'), /viewer/, 'the note on the viewer role');
    await shot(v, '12-viewer-attacks');
    // Specs: no upload, no delete.
    await gotoNav(v, 'specs', /specs/i);
    await textMatches(v.getByTestId('spec-diff-shadow'), /Shadow endpoints/, 'the spec diff (viewer)');
    if (await v.getByTestId('spec-upload-input').count()) fail('the viewer is offered the spec upload');
    if (await v.getByTestId('spec-delete').count()) fail('the viewer is offered to delete specs');
    // Admin: no nav entry, and the page itself says it needs the admin role.
    if (await v.getByTestId('nav-admin').count()) fail('the viewer is shown the Admin nav entry');
    await v.evaluate(() => { location.hash = '#/admin'; });
    await textMatches(v.getByTestId('admin-forbidden'), /needs the admin role/i, 'the admin-role message (viewer)');
    if (await v.getByTestId('admin-token-form').count()) fail('the viewer is offered the create-token form');
    noProblems(v);
    await v.context().close();
    current = page;
  });

  await step(7, 'login: without a token the form is shown, a wrong token is refused, a right one signs in', async () => {
    const l = await newPage();
    await l.goto(`${BASE}/`);
    await textMatches(l.getByTestId('login'), /Sign in/, 'the login form');
    await l.getByTestId('login-token').fill('rmp_this_token_does_not_exist_e2e');
    await l.getByTestId('login-submit').click();
    await textMatches(l.getByTestId('login-error'), /not accepted|Too many/i, 'the error for a wrong token');
    if (await l.getByTestId('main').count()) fail('the dashboard opened with a wrong token');
    await shot(l, '13-login-wrong-token');
    // The form signs in with a valid token, and logging out returns to it.
    await l.getByTestId('login-token').fill(TOKEN);
    await l.getByTestId('login-submit').click();
    await visibleText(l.getByTestId('overview-shadow-count'), 'the overview after signing in with the form');
    await l.getByTestId('logout-button').click();
    await textMatches(l.getByTestId('login-message'), /signed out/i, 'the signed-out message');
    const stored = await l.evaluate(() => sessionStorage.length);
    if (stored !== 0) fail('the token is still kept in sessionStorage after logging out');
    noProblems(l);
    await l.context().close();
    current = null;
  });

  await step(8, `admin: a viewer token "${E2E_TOKEN_NAME}" is created (secret shown once), revoked, and both are in the audit log`, async () => {
    const a = await newPage();
    await a.goto(`${BASE}/#token=${encodeURIComponent(TOKEN)}`);
    await textMatches(a.getByTestId('whoami-role'), /^admin$/i, 'the admin role in the header (RAMPART_TOKEN must be an admin token)');
    await gotoNav(a, 'admin', /admin/i);
    await until('the token list', async () => (await a.getByTestId('admin-token-row').count()) > 0);
    // Create a viewer token with the form: its secret is shown once.
    const form = a.getByTestId('admin-token-form');
    await form.getByTestId('admin-token-name-input').fill(E2E_TOKEN_NAME);
    await form.getByTestId('admin-token-role-select').selectOption('viewer');
    await form.getByTestId('admin-token-submit').click();
    const secret = await textMatches(a.getByTestId('admin-new-secret'), /^rmp_\S+$/, 'the new token\'s secret');
    await textMatches(a.getByTestId('admin-new-secret-box'), /not be shown again/i, 'the shown-once warning');
    const fresh = a.locator('[data-testid="admin-token-row"][data-revoked="false"]')
      .filter({ has: a.getByTestId('admin-token-name').filter({ hasText: exact(E2E_TOKEN_NAME) }) });
    await until(`a row for ${E2E_TOKEN_NAME}`, async () => (await fresh.count()) === 1);
    const tokenId = await fresh.getAttribute('data-token-id');
    e2eTokenId = tokenId;
    await textMatches(fresh.getByTestId('admin-token-role'), /^viewer$/i, `the role of ${E2E_TOKEN_NAME}`);
    if ((await api('GET', '/whoami', secret)).status !== 200) fail('the secret shown does not sign in');
    // Revoke it through the confirmation.
    const row = a.locator(`[data-testid="admin-token-row"][data-token-id=${q(tokenId)}]`);
    await row.getByTestId('admin-revoke-button').click();
    await textMatches(a.getByTestId('confirm-dialog'), new RegExp(E2E_TOKEN_NAME), 'the revoke confirmation');
    await a.getByTestId('confirm-dialog').getByTestId('confirm-revoke').click();
    await until(`${E2E_TOKEN_NAME} to read revoked`, async () => (await row.getAttribute('data-revoked')) === 'true');
    await textMatches(row.getByTestId('admin-token-revoked'), /revoked/, `the revoked cell of ${E2E_TOKEN_NAME}`);
    if (await row.getByTestId('admin-revoke-button').count()) fail('a revoked token still has a Revoke button');
    if ((await api('GET', '/whoami', secret)).status !== 401) fail('the revoked token is still accepted');
    e2eTokenId = null;
    // The audit log lists both changes, targeted at the token's id.
    for (const action of ['token.create', 'token.revoke']) {
      const entry = a.locator(`[data-testid="audit-row"][data-action=${q(action)}]`)
        .filter({ has: a.getByTestId('audit-target').filter({ hasText: exact(tokenId) }) });
      await until(`an audit row ${action}`, async () => (await entry.count()) > 0);
      await textMatches(entry.first().getByTestId('audit-action'), exact(action), `the ${action} audit action`);
    }
    await textMatches(a.getByTestId('audit-count'), /of \d+ entries/, 'the audit log pager');
    await shot(a, '14-admin');
    noProblems(a);
    await a.context().close();
    current = null;
  });
}

async function cleanup() {
  // Lift the decision the form test added, so the run leaves no block behind.
  if (e2eDecisionId) {
    try {
      const r = await api('DELETE', `/decisions/${encodeURIComponent(e2eDecisionId)}`, TOKEN);
      if (r.status >= 300) console.log(`# cleanup: lifting ${e2eDecisionId} answered ${r.status}`);
    } catch (e) {
      console.log(`# cleanup: could not lift ${e2eDecisionId}: ${e.message}`);
    }
  }
  if (uploadedSpecId) {
    const r = await api('DELETE', `/specs/${encodeURIComponent(uploadedSpecId)}`, TOKEN).catch((e) => ({ status: e.message }));
    if (r.status !== 204) console.log(`# cleanup: deleting spec ${uploadedSpecId} answered ${r.status}`);
  }
  if (e2eTokenId) {
    const r = await api('DELETE', `/tokens/${encodeURIComponent(e2eTokenId)}`, TOKEN).catch((e) => ({ status: e.message }));
    if (r.status !== 200) console.log(`# cleanup: revoking token ${e2eTokenId} answered ${r.status}`);
  }
  if (browser) await browser.close().catch(() => {});
}

let code = 0;
try {
  await main();
} catch (e) {
  code = 1;
  if (!(e instanceof CheckFailed) && failed === 0) {
    failed += 1;
    console.log(`not ok - ${e.stack || e}`);
  }
} finally {
  await cleanup();
}
for (const n of notes) console.log(`# ${n}`);
console.log(`# screenshots in ${SHOTS}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(code);
