// Rampart dashboard: a single page over the control-plane API (/api/v1).
//
// Plain ES2020, no framework, no build step, nothing loaded from elsewhere: the page's CSP is
// `default-src 'self'`, so there is no inline script or style, no eval, and every string that
// comes from the API is put into the page as text (textContent / createTextNode), never as HTML.
'use strict';

(() => {
  const API = '/api/v1';
  const TOKEN_KEY = 'rampart.token';
  const PAGE_SIZE = 100;

  const OWASP = {
    API1: 'Broken Object Level Authorization',
    API2: 'Broken Authentication',
    API3: 'Broken Object Property Level Authorization',
    API4: 'Unrestricted Resource Consumption',
    API5: 'Broken Function Level Authorization',
    API6: 'Unrestricted Access to Sensitive Business Flows',
    API7: 'Server Side Request Forgery',
    API8: 'Security Misconfiguration',
    API9: 'Improper Inventory Management',
    API10: 'Unsafe Consumption of APIs',
  };
  const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
  const SEV_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
  const SPEC_STATUSES = ['documented', 'shadow', 'zombie', 'unused'];
  const SECRET_TYPES = new Set([
    'jwt', 'bearer-token', 'private-key', 'aws-access-key', 'aws-secret-key', 'gcp-api-key',
    'gcp-service-account', 'azure-secret', 'password', 'api-key', 'high-entropy-secret',
  ]);
  const NAV = [
    ['overview', 'Overview'],
    ['inventory', 'Inventory'],
    ['findings', 'Findings'],
    ['alerts', 'Attacks'],
    ['specs', 'Specs'],
  ];

  const state = {
    token: null,
    me: null,
    gen: 0, // bumped on every navigation: answers for an older page are dropped
    timers: [],
    dialog: null,
  };

  // ---------------------------------------------------------------- DOM helpers

  function applyProps(el, props) {
    if (!props) return;
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else if (k === 'dataset') for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'open') el[k] = Boolean(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function addChildren(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  /** An HTML element; children that are not nodes become text nodes. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    applyProps(el, props);
    addChildren(el, children);
    return el;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  /** An SVG element. */
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'testid') el.setAttribute('data-testid', v);
      else el.setAttribute(k, String(v));
    }
    addChildren(el, children);
    return el;
  }

  const $ = (sel, root = document) => root.querySelector(sel);

  // ---------------------------------------------------------------- formatting

  const nf = new Intl.NumberFormat('en-US');
  function fmtNum(n) {
    if (n === null || n === undefined || Number.isNaN(Number(n))) return '—';
    return nf.format(Number(n));
  }
  const pad2 = (n) => String(n).padStart(2, '0');
  function parseTime(iso) {
    if (!iso) return null;
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : new Date(t);
  }
  /** `2026-11-30 02:00:05 UTC` */
  function fmtTime(iso) {
    const d = parseTime(iso);
    if (!d) return '—';
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
      `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} UTC`;
  }
  /** `02:00 UTC` for chart axes (times are shown in UTC everywhere, like the API's). */
  function fmtHM(ms) {
    const d = new Date(ms);
    return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  }
  function fmtAgo(iso) {
    const d = parseTime(iso);
    if (!d) return '—';
    const secs = Math.round((Date.now() - d.getTime()) / 1000);
    const future = secs < 0;
    const a = Math.abs(secs);
    let txt;
    if (a < 45) txt = `${a} s`;
    else if (a < 3600) txt = `${Math.round(a / 60)} min`;
    else if (a < 86400 * 2) txt = `${Math.round(a / 3600)} h`;
    else txt = `${Math.round(a / 86400)} days`;
    return future ? `in ${txt}` : `${txt} ago`;
  }
  function fmtMs(ms) {
    const n = Number(ms);
    if (!Number.isFinite(n)) return '—';
    return n >= 100 ? `${nf.format(Math.round(n))} ms` : `${n.toFixed(1)} ms`;
  }
  function fmtDuration(secs) {
    if (secs === null || secs === undefined) return '—';
    const n = Math.round(Number(secs));
    if (n < 120) return `${n} s`;
    if (n < 7200) return `${Math.round(n / 60)} min`;
    if (n < 172800) return `${Math.round(n / 3600)} h`;
    return `${Math.round(n / 86400)} days`;
  }
  function timeCell(iso, relative = true) {
    return h('span', { class: 'nowrap', title: fmtTime(iso) }, relative ? fmtAgo(iso) : fmtTime(iso));
  }
  function keyText(k) {
    if (!k) return '—';
    if (typeof k === 'string') return k;
    return k.value === undefined || k.value === null || k.value === '' ? String(k.kind) : `${k.kind} ${k.value}`;
  }
  function keyEl(k, testid) {
    if (!k || typeof k !== 'object') return h('span', { class: 'key', testid }, keyText(k));
    return h('span', { class: 'key', testid, title: keyText(k) },
      h('span', { class: 'kind' }, String(k.kind)), ' ', k.value === undefined || k.value === null ? '' : String(k.value));
  }

  // ---------------------------------------------------------------- badges

  function sevBadge(sev, testid) {
    const v = sev ? String(sev).toLowerCase() : '';
    return h('span', { class: `badge sev-${SEV_RANK[v] !== undefined ? v : 'none'}`, testid }, v || '—');
  }
  function specBadge(status, testid) {
    if (!status) return h('span', { class: 'badge st-none', testid, title: 'No spec loaded, or the endpoint was not compared' }, 'no spec');
    const v = String(status);
    return h('span', { class: `badge st-${SPEC_STATUSES.includes(v) ? v : 'none'}`, testid }, v);
  }
  /** A path template that wraps after its slashes, not inside a name. */
  function pathEl(tag, props, path) {
    const el = h(tag, props);
    String(path).split(/(?=\/)/).forEach((part, i) => {
      if (i) el.append(h('wbr'));
      el.append(part);
    });
    return el;
  }
  function methodBadge(m) {
    const v = String(m || '?').toUpperCase();
    return h('span', { class: `method m-${/^[A-Z]+$/.test(v) ? v : 'X'}` }, v);
  }
  function sensitiveBadge(t) {
    return h('span', { class: `badge sensitive${SECRET_TYPES.has(t) ? ' secret' : ''}`, testid: 'sensitive-badge' }, String(t));
  }
  function authBadge(kind) {
    return h('span', { class: `badge auth${kind === 'none' ? ' auth-none' : ''}` }, String(kind));
  }
  function statusBadge(st, testid) {
    const v = String(st || 'open');
    return h('span', { class: `badge status-${['open', 'accepted', 'fixed'].includes(v) ? v : 'open'}`, testid }, v);
  }
  function riskEl(risk) {
    if (!risk || risk.score === undefined || risk.score === null) return h('span', { class: 'faint' }, '—');
    const lvl = risk.level ? String(risk.level) : levelOf(risk.score);
    const bar = h('span', { class: `riskbar lv-${SEV_RANK[lvl] !== undefined ? lvl : 'none'}` }, h('span'));
    bar.firstChild.style.width = `${Math.max(0, Math.min(100, Number(risk.score)))}%`;
    return h('span', { class: 'risk', title: `risk ${risk.score}/100 (${lvl})` },
      h('span', { class: 'score' }, String(risk.score)), bar, h('span', { class: 'faint' }, lvl));
  }
  function levelOf(score) {
    if (score >= 75) return 'critical';
    if (score >= 50) return 'high';
    if (score >= 25) return 'medium';
    return 'low';
  }
  function isRateLimit(action) {
    const a = action && typeof action === 'object' ? action.action : action;
    return /^rate[-_]limit$/.test(String(a || ''));
  }
  function actionBadge(action, perMinute) {
    // AlertView.action is {"action": "block" | "rate_limit" | "report", "per_minute"}; a
    // DecisionView's is a string ("block", "rate-limit") with per_minute beside it.
    let a = action;
    let pm = perMinute;
    if (action && typeof action === 'object') { a = action.action; pm = action.per_minute; }
    a = String(a || 'report').replace('_', '-');
    if (a === 'rate-limit') return h('span', { class: 'badge act act-rate' }, pm ? `rate limit ${pm}/min` : 'rate limit');
    if (a === 'block') return h('span', { class: 'badge act act-block' }, 'block');
    return h('span', { class: 'badge act' }, a);
  }

  // ---------------------------------------------------------------- messages

  function loadingEl(text = 'Loading…') {
    return h('div', { class: 'loading', testid: 'loading' }, h('span', { class: 'spinner' }), text);
  }
  function errorBox(e, what) {
    const title = what || (e && e.title) || 'Something went wrong';
    const detail = e && (e.detail || e.message) ? (e.detail || e.message) : String(e);
    return h('div', { class: 'error-box', testid: 'error', role: 'alert' },
      h('strong', null, title + (e && e.status ? ` (HTTP ${e.status})` : '')),
      h('span', { testid: 'error-detail' }, detail));
  }
  function toast(text, isError = false) {
    const box = document.getElementById('toasts');
    if (!box) return;
    const t = h('div', { class: `toast${isError ? ' err' : ''}`, testid: 'toast', role: 'status' }, text);
    box.append(t);
    setTimeout(() => t.remove(), isError ? 7000 : 3500);
  }
  function emptyRow(cols, text, testid) {
    if (testid === 'loading') return h('tr', null, h('td', { colspan: cols, class: 'empty', testid }, h('span', { class: 'loading inline' }, h('span', { class: 'spinner' }), text)));
    return h('tr', null, h('td', { colspan: cols, class: 'empty', testid }, text));
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, title, detail, retryAfter) {
      super(detail || title);
      this.status = status;
      this.title = title;
      this.detail = detail;
      this.retryAfter = retryAfter;
    }
  }

  function qs(params) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v === null || v === undefined || v === '' || v === false) continue;
      u.set(k, String(v));
    }
    const str = u.toString();
    return str ? `?${str}` : '';
  }

  /**
   * Calls the API with the session's bearer token. JSON bodies are encoded; answers are decoded
   * from JSON (or returned as text, or as the Response with `raw`). A problem document becomes
   * an ApiError carrying its `detail`; a 401 ends the session and shows the login form.
   */
  async function api(path, opts = {}) {
    const headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
    const token = opts.token || state.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    let body = opts.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Blob)) {
      body = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(API + path, { method: opts.method || 'GET', headers, body, cache: 'no-store', credentials: 'omit' });
    } catch (err) {
      throw new ApiError(0, 'The Rampart server cannot be reached', `${err && err.message ? err.message : err}. Is \`rampart serve\` running?`);
    }
    if (!res.ok) {
      let title = res.statusText || `HTTP ${res.status}`;
      let detail = '';
      try {
        const text = await res.text();
        try {
          const p = JSON.parse(text);
          if (p && typeof p === 'object') {
            if (p.title) title = String(p.title);
            detail = p.detail ? String(p.detail) : '';
          }
        } catch (_) {
          detail = text.slice(0, 300);
        }
      } catch (_) { /* no body */ }
      const retryAfter = res.headers.get('Retry-After');
      const err = new ApiError(res.status, title, detail || title, retryAfter);
      if (res.status === 401 && !opts.noAuthRedirect) {
        sessionEnded('Your session has ended: the server no longer accepts this token (it expired or was revoked). Sign in again.');
      }
      throw err;
    }
    if (opts.raw) return res;
    if (res.status === 204) return null;
    const ct = res.headers.get('Content-Type') || '';
    if (ct.includes('json')) return res.json();
    return res.text();
  }

  // ---------------------------------------------------------------- session

  function canOperate() {
    return Boolean(state.me && (state.me.role === 'operator' || state.me.role === 'admin'));
  }

  function isAdmin() {
    return Boolean(state.me && state.me.role === 'admin');
  }

  function readTokenFromUrl() {
    // `#token=rmp_...` (what `rampart demo` prints), also accepted after a route: `#/overview?token=`.
    const m = location.hash.match(/^#\/?(?:[^?]*\?)?(?:.*&)?token=([^&]*)/);
    if (!m) return null;
    let tok = '';
    try { tok = decodeURIComponent(m[1]).trim(); } catch (_) { tok = m[1].trim(); }
    // Take the token out of the address bar (and so out of the history) at once.
    history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
    return tok || null;
  }

  function sessionEnded(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    state.me = null;
    renderLogin(message, true);
  }

  function logout() {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    state.me = null;
    history.replaceState(null, '', `${location.pathname}${location.search}#/login`);
    renderLogin('You are signed out. The token itself stays valid until it expires or is revoked.', false);
  }

  function stopTimers() {
    for (const t of state.timers) clearInterval(t);
    state.timers = [];
  }

  /** Runs `fn` every `ms` while the page that started it is shown; never two at once. */
  function every(ctx, ms, fn) {
    let busy = false;
    const t = setInterval(async () => {
      if (ctx.gen !== state.gen) { clearInterval(t); return; }
      if (busy || document.hidden) return;
      busy = true;
      try { await fn(); } finally { busy = false; }
    }, ms);
    state.timers.push(t);
  }

  function renderLogin(message, isError) {
    stopTimers();
    state.gen += 1;
    closeDialog();
    document.title = 'Sign in · Rampart';
    const input = h('input', {
      type: 'password', id: 'token', name: 'token', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'rmp_…', testid: 'login-token', 'aria-label': 'API token', required: true,
    });
    const msg = h('div', {
      class: `message${isError ? ' err' : ''}${message ? '' : ' hidden'}`,
      testid: isError ? 'login-error' : 'login-message', role: isError ? 'alert' : 'status',
    }, message || '');
    const btn = h('button', { class: 'btn primary', type: 'submit', testid: 'login-submit' }, 'Sign in');
    const form = h('form', { testid: 'login-form', autocomplete: 'off', novalidate: true },
      h('label', { for: 'token' }, h('strong', null, 'API token')),
      input, msg, btn);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const tok = input.value.trim();
      const showErr = (text) => {
        msg.textContent = text;
        msg.className = 'message err';
        msg.setAttribute('data-testid', 'login-error');
        msg.setAttribute('role', 'alert');
      };
      if (!tok) { showErr('Paste an API token to sign in.'); return; }
      btn.disabled = true;
      btn.textContent = 'Checking…';
      try {
        const me = await api('/whoami', { token: tok, noAuthRedirect: true });
        state.token = tok;
        state.me = me;
        sessionStorage.setItem(TOKEN_KEY, tok);
        const { parts } = parseHash();
        if (!parts[0] || parts[0] === 'login') history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
        route();
      } catch (e) {
        if (e.status === 401) showErr('This token was not accepted: it is unknown, revoked or expired.');
        else if (e.status === 429) showErr(`Too many failed sign-ins from this address. Try again${e.retryAfter ? ` in ${e.retryAfter} s` : ' later'}.`);
        else showErr(`${e.title}${e.detail && e.detail !== e.title ? `: ${e.detail}` : ''}`);
        btn.disabled = false;
        btn.textContent = 'Sign in';
        input.select();
      }
    });
    const app = document.getElementById('app');
    app.replaceChildren(h('div', { class: 'login-wrap' },
      h('div', { class: 'login-card', testid: 'login' },
        h('div', { class: 'brand' }, h('img', { src: '/assets/favicon.svg', alt: '' }), 'Rampart'),
        h('h1', null, 'Sign in to the security dashboard'),
        h('p', null, 'Paste an API token. Tokens are created with ',
          h('code', null, 'rampart token create --name NAME --role viewer|operator|admin'),
          ' or by an admin; the token is kept in this browser tab only.'),
        form,
        h('div', { class: 'foot' }, 'API security posture, discovery and attack response for your APIs.'))));
    input.focus();
  }

  // ---------------------------------------------------------------- shell & routing

  function parseHash() {
    const raw = location.hash.replace(/^#/, '');
    const qi = raw.indexOf('?');
    const path = qi >= 0 ? raw.slice(0, qi) : raw;
    const query = qi >= 0 ? raw.slice(qi + 1) : '';
    const parts = path.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch (_) { return p; } });
    return { parts, params: new URLSearchParams(query) };
  }

  /** Rewrites the query part of the current route without navigating (filters, sort). */
  function setRouteQuery(route, params) {
    const q = qs(params);
    history.replaceState(null, '', `${location.pathname}${location.search}#/${route}${q}`);
  }

  function buildShell() {
    const nav = h('nav', { class: 'nav', 'aria-label': 'Sections' },
      NAV.concat(isAdmin() ? [['admin', 'Admin']] : []).map(([id, label]) => h('a', { href: `#/${id}`, dataset: { nav: id }, testid: `nav-${id}` },
        label, h('span', { class: 'count hidden', dataset: { count: id } }))));
    const me = state.me || {};
    const role = String(me.role || '?');
    const header = h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/overview' }, h('img', { src: '/assets/favicon.svg', alt: '' }), 'Rampart',
        h('small', null, 'API security')),
      nav,
      h('div', { class: 'spacer' }),
      h('div', { class: 'who', testid: 'whoami' },
        h('span', null, 'Signed in as ', h('span', { class: 'name', testid: 'whoami-name' }, String(me.name || '?'))),
        h('span', { class: `role role-${['admin', 'operator', 'viewer'].includes(role) ? role : 'viewer'}`, testid: 'whoami-role' }, role),
        h('button', { class: 'btn small', type: 'button', testid: 'logout-button', onclick: logout }, 'Log out')));
    const main = h('main', { id: 'main', testid: 'main' });
    const app = document.getElementById('app');
    app.replaceChildren(header, main);
    app.dataset.shell = '1';
  }

  function setNavCount(id, n) {
    const el = document.querySelector(`[data-count="${id}"]`);
    if (!el) return;
    el.textContent = n > 0 ? String(n) : '';
    el.classList.toggle('hidden', !(n > 0));
  }

  function route() {
    stopTimers();
    closeDialog();
    state.gen += 1;
    if (!state.token) { renderLogin(); return; }
    const { parts, params } = parseHash();
    let page = parts[0] || 'overview';
    if (page === 'login' || page.startsWith('token=')) {
      history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
      page = 'overview';
    }
    const app = document.getElementById('app');
    if (!app.dataset.shell || !$('#main')) buildShell();
    const active = page === 'endpoints' ? 'inventory' : page;
    for (const a of document.querySelectorAll('.nav a')) a.classList.toggle('active', a.dataset.nav === active);
    const main = $('#main');
    main.replaceChildren();
    window.scrollTo(0, 0);
    const ctx = { gen: state.gen, main, params };
    ctx.live = () => ctx.gen === state.gen;
    const views = {
      overview: viewOverview,
      inventory: viewInventory,
      endpoints: (c) => viewEndpoint(c, parts[1]),
      findings: viewFindings,
      alerts: viewAlerts,
      specs: viewSpecs,
      admin: viewAdmin,
    };
    const view = views[page];
    if (!view) {
      document.title = 'Not found · Rampart';
      main.append(h('div', { class: 'panel' }, h('div', { class: 'panel-body' },
        h('h1', null, 'Page not found'), h('p', { class: 'muted' }, 'There is no page here. '),
        h('a', { href: '#/overview' }, 'Go to the overview'))));
      return;
    }
    Promise.resolve(view(ctx)).catch((e) => {
      if (!ctx.live()) return;
      main.append(errorBox(e));
    });
  }

  function pageHead(title, sub, extra) {
    const updated = h('span', { class: 'updated', testid: 'updated' });
    const head = h('div', { class: 'page-head' },
      h('div', null, h('h1', { testid: 'page-title' }, title), sub ? h('div', { class: 'sub' }, sub) : null),
      extra || null, updated);
    return { head, updated };
  }

  function markUpdated(el, note) {
    const d = new Date();
    el.replaceChildren(`Updated ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} UTC${note ? ` · ${note}` : ''}`);
  }
  function markStale(el, e) {
    const old = el.querySelector('.stale');
    if (old) old.remove();
    el.append(h('span', { class: 'stale', testid: 'refresh-error', title: e.detail || e.message }, `refresh failed: ${e.detail || e.message}`));
  }

  // ---------------------------------------------------------------- confirm dialog

  function closeDialog() {
    if (state.dialog) {
      const d = state.dialog;
      state.dialog = null;
      if (d.open) d.close();
      d.remove();
    }
  }

  /**
   * An in-page confirmation (not window.confirm). `action` runs when confirmed; while it runs the
   * buttons are disabled, and its error is shown in the dialog. Resolves true once done.
   */
  function confirmDialog({ title, message, confirmLabel, confirmTestid, action }) {
    closeDialog();
    return new Promise((resolve) => {
      const err = h('div', { class: 'dlg-error', testid: 'confirm-error', role: 'alert' });
      const ok = h('button', { class: 'btn danger solid', type: 'button', testid: confirmTestid || 'confirm-ok' }, confirmLabel || 'Confirm');
      const cancel = h('button', { class: 'btn', type: 'button', testid: 'confirm-cancel' }, 'Cancel');
      const dlg = h('dialog', { class: 'confirm', testid: 'confirm-dialog', 'aria-labelledby': 'dlg-title' },
        h('div', { class: 'dlg-body' }, h('h2', { id: 'dlg-title' }, title), h('p', { testid: 'confirm-message' }, message), err),
        h('div', { class: 'dlg-actions' }, cancel, ok));
      let done = false;
      const finish = (v) => {
        if (done) return;
        done = true;
        if (state.dialog === dlg) state.dialog = null;
        if (dlg.open) dlg.close();
        dlg.remove();
        resolve(v);
      };
      cancel.addEventListener('click', () => finish(false));
      dlg.addEventListener('cancel', (ev) => { ev.preventDefault(); if (!ok.disabled) finish(false); });
      ok.addEventListener('click', async () => {
        ok.disabled = true;
        cancel.disabled = true;
        err.textContent = '';
        try {
          if (action) await action();
          finish(true);
        } catch (e) {
          err.textContent = `${e.title || 'Error'}: ${e.detail || e.message}`;
          ok.disabled = false;
          cancel.disabled = false;
        }
      });
      document.body.append(dlg);
      state.dialog = dlg;
      dlg.showModal();
      cancel.focus();
    });
  }

  // ---------------------------------------------------------------- charts

  /** An axis for counts from 0 to at least `v`: a round step (1, 2, 2.5 or 5 × 10^k, never below 1) and 3–5 ticks. */
  function niceScale(v, ticks = 4) {
    const raw = Math.max(v, 1) / ticks;
    const exp = 10 ** Math.floor(Math.log10(raw));
    let step = exp * 10;
    for (const m of [1, 2, 2.5, 5, 10]) { if (m * exp >= raw) { step = m * exp; break; } }
    step = Math.max(1, step);
    const n = Math.max(1, Math.ceil(Math.max(v, 1) / step));
    return { max: n * step, step, n };
  }
  function fmtTick(v) {
    if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
    if (v >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
    return nf.format(Math.round(v * 100) / 100);
  }

  /**
   * Requests per minute over the last 60 minutes as stacked bars (passed, refused) with the alerts
   * opened per minute as a line on a second axis. `points` are the API's traffic entries (only
   * minutes that had traffic); the missing minutes are drawn as zero.
   */
  function trafficChart(points, opts = {}) {
    const withAlerts = Boolean(opts.alerts);
    const MIN = 60000;
    const byMin = new Map();
    let last = 0;
    for (const p of points || []) {
      const t = parseTime(p.minute);
      if (!t) continue;
      const m = Math.floor(t.getTime() / MIN) * MIN;
      byMin.set(m, p);
      if (m > last) last = m;
    }
    const endRef = parseTime(opts.end);
    const end = Math.max(last, Math.floor((endRef ? endRef.getTime() : Date.now()) / MIN) * MIN);
    const buckets = [];
    for (let i = 59; i >= 0; i -= 1) {
      const t = end - i * MIN;
      const p = byMin.get(t) || {};
      const requests = Number(p.requests) || 0;
      const refused = Math.min(requests, Number(p.refused) || 0);
      buckets.push({ t, requests, refused, passed: requests - refused, errors: Number(p.errors) || 0, alerts: Number(p.alerts) || 0 });
    }
    const totals = buckets.reduce((a, b) => ({
      requests: a.requests + b.requests, refused: a.refused + b.refused, alerts: a.alerts + b.alerts, errors: a.errors + b.errors,
    }), { requests: 0, refused: 0, alerts: 0, errors: 0 });
    const peak = Math.max(0, ...buckets.map((b) => b.requests));
    const drawn = buckets.filter((b) => b.requests > 0 || b.alerts > 0).length;

    const W = 640;
    const H = opts.height || 230;
    const m = { l: 44, r: withAlerts ? 30 : 12, t: 12, b: 26 };
    const pw = W - m.l - m.r;
    const ph = H - m.t - m.b;
    const scale = niceScale(peak);
    const yMax = scale.max;
    const y = (v) => m.t + ph - (v / yMax) * ph;
    const bw = pw / 60;
    const svg = s('svg', {
      viewBox: `0 0 ${W} ${H}`, role: 'img', testid: opts.testid || 'traffic-chart',
      'aria-label': `Requests per minute over the last 60 minutes: ${totals.requests} requests, ${totals.refused} refused`,
      'data-points': drawn, 'data-requests': totals.requests,
    });
    // grid and left axis
    const grid = s('g', { class: 'grid' });
    const axis = s('g', { class: 'axis' });
    for (let i = 0; i <= scale.n; i += 1) {
      const v = scale.step * i;
      const yy = y(v);
      grid.append(s('line', { x1: m.l, x2: W - m.r, y1: yy, y2: yy }));
      axis.append(s('text', { x: m.l - 6, y: yy + 3.5, 'text-anchor': 'end' }, fmtTick(v)));
    }
    svg.append(grid, axis);
    // x labels every 10 minutes
    for (let i = 0; i < 60; i += 1) {
      const b = buckets[i];
      const d = new Date(b.t);
      if (d.getUTCMinutes() % 10 === 0) {
        const x = m.l + i * bw + bw / 2;
        svg.append(s('line', { class: 'axis-line', x1: x, x2: x, y1: m.t + ph, y2: m.t + ph + 4 }));
        svg.append(s('text', { class: 'axis', x, y: H - 8, 'text-anchor': 'middle' }, fmtHM(b.t)));
      }
    }
    svg.append(s('line', { class: 'axis-line', x1: m.l, x2: W - m.r, y1: m.t + ph, y2: m.t + ph }));
    // bars
    const bars = s('g', { class: 'bars' });
    buckets.forEach((b, i) => {
      const x = m.l + i * bw + bw * 0.14;
      const w = bw * 0.72;
      if (b.passed > 0) bars.append(s('rect', { class: 'bar-ok', testid: 'traffic-bar', x, y: y(b.passed), width: w, height: Math.max(0.5, y(0) - y(b.passed)) }));
      if (b.refused > 0) bars.append(s('rect', { class: 'bar-refused', testid: 'traffic-bar-refused', x, y: y(b.requests), width: w, height: Math.max(0.5, y(b.passed) - y(b.requests)) }));
    });
    svg.append(bars);
    // alerts opened per minute: markers on the right axis, tied to their minute by a thin stem
    if (withAlerts) {
      const aScale = niceScale(Math.max(1, ...buckets.map((b) => b.alerts)), 2);
      const ya = (v) => m.t + ph - (v / aScale.max) * ph;
      const axr = s('g', { class: 'axis' });
      for (let i = 0; i <= aScale.n; i += 1) {
        const v = aScale.step * i;
        axr.append(s('text', { x: W - m.r + 6, y: ya(v) + 3.5, 'text-anchor': 'start' }, fmtTick(v)));
      }
      svg.append(axr);
      buckets.forEach((b, i) => {
        if (!(b.alerts > 0)) return;
        const cx = m.l + i * bw + bw / 2;
        svg.append(s('line', { class: 'stem-alerts', x1: cx, x2: cx, y1: ya(0), y2: ya(b.alerts) }));
        svg.append(s('circle', { class: 'dot-alerts', testid: 'traffic-alert-dot', cx, cy: ya(b.alerts), r: 4.5 }));
      });
    }
    // hover columns with a tooltip per minute
    const hover = s('g');
    buckets.forEach((b, i) => {
      const parts = [`${fmtHM(b.t)} UTC`, `${fmtNum(b.requests)} requests`, `${fmtNum(b.refused)} refused`];
      if (b.errors) parts.push(`${fmtNum(b.errors)} errors`);
      if (withAlerts) parts.push(`${fmtNum(b.alerts)} alerts`);
      hover.append(s('rect', { class: 'hover-col', x: m.l + i * bw, y: m.t, width: bw, height: ph }, s('title', null, parts.join(' · '))));
    });
    svg.append(hover);

    const legend = h('div', { class: 'legend' },
      h('span', null, h('span', { class: 'sw sw-ok' }), 'Requests passed'),
      h('span', null, h('span', { class: 'sw sw-refused' }), 'Refused / blocked'),
      withAlerts ? h('span', null, h('span', { class: 'sw dot sw-alerts' }), 'Alerts opened (right axis)') : null);
    const refusedShare = totals.requests ? ` (${((totals.refused / totals.requests) * 100).toFixed(1)} %)` : '';
    const caption = h('div', { class: 'chart-caption', testid: opts.captionTestid || 'traffic-summary' },
      totals.requests === 0 && totals.alerts === 0
        ? 'No traffic in the last 60 minutes.'
        : ['Last 60 min: ', h('b', null, fmtNum(totals.requests)), ' requests · ', h('b', null, fmtNum(totals.refused)),
          ` refused${refusedShare}`, withAlerts ? [' · ', h('b', null, fmtNum(totals.alerts)), ' alerts'] : null,
          ' · peak ', h('b', null, fmtNum(peak)), '/min']);
    return h('div', { class: 'chart' }, legend, svg, caption);
  }

  function owaspChart(byOwasp) {
    const entries = Object.keys(OWASP).map((k) => [k, Number((byOwasp || {})[k]) || 0]);
    const max = Math.max(1, ...entries.map(([, v]) => v));
    return h('div', { class: 'hbars', testid: 'owasp-chart' }, entries.map(([k, v]) => {
      const fill = h('div', { class: 'fill' });
      fill.style.width = `${(v / max) * 100}%`;
      return h('div', { class: `hbar${v ? '' : ' zero'}`, testid: 'owasp-bar', dataset: { owasp: k, count: v }, title: `${k}: ${OWASP[k]} — ${v} open` },
        h('a', { class: 'lbl', href: `#/findings${qs({ owasp: k, status: 'open' })}` }, h('b', null, k), OWASP[k]),
        h('div', { class: 'track' }, fill),
        h('div', { class: 'cnt', testid: 'owasp-count' }, String(v)));
    }));
  }

  function severityChart(bySev) {
    const counts = SEVERITIES.map((k) => [k, Number((bySev || {})[k]) || 0]);
    const total = counts.reduce((a, [, v]) => a + v, 0);
    const max = Math.max(1, ...counts.map(([, v]) => v));
    const stack = h('div', { class: 'sevstack', title: `${total} open findings` });
    for (const [k, v] of counts) {
      if (!v) continue;
      const seg = h('span', { class: `f-${k}`, title: `${k}: ${v}` });
      seg.style.width = `${(v / Math.max(1, total)) * 100}%`;
      stack.append(seg);
    }
    return h('div', { testid: 'severity-chart' }, stack, h('div', { class: 'hbars sev' }, counts.map(([k, v]) => {
      const fill = h('div', { class: `fill f-${k}` });
      fill.style.width = `${(v / max) * 100}%`;
      return h('div', { class: `hbar${v ? '' : ' zero'}`, testid: 'severity-bar', dataset: { severity: k, count: v } },
        h('a', { class: 'lbl', href: `#/findings${qs({ severity: k, status: 'open' })}` }, sevBadge(k)),
        h('div', { class: 'track' }, fill),
        h('div', { class: 'cnt', testid: `severity-count-${k}` }, String(v)));
    })));
  }

  // ---------------------------------------------------------------- overview

  async function viewOverview(ctx) {
    document.title = 'Overview · Rampart';
    const { head, updated } = pageHead('Overview', 'Inventory, posture and attacks across your APIs');
    const body = h('div', { testid: 'overview' }, loadingEl());
    ctx.main.append(head, body);
    const load = async (first) => {
      try {
        const [ov, top] = await Promise.all([
          api('/overview'),
          api(`/findings${qs({ status: 'open', limit: 5 })}`).catch(() => null),
        ]);
        if (!ctx.live()) return;
        body.replaceChildren(renderOverview(ov, top));
        setNavCount('alerts', (ov.alerts && ov.alerts.open) || 0);
        markUpdated(updated, 'auto-refresh every 5 s');
      } catch (e) {
        if (!ctx.live()) return;
        if (first) body.replaceChildren(errorBox(e, 'The overview could not be loaded'));
        else markStale(updated, e);
      }
    };
    await load(true);
    every(ctx, 5000, () => load(false));
  }

  function card(cls, label, value, testid, href, note) {
    const inner = [h('div', { class: 'label' }, label), h('div', { class: 'value', testid }, fmtNum(value)),
      note ? h('div', { class: 'note', title: note }, note) : null];
    return href ? h('a', { class: `card ${cls}`, href }, inner) : h('div', { class: `card ${cls}` }, inner);
  }

  function topFindings(top) {
    if (!top) return null;
    const items = top.items || [];
    return h('div', { class: 'top-findings', testid: 'overview-top-findings' },
      h('h3', null, 'Worst open findings'),
      items.length ? h('ul', null, items.map((f) => h('li', null, sevBadge(f.severity), ' ',
        h('a', { href: `#/findings${qs({ status: 'open', open: f.id, q: f.endpoint ? f.endpoint.path : f.rule })}` }, String(f.title || f.rule)))))
        : h('p', { class: 'muted' }, 'No open finding.'),
      top.total > items.length ? h('a', { class: 'more', href: '#/findings' }, `All ${fmtNum(top.total)} open findings →`) : null);
  }

  function renderOverview(ov, top) {
    const ep = ov.endpoints || {};
    const hosts = ov.hosts || [];
    const fnd = ov.findings || {};
    const al = ov.alerts || {};
    const dec = ov.decisions || {};
    const pipe = ov.pipeline || {};
    const cards = h('div', { class: 'cards', testid: 'overview-cards' },
      card('c-hosts', 'Hosts / APIs', hosts.length, 'overview-hosts-count', null, hosts.map((x) => x.host).join(', ') || 'none yet'),
      card('c-endpoints', 'Endpoints', ep.total, 'overview-endpoints-count', '#/inventory', 'seen or declared'),
      card('c-documented', 'Documented', ep.documented, 'overview-documented-count', `#/inventory${qs({ spec_status: 'documented' })}`, 'declared in a spec'),
      card('c-shadow', 'Shadow', ep.shadow, 'overview-shadow-count', `#/inventory${qs({ spec_status: 'shadow' })}`, 'in traffic, in no spec'),
      card('c-zombie', 'Zombie', ep.zombie, 'overview-zombie-count', `#/inventory${qs({ spec_status: 'zombie' })}`, 'deprecated, still called'),
      card('c-unused', 'Unused', ep.unused, 'overview-unused-count', '#/specs', 'declared, never called'),
      card('c-drift', 'Drifted', ep.drifted, 'overview-drifted-count', '#/specs', 'traffic differs from spec'),
      card('c-sensitive', 'Sensitive data', ep.sensitive, 'overview-sensitive-count', `#/inventory${qs({ sensitive: 'true' })}`, 'endpoints carrying it'),
      card('c-unauth', 'Unauthenticated', ep.unauthenticated, 'overview-unauthenticated-count', `#/inventory${qs({ auth: 'none' })}`, '2xx without credentials'),
      card('c-findings', 'Open findings', fnd.open, 'overview-findings-count', '#/findings', `${fmtNum((fnd.by_severity || {}).critical || 0)} critical, ${fmtNum((fnd.by_severity || {}).high || 0)} high`),
      card('c-alerts', 'Open alerts', al.open, 'overview-alerts-count', '#/alerts', `${fmtNum(al.total || 0)} in total`),
      card('c-decisions', 'Active decisions', dec.active, 'overview-decisions-count', '#/alerts', 'blocks and rate limits'));

    const traffic = h('div', { class: 'panel', testid: 'overview-traffic' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Traffic, last 60 minutes'), h('span', { class: 'hint' }, 'per minute, UTC')),
      h('div', { class: 'panel-body' }, trafficChart(ov.traffic || [], { alerts: true, end: ov.generated_at })));
    const sev = h('div', { class: 'panel', testid: 'overview-severity' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Open findings by severity'), h('span', { class: 'hint' }, `${fmtNum(fnd.open || 0)} open`)),
      h('div', { class: 'panel-body' }, severityChart(fnd.by_severity), topFindings(top)));
    const owasp = h('div', { class: 'panel', testid: 'overview-owasp' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Open findings by OWASP API Security Top 10 (2023)')),
      h('div', { class: 'panel-body' }, owaspChart(fnd.by_owasp)));
    const hostRows = hosts.length
      ? hosts.map((x) => h('tr', { testid: 'overview-host-row' },
        h('td', null, h('a', { href: `#/inventory${qs({ host: x.host })}` }, String(x.host))),
        h('td', { class: 'num' }, fmtNum(x.endpoints)), h('td', { class: 'num' }, fmtNum(x.calls))))
      : [emptyRow(3, 'No traffic recorded yet.')];
    const hostsPanel = h('div', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Hosts')),
      h('div', { class: 'panel-body flush' }, h('table', { class: 'compact' },
        h('thead', null, h('tr', null, h('th', null, 'Host'), h('th', { class: 'num' }, 'Endpoints'), h('th', { class: 'num' }, 'Calls'))),
        h('tbody', null, hostRows))),
      h('div', { class: 'panel-body' }, h('table', { class: 'kv compact', testid: 'overview-pipeline' }, h('tbody', null,
        h('tr', null, h('td', null, 'Exchanges analysed'), h('td', null, fmtNum(pipe.exchanges))),
        h('tr', null, h('td', null, 'Last analysis'), h('td', null, pipe.last_analysis_at ? [fmtTime(pipe.last_analysis_at), ' ', h('span', { class: 'faint' }, `(${fmtAgo(pipe.last_analysis_at)})`)] : 'not yet')),
        h('tr', null, h('td', null, 'Dropped exchanges'), h('td', null, fmtNum(pipe.dropped))),
        h('tr', null, h('td', null, 'Generated'), h('td', null, fmtTime(ov.generated_at)))))));
    return h('div', null, cards,
      h('div', { class: 'grid-2 mb' }, traffic, sev),
      h('div', { class: 'grid-2' }, owasp, hostsPanel));
  }

  // ---------------------------------------------------------------- inventory

  const SORTS = { risk: 'desc', calls: 'desc', last_seen: 'desc', path: 'asc' };

  async function viewInventory(ctx) {
    document.title = 'Inventory · Rampart';
    const p = ctx.params;
    const st = {
      q: p.get('q') || '',
      spec_status: p.get('spec_status') || '',
      host: p.get('host') || '',
      sensitive: p.get('sensitive') === 'true',
      auth: p.get('auth') === 'none',
      sort: SORTS[p.get('sort')] ? p.get('sort') : 'risk',
      order: p.get('order') === 'asc' || p.get('order') === 'desc' ? p.get('order') : null,
      offset: Math.max(0, parseInt(p.get('offset'), 10) || 0),
    };
    if (!st.order) st.order = SORTS[st.sort];
    const params = () => ({
      q: st.q, host: st.host, spec_status: st.spec_status, sensitive: st.sensitive ? 'true' : '',
      auth: st.auth ? 'none' : '', sort: st.sort, order: st.order,
    });
    const { head, updated } = pageHead('API inventory', 'Every endpoint seen in traffic or declared in a spec');

    const search = h('input', { type: 'search', placeholder: 'Search method, host or path…', value: st.q, testid: 'inventory-search', 'aria-label': 'Search' });
    const specSel = h('select', { testid: 'inventory-filter-spec', 'aria-label': 'Spec status' },
      h('option', { value: '' }, 'Any spec status'),
      SPEC_STATUSES.map((v) => h('option', { value: v }, v)),
      h('option', { value: 'undeclared' }, 'no spec loaded'));
    specSel.value = st.spec_status;
    const hostSel = h('select', { testid: 'inventory-filter-host', 'aria-label': 'Host' }, h('option', { value: '' }, 'All hosts'));
    if (st.host) hostSel.append(h('option', { value: st.host }, st.host));
    hostSel.value = st.host;
    const sens = h('input', { type: 'checkbox', checked: st.sensitive, testid: 'inventory-filter-sensitive' });
    const unauth = h('input', { type: 'checkbox', checked: st.auth, testid: 'inventory-filter-unauth' });
    const reset = h('button', { class: 'btn small ghost', type: 'button', testid: 'inventory-reset' }, 'Clear filters');
    const toolbar = h('div', { class: 'toolbar' }, search, specSel, hostSel,
      h('label', null, sens, 'Sensitive data only'), h('label', null, unauth, 'Unauthenticated only'),
      h('span', { class: 'grow' }), reset);

    const cols = [
      ['Method', null], ['Endpoint', 'path'], ['Spec', null], ['Auth seen', null], ['Sensitive data', null],
      ['Risk', 'risk'], ['Findings', null], ['Calls', 'calls'], ['Last seen', 'last_seen'],
    ];
    const headRow = h('tr');
    const renderHead = () => {
      headRow.replaceChildren(...cols.map(([label, key]) => {
        if (!key) return h('th', { class: label === 'Calls' ? 'num' : null }, label);
        const sorted = st.sort === key;
        const th = h('th', {
          class: `sortable${sorted ? ' sorted' : ''}${key === 'calls' ? ' num' : ''}`, testid: `sort-${key}`, tabindex: 0,
          'aria-sort': sorted ? (st.order === 'asc' ? 'ascending' : 'descending') : 'none', title: `Sort by ${label.toLowerCase()}`,
        }, label, h('span', { class: 'arrow' }, sorted ? (st.order === 'asc' ? '▲' : '▼') : '↕'));
        const go = () => {
          if (st.sort === key) st.order = st.order === 'asc' ? 'desc' : 'asc';
          else { st.sort = key; st.order = SORTS[key]; }
          st.offset = 0;
          refresh();
        };
        th.addEventListener('click', go);
        th.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
        return th;
      }));
    };
    const tbody = h('tbody', { testid: 'inventory-body' });
    const info = h('span', { testid: 'inventory-count' });
    const prev = h('button', { class: 'btn small', type: 'button', testid: 'inventory-prev' }, '← Previous');
    const next = h('button', { class: 'btn small', type: 'button', testid: 'inventory-next' }, 'Next →');
    const errSlot = h('div');
    const panel = h('div', { class: 'panel', testid: 'inventory' }, toolbar, errSlot,
      h('div', { class: 'table-wrap' }, h('table', { testid: 'inventory-table' }, h('thead', null, headRow), tbody)),
      h('div', { class: 'pager' }, info, h('span', { class: 'spacer' }), prev, next));
    ctx.main.append(head, panel);
    tbody.append(emptyRow(cols.length, 'Loading…', 'loading'));

    let seq = 0;
    async function refresh() {
      renderHead();
      setRouteQuery('inventory', Object.assign(params(), { sort: st.sort === 'risk' ? '' : st.sort, order: st.order === SORTS[st.sort] ? '' : st.order, offset: st.offset || '' }));
      const mine = ++seq;
      panel.setAttribute('aria-busy', 'true');
      try {
        const list = await api(`/endpoints${qs(Object.assign(params(), { limit: PAGE_SIZE, offset: st.offset }))}`);
        if (!ctx.live() || mine !== seq) return;
        errSlot.replaceChildren();
        const items = list.items || [];
        tbody.replaceChildren(...(items.length ? items.map(inventoryRow) : [emptyRow(cols.length, 'No endpoint matches these filters.', 'inventory-empty')]));
        const total = Number(list.total) || 0;
        info.textContent = total ? `${fmtNum(st.offset + 1)}–${fmtNum(st.offset + items.length)} of ${fmtNum(total)} endpoints` : '0 endpoints';
        prev.disabled = st.offset <= 0;
        next.disabled = st.offset + items.length >= total;
        markUpdated(updated);
      } catch (e) {
        if (!ctx.live() || mine !== seq) return;
        errSlot.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The inventory could not be loaded')));
        tbody.replaceChildren();
      } finally {
        if (mine === seq && debounce === null) panel.removeAttribute('aria-busy');
      }
    }

    let debounce = null;
    search.addEventListener('input', () => {
      clearTimeout(debounce);
      panel.setAttribute('aria-busy', 'true'); // until the answer for what was typed is shown
      debounce = setTimeout(() => { debounce = null; st.q = search.value.trim(); st.offset = 0; refresh(); }, 250);
    });
    search.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { clearTimeout(debounce); debounce = null; st.q = search.value.trim(); st.offset = 0; refresh(); } });
    specSel.addEventListener('change', () => { st.spec_status = specSel.value; st.offset = 0; refresh(); });
    hostSel.addEventListener('change', () => { st.host = hostSel.value; st.offset = 0; refresh(); });
    sens.addEventListener('change', () => { st.sensitive = sens.checked; st.offset = 0; refresh(); });
    unauth.addEventListener('change', () => { st.auth = unauth.checked; st.offset = 0; refresh(); });
    reset.addEventListener('click', () => {
      Object.assign(st, { q: '', spec_status: '', host: '', sensitive: false, auth: false, offset: 0 });
      search.value = ''; specSel.value = ''; hostSel.value = ''; sens.checked = false; unauth.checked = false;
      refresh();
    });
    prev.addEventListener('click', () => { st.offset = Math.max(0, st.offset - PAGE_SIZE); refresh(); });
    next.addEventListener('click', () => { st.offset += PAGE_SIZE; refresh(); });

    // Hosts for the filter come from the overview; the list works without them.
    api('/overview').then((ov) => {
      if (!ctx.live()) return;
      for (const x of ov.hosts || []) {
        if (x.host === st.host) continue;
        hostSel.append(h('option', { value: x.host }, `${x.host} (${fmtNum(x.endpoints)})`));
      }
      hostSel.value = st.host;
    }).catch(() => {});
    await refresh();
  }

  function inventoryRow(e) {
    const href = `#/endpoints/${encodeURIComponent(e.id)}`;
    const auth = (e.auth || []).slice();
    const f = e.findings || {};
    const tr = h('tr', { class: 'clickable', testid: 'inventory-row', tabindex: 0, dataset: { endpointId: e.id, specStatus: e.spec_status || '' } },
      h('td', null, methodBadge(e.method)),
      h('td', null, pathEl('a', { class: 'path path-link', href, testid: 'inventory-path' }, e.path), h('div', { class: 'host' }, String(e.host))),
      h('td', null, h('div', { class: 'badges' }, specBadge(e.spec_status, 'inventory-spec-status'),
        e.drift > 0 ? h('span', { class: 'badge st-drift', title: 'drift items against the declared spec' }, `drift ${e.drift}`) : null)),
      h('td', null, h('div', { class: 'badges' },
        auth.length ? auth.map(authBadge) : h('span', { class: 'faint' }, '—'),
        e.unauthenticated ? h('span', { class: 'badge auth-none', title: 'answered 2xx without any credential', testid: 'inventory-unauth' }, 'open 2xx') : null)),
      h('td', null, h('div', { class: 'badges' }, (e.sensitive_types || []).length ? e.sensitive_types.map(sensitiveBadge) : h('span', { class: 'faint' }, '—'))),
      h('td', null, riskEl(e.risk)),
      h('td', null, f.open ? h('span', { class: `badge sev-${SEV_RANK[f.max_severity] !== undefined ? f.max_severity : 'info'}`, title: `${f.open} open, worst ${f.max_severity || '?'}` }, `${f.open} open`) : h('span', { class: 'faint' }, '—')),
      h('td', { class: 'num' }, fmtNum(e.calls)),
      h('td', null, e.last_seen ? timeCell(e.last_seen) : h('span', { class: 'faint' }, 'never')));
    const open = (ev) => {
      if (ev.target.closest('a')) return;
      location.hash = href;
    };
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { location.hash = href; } });
    return tr;
  }

  // ---------------------------------------------------------------- endpoint page

  async function viewEndpoint(ctx, id) {
    document.title = 'Endpoint · Rampart';
    const back = h('a', { class: 'back', href: '#/inventory' }, '← Inventory');
    const body = h('div', { testid: 'endpoint' }, loadingEl());
    ctx.main.append(back, body);
    if (!id) { body.replaceChildren(errorBox({ title: 'No endpoint', detail: 'The address names no endpoint.' })); return; }
    let d;
    try {
      d = await api(`/endpoints/${encodeURIComponent(id)}`);
    } catch (e) {
      if (!ctx.live()) return;
      body.replaceChildren(errorBox(e, e.status === 404 ? 'No such endpoint' : 'The endpoint could not be loaded'));
      return;
    }
    if (!ctx.live()) return;
    document.title = `${d.method} ${d.path} · Rampart`;
    body.replaceChildren(renderEndpoint(d));
  }

  function renderEndpoint(d) {
    const inv = d.endpoint || {};
    const spec = inv.spec || null;
    const title = h('div', { class: 'panel' }, h('div', { class: 'panel-body' },
      h('div', { class: 'ep-title' }, methodBadge(d.method), h('span', { class: 'path', testid: 'endpoint-title' }, String(d.path))),
      h('div', { class: 'ep-meta' },
        h('span', { testid: 'endpoint-host' }, 'on ', h('b', null, String(d.host))),
        specBadge(d.spec_status, 'endpoint-spec-status'),
        d.drift > 0 ? h('span', { class: 'badge st-drift' }, `drift ${d.drift}`) : null,
        h('span', { testid: 'endpoint-risk' }, 'risk ', riskEl(d.risk)),
        d.unauthenticated ? h('span', { class: 'badge auth-none' }, 'answers 2xx without credentials') : null,
        h('span', null, `${fmtNum(d.calls)} calls`),
        h('span', null, 'last seen ', d.last_seen ? timeCell(d.last_seen) : 'never'),
        h('span', { class: 'faint mono' }, String(d.id)))));

    // summary
    const schemes = (inv.auth && inv.auth.schemes) || [];
    const lat = inv.latency_ms || latencyQuantiles(inv.latency);
    const statuses = Object.entries(d.statuses || inv.statuses || {});
    const summary = h('div', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Summary')),
      h('div', { class: 'panel-body' }, h('table', { class: 'kv compact' }, h('tbody', null,
        h('tr', null, h('td', null, 'Calls'), h('td', null, fmtNum(d.calls))),
        h('tr', null, h('td', null, 'First seen'), h('td', null, fmtTime(d.first_seen))),
        h('tr', null, h('td', null, 'Last seen'), h('td', null, fmtTime(d.last_seen))),
        h('tr', null, h('td', null, 'Auth seen'), h('td', { testid: 'endpoint-auth' }, h('div', { class: 'badges' },
          schemes.length
            ? schemes.map((sc) => h('span', { class: `badge auth${sc.kind === 'none' ? ' auth-none' : ''}` }, `${sc.kind}${sc.name ? ` (${sc.name})` : ''} · ${fmtNum(sc.calls)}`))
            : (d.auth || []).map(authBadge)))),
        inv.auth ? h('tr', null, h('td', null, 'Without credentials'), h('td', null,
          `${fmtNum(inv.auth.unauthenticated_calls || 0)} calls, ${fmtNum(inv.auth.unauthenticated_success || 0)} answered 2xx`)) : null,
        h('tr', null, h('td', null, 'Statuses'), h('td', null, h('div', { class: 'statuses' },
          statuses.map(([code, n]) => h('span', { class: `badge s${String(code)[0]}` }, `${code === '0' ? 'no answer' : code} · ${fmtNum(n)}`))))),
        lat.p50 !== undefined ? h('tr', null, h('td', null, 'Latency'), h('td', null, `p50 ${fmtMs(lat.p50)} · p95 ${fmtMs(lat.p95)} · p99 ${fmtMs(lat.p99)}`)) : null,
        inv.api_versions && Object.keys(inv.api_versions).length ? h('tr', null, h('td', null, 'API versions'), h('td', null, Object.entries(inv.api_versions).map(([v, n]) => `${v} (${fmtNum(n)})`).join(', '))) : null,
        inv.response_content_types && Object.keys(inv.response_content_types).length ? h('tr', null, h('td', null, 'Response types'), h('td', null, Object.keys(inv.response_content_types).join(', '))) : null))));

    const traffic = h('div', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Traffic, last 60 minutes'), h('span', { class: 'hint' }, 'per minute, UTC')),
      h('div', { class: 'panel-body' }, trafficChart(d.traffic || [], { alerts: false, testid: 'endpoint-traffic-chart', captionTestid: 'endpoint-traffic-summary', height: 200 })));

    // spec comparison + risk
    const driftItems = (spec && spec.drift) || [];
    const specPanel = h('div', { class: 'panel', testid: 'endpoint-spec' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Spec comparison'), specBadge(d.spec_status)),
      h('div', { class: 'panel-body' },
        !spec && !d.spec_status ? h('p', { class: 'muted' }, 'No spec is loaded for this endpoint. Upload the API\'s OpenAPI document on the Specs page to find shadow, zombie and drifting endpoints.') : null,
        spec && spec.spec_file ? h('p', null, 'Spec: ', h('code', null, String(spec.spec_file)), spec.deprecated ? [' ', h('span', { class: 'badge st-zombie' }, 'deprecated')] : null) : null,
        spec && spec.reason ? h('p', null, 'Why: ', String(spec.reason)) : null,
        d.spec_status === 'shadow' ? h('p', { class: 'muted' }, 'Shadow endpoint: it answers traffic but no declared spec has it.') : null,
        driftItems.length
          ? [h('h3', null, `Drift (${driftItems.length})`), h('ul', { class: 'drift-list' }, driftItems.map((it) => h('li', { testid: 'endpoint-drift-item' },
            typeof it === 'string' ? it : [h('span', { class: 'badge st-drift' }, String(it.kind || 'drift')), ' ', it.location ? h('code', null, String(it.location)) : null, it.detail ? ` — ${it.detail}` : null])))]
          : (d.spec_status === 'documented' ? h('p', { class: 'muted', testid: 'endpoint-no-drift' }, 'No drift: the traffic matches the declared operation.') : null)));
    const parts = (inv.risk && inv.risk.parts) || [];
    const riskPanel = h('div', { class: 'panel', testid: 'endpoint-risk-panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Risk'), riskEl(d.risk)),
      h('div', { class: 'panel-body flush' }, parts.length
        ? h('table', { class: 'compact risk-parts' }, h('thead', null, h('tr', null, h('th', null, 'Factor'), h('th', { class: 'num' }, 'Points'), h('th', null, 'Why'))),
          h('tbody', null, parts.map((pt) => h('tr', null, h('td', null, String(pt.factor)), h('td', { class: 'num' }, fmtNum(pt.points)), h('td', null, String(pt.why || ''))))))
        : h('div', { class: 'empty' }, 'The server sent no breakdown of this score.')));

    // sensitive fields
    const fields = d.sensitive_fields || [];
    const sensPanel = h('div', { class: 'panel', testid: 'endpoint-sensitive' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Sensitive data'), h('span', { class: 'hint' }, 'samples are masked by Rampart'),
        h('div', { class: 'actions badges' }, (d.sensitive_types || []).map(sensitiveBadge))),
      h('div', { class: 'panel-body flush table-wrap' }, h('table', { class: 'compact' },
        h('thead', null, h('tr', null, ['Location', 'Status', 'Field (JSON path)', 'Type', 'Count', 'Sample (masked)'].map((x, i) => h('th', { class: i === 4 ? 'num' : null }, x)))),
        h('tbody', null, fields.length ? fields.map((f) => h('tr', { testid: 'endpoint-sensitive-field', dataset: { type: f.type } },
          h('td', null, String(f.location || '')), h('td', null, f.status ? String(f.status) : '—'),
          h('td', null, h('code', null, String(f.path || ''))), h('td', null, sensitiveBadge(f.type)),
          h('td', { class: 'num' }, fmtNum(f.count)),
          h('td', null, f.sample ? h('span', { class: 'sample', testid: 'endpoint-sensitive-sample' }, String(f.sample)) : h('span', { class: 'faint' }, '—'))))
          : [emptyRow(6, 'No sensitive data seen on this endpoint.')]))),
      exposureNote(inv.sensitive));

    // findings
    const findings = d.findings || [];
    const findPanel = h('div', { class: 'panel', testid: 'endpoint-findings' },
      h('div', { class: 'panel-head' }, h('h2', null, `Findings (${findings.length})`),
        h('div', { class: 'actions' }, h('a', { href: `#/findings${qs({ endpoint: d.id, status: 'all' })}` }, 'Open in Findings →'))),
      h('div', { class: 'panel-body flush table-wrap' }, h('table', { class: 'compact' },
        h('thead', null, h('tr', null, h('th', null, 'Severity'), h('th', null, 'OWASP'), h('th', null, 'Finding'), h('th', null, 'Status'))),
        h('tbody', null, findings.length ? findings.map((f) => h('tr', { testid: 'endpoint-finding', dataset: { findingId: f.id } },
          h('td', null, sevBadge(f.severity)),
          h('td', { title: f.owasp_title || OWASP[f.owasp] || '' }, h('b', null, String(f.owasp || '')), ' ', h('span', { class: 'muted' }, String(f.owasp_title || OWASP[f.owasp] || ''))),
          h('td', null, h('a', { href: `#/findings${qs({ endpoint: d.id, status: 'all', open: f.id })}` }, String(f.title || f.rule)), h('div', { class: 'faint mono' }, String(f.rule || ''))),
          h('td', null, statusBadge(f.status))))
          : [emptyRow(4, 'No findings on this endpoint.')]))));

    return h('div', null, title,
      h('div', { class: 'grid-2 mb' }, traffic, summary),
      h('div', { class: 'grid-2 mb' }, specPanel, riskPanel),
      sensPanel, findPanel,
      parametersPanel(inv),
      schemasPanel(inv));
  }

  /**
   * p50/p95/p99 from the stored histogram (`rampart_core::LatencyHistogram`: bucket i holds
   * [0.05·1.2^i, 0.05·1.2^(i+1)) ms; a quantile is its bucket's geometric middle), for servers
   * that send the histogram without the rendered `latency_ms`.
   */
  function latencyQuantiles(hist) {
    const buckets = hist && Array.isArray(hist.buckets) ? hist.buckets : [];
    const total = buckets.reduce((a, b) => a + (Number(b[1]) || 0), 0);
    if (!total) return {};
    const q = (p) => {
      const rank = Math.max(1, Math.ceil(p * total));
      let seen = 0;
      for (const [b, n] of buckets) {
        seen += Number(n) || 0;
        if (seen >= rank) return 0.05 * 1.2 ** Number(b) * Math.sqrt(1.2);
      }
      return undefined;
    };
    return { p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  }

  function exposureNote(sens) {
    if (!sens) return null;
    const rows = [];
    const add = (label, m) => {
      const e = Object.entries(m || {});
      if (e.length) rows.push(h('tr', null, h('td', null, label), h('td', null, h('div', { class: 'badges' }, e.map(([t, n]) => h('span', { class: 'badge sensitive' }, `${t} · ${fmtNum(n)}`))))));
    };
    add('Returned (calls)', sens.returned);
    add('Returned without credentials', sens.returned_unauthenticated);
    add('Returned in bulk', sens.returned_in_bulk);
    add('Accepted in requests', sens.accepted);
    if (!rows.length) return null;
    return h('div', { class: 'panel-body' }, h('table', { class: 'kv compact' }, h('tbody', null, rows)));
  }

  /** A one-line description of an observed shape (rampart_core::SchemaNode). */
  function nodeSummary(node) {
    if (!node || typeof node !== 'object') return '';
    const out = [];
    const has = (k) => node[k] !== undefined && node[k] !== null && (typeof node[k] !== 'object' || (node[k].count === undefined || node[k].count > 0));
    if (has('string')) {
      const fm = Object.keys(node.string.formats || {});
      out.push(`string${fm.length ? ` (${fm.join(', ')})` : ''}`);
    }
    for (const k of ['integer', 'number']) {
      if (has(k)) {
        const n = node[k];
        out.push(n && n.min !== undefined && n.max !== undefined ? `${k} ${fmtNum(n.min)}…${fmtNum(n.max)}` : k);
      }
    }
    if (has('boolean')) out.push('boolean');
    if (has('array')) out.push('array');
    if (has('object')) out.push('object');
    if (node.null) out.push('null');
    return out.join(' | ') || 'unknown';
  }
  function nodeExamples(node) {
    const ex = node && node.string && node.string.examples;
    if (!ex) return [];
    return Array.isArray(ex) ? ex.slice(0, 3).map(String) : Object.keys(ex).slice(0, 3);
  }

  function parametersPanel(inv) {
    const rows = [];
    const calls = inv.calls || 0;
    const push = (where, p, nameOverride) => {
      const seen = p.seen !== undefined ? p.seen : null;
      const presence = seen === null ? '—' : (calls && seen >= calls ? 'always' : `${fmtNum(seen)} of ${fmtNum(calls)} calls`);
      const ex = nodeExamples(p.schema);
      rows.push(h('tr', { testid: 'endpoint-parameter' },
        h('td', null, where), h('td', null, h('code', null, String(nameOverride || p.name || ''))),
        h('td', null, presence), h('td', null, nodeSummary(p.schema)),
        h('td', null, ex.length ? ex.map((x) => h('span', { class: 'sample' }, x)).reduce((acc, el) => acc.concat(acc.length ? [' ', el] : [el]), []) : h('span', { class: 'faint' }, '—'))));
    };
    for (const p of inv.path_params || []) push('path', p);
    for (const [n, p] of Object.entries(inv.query_params || {})) push('query', p, n);
    for (const [n, p] of Object.entries(inv.header_params || {})) push('header', p, n);
    return h('div', { class: 'panel', testid: 'endpoint-parameters' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Parameters'), h('span', { class: 'hint' }, 'as observed in traffic')),
      h('div', { class: 'panel-body flush table-wrap' }, h('table', { class: 'compact' },
        h('thead', null, h('tr', null, ['In', 'Name', 'Present', 'Type', 'Examples (masked)'].map((x) => h('th', null, x)))),
        h('tbody', null, rows.length ? rows : [emptyRow(5, 'No parameters seen.')]))));
  }

  const SCHEMA_KEYS = ['type', 'properties', 'items', 'anyOf', 'oneOf', 'allOf', '$ref', 'format', 'enum', 'const'];
  const isSchema = (v) => v && typeof v === 'object' && !Array.isArray(v) && (SCHEMA_KEYS.some((k) => k in v) || Object.keys(v).length === 0);

  function schemaTypeLabel(sc) {
    if (!sc || typeof sc !== 'object') return String(sc);
    if (sc.$ref) return String(sc.$ref);
    let t = Array.isArray(sc.type) ? sc.type.join(' | ') : (sc.type || (sc.properties ? 'object' : sc.items ? 'array' : ''));
    if (sc.nullable) t += ' | null';
    if (!t && (sc.anyOf || sc.oneOf)) t = sc.anyOf ? 'anyOf' : 'oneOf';
    if (!t && sc.allOf) t = 'allOf';
    if (!t) t = 'any';
    return t;
  }
  function schemaExtras(sc) {
    const out = [];
    for (const k of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems']) if (sc[k] !== undefined) out.push(`${k} ${sc[k]}`);
    if (Array.isArray(sc.enum)) out.push(`enum ${sc.enum.slice(0, 6).map((v) => JSON.stringify(v)).join(', ')}${sc.enum.length > 6 ? ', …' : ''}`);
    const ex = sc.examples !== undefined ? sc.examples : sc.example;
    if (ex !== undefined) out.push(`e.g. ${(Array.isArray(ex) ? ex.slice(0, 2) : [ex]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`);
    for (const [k, v] of Object.entries(sc)) if (k.startsWith('x-')) out.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (sc.deprecated) out.push('deprecated');
    return out;
  }

  /** A JSON Schema as a collapsible tree: name, type (format), required marker, nested members. */
  function schemaTree(sc, name, required, depth) {
    const label = [];
    if (name !== null && name !== undefined) label.push(h('span', { class: 'k' }, String(name)), required ? h('span', { class: 'req', title: 'required' }, '*') : null, ': ');
    if (!sc || typeof sc !== 'object') return h('div', { class: 'leaf' }, label, h('span', { class: 't' }, JSON.stringify(sc)));
    const type = schemaTypeLabel(sc);
    const kids = [];
    if (sc.properties && typeof sc.properties === 'object') {
      const req = new Set(Array.isArray(sc.required) ? sc.required : []);
      for (const [k, v] of Object.entries(sc.properties)) kids.push(schemaTree(v, k, req.has(k), depth + 1));
    }
    if (sc.items && typeof sc.items === 'object') kids.push(schemaTree(sc.items, '[items]', false, depth + 1));
    for (const comb of ['anyOf', 'oneOf', 'allOf']) {
      if (Array.isArray(sc[comb])) sc[comb].forEach((v, i) => kids.push(schemaTree(v, `${comb}[${i}]`, false, depth + 1)));
    }
    if (sc.additionalProperties && typeof sc.additionalProperties === 'object') kids.push(schemaTree(sc.additionalProperties, '{additional}', false, depth + 1));
    const extras = schemaExtras(sc);
    const line = [label, h('span', { class: 't' }, type), sc.format ? [' ', h('span', { class: 'f' }, `(${sc.format})`)] : null,
      sc.properties ? h('span', { class: 'note' }, `  ${Object.keys(sc.properties).length} properties`) : null,
      extras.length ? h('span', { class: 'note' }, `  ${extras.join(' · ')}`) : null];
    if (!kids.length) return h('div', { class: 'leaf' }, line);
    return h('details', { open: depth < 3 }, h('summary', null, line), h('div', { class: 'children' }, kids));
  }

  /** An observed shape (`rampart_core::SchemaNode`) as a tree: types, presence, masked examples, sensitive kinds. */
  function nodeTree(node, name, required, depth) {
    const label = [];
    if (name !== null && name !== undefined) label.push(h('span', { class: 'k' }, String(name)), required ? h('span', { class: 'req', title: 'present in every object' }, '*') : null, ': ');
    if (!node || typeof node !== 'object') return h('div', { class: 'leaf' }, label, h('span', { class: 't' }, '?'));
    const kids = [];
    const obj = node.object && node.object.count !== 0 ? node.object : null;
    if (obj && obj.properties) {
      for (const [k, child] of Object.entries(obj.properties)) {
        const req = child && obj.count !== undefined && child.seen !== undefined && child.seen >= obj.count;
        kids.push(nodeTree(child, k, req, depth + 1));
      }
    }
    const arr = node.array && node.array.count !== 0 ? node.array : null;
    if (arr && arr.items) kids.push(nodeTree(arr.items, '[items]', false, depth + 1));
    const notes = [];
    if (arr && arr.min_items !== undefined) notes.push(`${arr.min_items}…${arr.max_items} items`);
    if (node.string && node.string.min_len !== undefined) notes.push(`length ${node.string.min_len}…${node.string.max_len}`);
    const ex = nodeExamples(node);
    if (ex.length) notes.push(`e.g. ${ex.join(', ')}`);
    if (obj && obj.truncated) notes.push('more properties than kept');
    const sens = Object.entries(node.sensitive || {});
    const line = [label, h('span', { class: 't' }, nodeSummary(node)),
      obj && obj.properties ? h('span', { class: 'note' }, `  ${Object.keys(obj.properties).length} properties`) : null,
      notes.length ? h('span', { class: 'note' }, `  ${notes.join(' · ')}`) : null,
      sens.length ? [' ', sens.map(([t, n]) => h('span', { class: `badge sensitive${SECRET_TYPES.has(t) ? ' secret' : ''}`, title: `${n} values` }, t))] : null];
    if (!kids.length) return h('div', { class: 'leaf' }, line);
    return h('details', { open: depth < 3 }, h('summary', null, line), h('div', { class: 'children' }, kids));
  }

  function nodeBlock(title, node) {
    return h('div', { class: 'schema-block', testid: 'endpoint-schema' },
      h('div', { class: 'schema-title' }, title),
      h('div', { class: 'schema-body' },
        h('div', { class: 'tree' }, nodeTree(node, null, false, 0)),
        h('details', { class: 'raw' }, h('summary', null, 'Raw observed shape'), h('pre', { class: 'json' }, JSON.stringify(node, null, 2)))));
  }

  function schemaBlock(title, sc) {
    return h('div', { class: 'schema-block', testid: 'endpoint-schema' },
      h('div', { class: 'schema-title' }, title),
      h('div', { class: 'schema-body' },
        h('div', { class: 'tree' }, schemaTree(sc, null, false, 0)),
        h('details', { class: 'raw' }, h('summary', null, 'Raw JSON Schema'), h('pre', { class: 'json' }, JSON.stringify(sc, null, 2)))));
  }

  function schemasPanel(inv) {
    const js = inv.json_schemas || {};
    const blocks = [];
    const mediaBlocks = (prefix, v) => {
      if (!v || typeof v !== 'object') return;
      if (isSchema(v) && !Object.keys(v).some((k) => k.includes('/'))) { blocks.push(schemaBlock(prefix, v)); return; }
      for (const [mt, sc] of Object.entries(v)) blocks.push(schemaBlock([prefix, ' ', h('code', null, mt)], sc));
    };
    const req = js.request;
    if (req && Object.keys(req).length) mediaBlocks('Request body', req);
    const resp = js.responses || {};
    for (const [status, v] of Object.entries(resp)) mediaBlocks(`Response ${status}`, v);
    let hint = 'JSON Schema reconstructed from traffic; * = always present';
    if (!blocks.length) {
      // No rendered JSON Schema: show the observed shapes themselves.
      for (const [mt, node] of Object.entries(inv.request_bodies || {})) blocks.push(nodeBlock(['Request body ', h('code', null, mt)], node));
      for (const [status, byType] of Object.entries(inv.responses || {})) {
        for (const [mt, node] of Object.entries(byType || {})) blocks.push(nodeBlock([`Response ${status} `, h('code', null, mt)], node));
      }
      hint = 'shapes observed in traffic; * = present in every object';
    }
    return h('div', { class: 'panel', testid: 'endpoint-schemas' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Request and response schemas'), h('span', { class: 'hint' }, hint)),
      h('div', { class: 'panel-body' }, blocks.length ? blocks : h('div', { class: 'empty' }, 'No JSON bodies seen.')));
  }

  // ---------------------------------------------------------------- findings

  async function viewFindings(ctx) {
    document.title = 'Findings · Rampart';
    const p = ctx.params;
    const st = {
      status: p.has('status') ? (p.get('status') === 'all' ? '' : p.get('status')) : 'open',
      severity: p.get('severity') || '',
      owasp: p.get('owasp') || '',
      q: p.get('q') || '',
      endpoint: p.get('endpoint') || '',
      offset: Math.max(0, parseInt(p.get('offset'), 10) || 0),
    };
    const expanded = new Set(p.get('open') ? [p.get('open')] : []);
    const { head, updated } = pageHead('Findings', 'Posture findings from passive analysis, mapped to the OWASP API Security Top 10 (2023)');
    const statusSel = h('select', { testid: 'findings-filter-status', 'aria-label': 'Status' },
      h('option', { value: '' }, 'All statuses'), ['open', 'accepted', 'fixed'].map((v) => h('option', { value: v }, v)));
    statusSel.value = st.status;
    const sevSel = h('select', { testid: 'findings-filter-severity', 'aria-label': 'Minimum severity' },
      h('option', { value: '' }, 'Any severity'), ['critical', 'high', 'medium', 'low', 'info'].map((v) => h('option', { value: v }, v === 'critical' ? 'critical' : `${v} and above`)));
    sevSel.value = st.severity;
    const owaspSel = h('select', { testid: 'findings-filter-owasp', 'aria-label': 'OWASP category' },
      h('option', { value: '' }, 'All OWASP categories'), Object.entries(OWASP).map(([k, v]) => h('option', { value: k }, `${k} · ${v}`)));
    owaspSel.value = st.owasp;
    const search = h('input', { type: 'search', placeholder: 'Search rule, title or path…', value: st.q, testid: 'findings-search', 'aria-label': 'Search' });
    const chipSlot = h('span');
    const renderChip = () => {
      chipSlot.replaceChildren(st.endpoint ? h('span', { class: 'chip', testid: 'findings-endpoint-chip' }, 'endpoint ', h('code', null, st.endpoint),
        h('button', { type: 'button', title: 'Remove', 'aria-label': 'Remove endpoint filter', onclick: () => { st.endpoint = ''; st.offset = 0; renderChip(); refresh(); } }, '×')) : '');
    };
    renderChip();
    const toolbar = h('div', { class: 'toolbar' }, search, statusSel, sevSel, owaspSel, chipSlot);
    const tbody = h('tbody', { testid: 'findings-body' });
    const info = h('span', { testid: 'findings-count' });
    const prev = h('button', { class: 'btn small', type: 'button' }, '← Previous');
    const next = h('button', { class: 'btn small', type: 'button' }, 'Next →');
    const errSlot = h('div');
    const panel = h('div', { class: 'panel', testid: 'findings' }, toolbar, errSlot,
      h('div', { class: 'table-wrap' }, h('table', { testid: 'findings-table' },
        h('thead', null, h('tr', null, h('th'), h('th', null, 'Severity'), h('th', null, 'OWASP'), h('th', null, 'Finding'), h('th', null, 'Endpoint'), h('th', null, 'Status'))),
        tbody)),
      h('div', { class: 'pager' }, info, h('span', { class: 'spacer' }), prev, next));
    ctx.main.append(head, panel);
    tbody.append(emptyRow(6, 'Loading…', 'loading'));

    let seq = 0;
    async function refresh() {
      setRouteQuery('findings', { status: st.status || 'all', severity: st.severity, owasp: st.owasp, q: st.q, endpoint: st.endpoint, offset: st.offset || '' });
      const mine = ++seq;
      panel.setAttribute('aria-busy', 'true');
      try {
        const list = await api(`/findings${qs({ status: st.status, severity: st.severity, owasp: st.owasp, q: st.q, endpoint: st.endpoint, limit: PAGE_SIZE, offset: st.offset })}`);
        if (!ctx.live() || mine !== seq) return;
        errSlot.replaceChildren();
        const items = list.items || [];
        const rows = [];
        for (const f of items) rows.push(...findingRows(f, expanded));
        tbody.replaceChildren(...(rows.length ? rows : [emptyRow(6, 'No finding matches these filters.', 'findings-empty')]));
        const total = Number(list.total) || 0;
        info.textContent = total ? `${fmtNum(st.offset + 1)}–${fmtNum(st.offset + items.length)} of ${fmtNum(total)} findings` : '0 findings';
        prev.disabled = st.offset <= 0;
        next.disabled = st.offset + items.length >= total;
        markUpdated(updated);
      } catch (e) {
        if (!ctx.live() || mine !== seq) return;
        errSlot.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The findings could not be loaded')));
        tbody.replaceChildren();
      } finally {
        if (mine === seq && debounce === null) panel.removeAttribute('aria-busy');
      }
    }
    let debounce = null;
    search.addEventListener('input', () => {
      clearTimeout(debounce);
      panel.setAttribute('aria-busy', 'true'); // until the answer for what was typed is shown
      debounce = setTimeout(() => { debounce = null; st.q = search.value.trim(); st.offset = 0; refresh(); }, 250);
    });
    search.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { clearTimeout(debounce); debounce = null; st.q = search.value.trim(); st.offset = 0; refresh(); } });
    statusSel.addEventListener('change', () => { st.status = statusSel.value; st.offset = 0; refresh(); });
    sevSel.addEventListener('change', () => { st.severity = sevSel.value; st.offset = 0; refresh(); });
    owaspSel.addEventListener('change', () => { st.owasp = owaspSel.value; st.offset = 0; refresh(); });
    prev.addEventListener('click', () => { st.offset = Math.max(0, st.offset - PAGE_SIZE); refresh(); });
    next.addEventListener('click', () => { st.offset += PAGE_SIZE; refresh(); });
    await refresh();
  }

  /** A finding's row and, when expanded, its detail row (evidence, fix, status control). */
  function findingRows(f, expanded) {
    const isOpen = expanded.has(f.id);
    const ep = f.endpoint || null;
    const changed = f.status_changed_at ? h('div', { class: 'faint', title: fmtTime(f.status_changed_at) }, `${fmtAgo(f.status_changed_at)}${f.status_changed_by ? ` by ${f.status_changed_by}` : ''}`) : null;
    const row = h('tr', { class: `clickable${isOpen ? ' expanded' : ''}`, testid: 'finding-row', tabindex: 0, 'aria-expanded': String(isOpen), dataset: { findingId: f.id, status: f.status || '' } },
      h('td', null, h('span', { class: 'caret' }, '▸')),
      h('td', null, sevBadge(f.severity, 'finding-severity')),
      h('td', { class: 'nowrap', title: f.owasp_title || OWASP[f.owasp] || '' }, h('b', { testid: 'finding-owasp' }, String(f.owasp || '—')),
        h('div', { class: 'faint' }, String(f.owasp_title || OWASP[f.owasp] || ''))),
      h('td', null, h('div', { testid: 'finding-title' }, String(f.title || '')), h('div', { class: 'faint mono' }, String(f.rule || ''))),
      h('td', { class: 'ep-cell' }, ep ? [methodBadge(ep.method), ' ', pathEl('a', { class: 'path', href: `#/endpoints/${encodeURIComponent(ep.id)}`, testid: 'finding-endpoint' }, ep.path), h('div', { class: 'host' }, String(ep.host || ''))] : h('span', { class: 'faint' }, 'API-wide')),
      h('td', null, statusBadge(f.status, 'finding-status'), changed));
    const toggle = (ev) => {
      if (ev && ev.target.closest('a')) return;
      if (expanded.has(f.id)) expanded.delete(f.id); else expanded.add(f.id);
      const fresh = findingRows(f, expanded);
      const detail = row.nextElementSibling && row.nextElementSibling.classList.contains('detail-row') ? row.nextElementSibling : null;
      if (detail) detail.remove();
      row.replaceWith(...fresh);
      fresh[0].focus();
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(); } });
    if (!isOpen) return [row];

    const evidence = (f.evidence || []).length
      ? h('ul', { testid: 'finding-evidence' }, f.evidence.map((e) => h('li', null, String(e))))
      : h('p', { class: 'muted', testid: 'finding-evidence' }, 'No evidence recorded.');
    const left = h('div', null,
      h('h4', null, 'Evidence'), evidence,
      h('h4', { class: 'mt' }, 'How to fix'), h('div', { class: 'fix', testid: 'finding-fix' }, String(f.fix || '—')));
    const meta = h('table', { class: 'kv compact' }, h('tbody', null,
      h('tr', null, h('td', null, 'Rule'), h('td', null, h('code', null, String(f.rule || '')))),
      h('tr', null, h('td', null, 'OWASP'), h('td', null, `${f.owasp || ''} · ${f.owasp_title || OWASP[f.owasp] || ''}`)),
      h('tr', null, h('td', null, 'Finding id'), h('td', null, h('code', null, String(f.id)))),
      h('tr', null, h('td', null, 'Status'), h('td', null, statusBadge(f.status))),
      f.status_changed_at ? h('tr', null, h('td', null, 'Changed'), h('td', null, `${fmtTime(f.status_changed_at)}${f.status_changed_by ? ` by ${f.status_changed_by}` : ''}`)) : null,
      f.note ? h('tr', null, h('td', null, 'Note'), h('td', { testid: 'finding-note-text' }, String(f.note))) : null));
    const right = h('div', null, h('h4', null, 'Details'), meta, canOperate() ? statusControl(f, (updatedF) => {
      Object.assign(f, updatedF);
      const fresh = findingRows(f, expanded);
      const detail = row.nextElementSibling;
      if (detail && detail.classList.contains('detail-row')) detail.remove();
      row.replaceWith(...fresh);
    }) : null);
    const detailRow = h('tr', { class: 'detail-row', testid: 'finding-detail' }, h('td', { colspan: 6 }, h('div', { class: 'detail' }, left, right)));
    return [row, detailRow];
  }

  function statusControl(f, onSaved) {
    const sel = h('select', { testid: 'finding-status-select', 'aria-label': 'New status' }, ['open', 'accepted', 'fixed'].map((v) => h('option', { value: v }, v)));
    sel.value = f.status || 'open';
    const note = h('input', { type: 'text', placeholder: 'Note (why accepted, ticket, …)', value: f.note || '', testid: 'finding-note', maxlength: 2000, 'aria-label': 'Note' });
    const btn = h('button', { class: 'btn primary small', type: 'submit', testid: 'finding-status-save' }, 'Save');
    const msg = h('div', { class: 'form-msg', testid: 'finding-status-message', role: 'status' });
    const form = h('form', { class: 'status-control', testid: 'finding-status-control' },
      h('h4', null, 'Triage'), h('div', { class: 'row' }, sel, note, btn), msg);
    form.addEventListener('click', (ev) => ev.stopPropagation());
    form.addEventListener('keydown', (ev) => ev.stopPropagation());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      btn.disabled = true;
      msg.className = 'form-msg';
      msg.textContent = 'Saving…';
      const body = { status: sel.value };
      const n = note.value.trim();
      if (n) body.note = n;
      try {
        const updatedF = await api(`/findings/${encodeURIComponent(f.id)}`, { method: 'PATCH', body });
        toast(`Finding marked ${updatedF && updatedF.status ? updatedF.status : sel.value}`);
        onSaved(updatedF && typeof updatedF === 'object' ? updatedF : { status: sel.value, note: n || null });
      } catch (e) {
        btn.disabled = false;
        msg.className = 'form-msg err';
        msg.textContent = `${e.title}: ${e.detail}`;
      }
    });
    return form;
  }

  // ---------------------------------------------------------------- attacks: alerts & decisions

  async function viewAlerts(ctx) {
    document.title = 'Attacks · Rampart';
    const { head, updated } = pageHead('Attacks', 'Alerts from behavioural detection, and the blocks and rate limits in force');
    const expanded = new Set();
    const stateSel = h('select', { testid: 'alerts-filter-state', 'aria-label': 'Alert state' },
      h('option', { value: '' }, 'All alerts'), h('option', { value: 'open' }, 'Open alerts'), h('option', { value: 'closed' }, 'Closed alerts'));
    stateSel.value = ctx.params.get('state') || '';
    const alertsBody = h('tbody', { testid: 'alerts-body' }, emptyRow(8, 'Loading…', 'loading'));
    const alertsInfo = h('span', { class: 'hint', testid: 'alerts-count' });
    const alertsErr = h('div');
    const alertsPanel = h('div', { class: 'panel', testid: 'alerts' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Alerts'), alertsInfo,
        h('div', { class: 'actions' }, h('span', { class: 'badge live' }, 'live'), stateSel)),
      alertsErr,
      h('div', { class: 'table-wrap' }, h('table', { testid: 'alerts-table' },
        h('thead', null, h('tr', null, h('th'), h('th', null, 'Severity'), h('th', null, 'Alert'), h('th', null, 'Key'),
          h('th', { class: 'num' }, 'Count'), h('th', null, 'Seen'), h('th', null, 'Endpoints'), h('th', null, 'Action'))),
        alertsBody)));

    const history = h('input', { type: 'checkbox', testid: 'decisions-history' });
    const decBody = h('tbody', { testid: 'decisions-body' }, emptyRow(8, 'Loading…', 'loading'));
    const decInfo = h('span', { class: 'hint', testid: 'decisions-count' });
    const decErr = h('div');
    const decPanel = h('div', { class: 'panel', testid: 'decisions' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Decisions'), decInfo,
        h('div', { class: 'actions' }, h('label', { class: 'muted' }, history, ' Show history (lifted and expired)'))),
      decErr,
      h('div', { class: 'table-wrap' }, h('table', { testid: 'decisions-table' },
        h('thead', null, h('tr', null, ['Target', 'Action', 'Reason', 'Source', 'Created', 'Expires', 'State', ''].map((x) => h('th', null, x)))),
        decBody)));

    ctx.main.append(head, alertsPanel, decPanel);
    if (canOperate()) ctx.main.append(decisionForm(() => loadDecisions(true)));
    else ctx.main.append(h('p', { class: 'muted', testid: 'viewer-note' }, 'Your role (viewer) can read alerts and decisions; lifting and adding decisions needs an operator or admin token.'));

    let lastAlerts = '';
    let lastDecisions = '';
    async function loadAlerts(force) {
      try {
        const list = await api(`/alerts${qs({ state: stateSel.value, limit: 200 })}`);
        if (!ctx.live()) return;
        alertsErr.replaceChildren();
        const sig = JSON.stringify(list);
        if (!force && sig === lastAlerts) return;
        lastAlerts = sig;
        const items = list.items || [];
        const rows = [];
        for (const a of items) rows.push(...alertRows(a, expanded));
        alertsBody.replaceChildren(...(rows.length ? rows : [emptyRow(8, stateSel.value === 'open' ? 'No open alerts. All quiet.' : 'No alerts.', 'alerts-empty')]));
        const open = items.filter((a) => a.state !== 'closed').length;
        alertsInfo.textContent = `${fmtNum(list.total)} alerts${open ? `, ${open} open` : ''}`;
      } catch (e) {
        if (!ctx.live()) return;
        alertsErr.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The alerts could not be loaded')));
      }
    }
    async function loadDecisions(force) {
      try {
        const list = await api(`/decisions${qs({ active: history.checked ? 'false' : 'true', limit: 200 })}`);
        if (!ctx.live()) return;
        decErr.replaceChildren();
        const sig = JSON.stringify(list);
        if (!force && sig === lastDecisions) return;
        lastDecisions = sig;
        const items = list.items || [];
        decBody.replaceChildren(...(items.length ? items.map((d) => decisionRow(d, async () => { await Promise.all([loadDecisions(true), loadAlerts(true)]); }))
          : [emptyRow(8, history.checked ? 'No decisions yet.' : 'No active decision: nobody is blocked or rate-limited.', 'decisions-empty')]));
        decInfo.textContent = history.checked ? `${fmtNum(list.total)} in history` : `${fmtNum(list.total)} active`;
      } catch (e) {
        if (!ctx.live()) return;
        decErr.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The decisions could not be loaded')));
      }
    }
    stateSel.addEventListener('change', () => {
      setRouteQuery('alerts', { state: stateSel.value });
      loadAlerts(true);
    });
    history.addEventListener('change', () => loadDecisions(true));
    await Promise.all([loadAlerts(true), loadDecisions(true)]);
    markUpdated(updated, 'live, every 3 s');
    every(ctx, 3000, async () => {
      await Promise.all([loadAlerts(false), loadDecisions(false)]);
      if (ctx.live()) markUpdated(updated, 'live, every 3 s');
    });
  }

  function alertRows(a, expanded) {
    const isOpen = expanded.has(a.id);
    const blocked = a.decision && a.decision.active;
    const live = a.state !== 'closed';
    const eps = a.endpoints || [];
    const row = h('tr', { class: `clickable${isOpen ? ' expanded' : ''}`, testid: 'alert-row', tabindex: 0, 'aria-expanded': String(isOpen), dataset: { alertId: a.id, state: a.state || '' } },
      h('td', null, h('span', { class: 'caret' }, '▸')),
      h('td', null, sevBadge(a.severity, 'alert-severity'), h('div', { class: 'faint' }, `${a.confidence || '?'} confidence`)),
      h('td', { class: 'summary-cell' },
        h('div', null, h('b', { testid: 'alert-detector' }, String(a.detector || '')), ' ',
          live ? h('span', { class: 'badge live', testid: 'alert-state' }, 'open') : h('span', { class: 'badge closed', testid: 'alert-state' }, 'closed'),
          a.owasp ? h('span', { class: 'faint', title: OWASP[a.owasp] || '' }, ` ${a.owasp}`) : null),
        h('div', { class: 'muted', testid: 'alert-summary' }, String(a.summary || ''))),
      h('td', null, keyEl(a.key, 'alert-key')),
      h('td', { class: 'num' }, fmtNum(a.count)),
      h('td', { class: 'nowrap' }, h('div', { title: fmtTime(a.first_seen) }, 'first ', fmtAgo(a.first_seen)), h('div', { class: 'faint', title: fmtTime(a.last_seen) }, 'last ', fmtAgo(a.last_seen))),
      h('td', null, eps.slice(0, 2).map((e) => pathEl('div', { class: 'mono ep-line' }, e)), eps.length > 2 ? h('div', { class: 'faint' }, `+${eps.length - 2} more`) : null),
      h('td', null, h('div', { class: 'badges' }, actionBadge(a.action),
        a.monitor_only ? h('span', { class: 'badge monitor', title: 'reported only: confidence below the blocking threshold, or monitor mode' }, 'monitor only') : null,
        blocked ? (isRateLimit(a.action)
          ? h('span', { class: 'badge ratelimited', testid: 'alert-blocked', title: `decision ${a.decision.id} is in force` }, 'rate-limited')
          : h('span', { class: 'badge blocked', testid: 'alert-blocked', title: `decision ${a.decision.id} is in force` }, 'blocked')) : null)));
    const toggle = () => {
      if (expanded.has(a.id)) expanded.delete(a.id); else expanded.add(a.id);
      const fresh = alertRows(a, expanded);
      const detail = row.nextElementSibling && row.nextElementSibling.classList.contains('detail-row') ? row.nextElementSibling : null;
      if (detail) detail.remove();
      row.replaceWith(...fresh);
      fresh[0].focus();
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(); } });
    if (!isOpen) return [row];

    const measures = Object.entries(a.measures || {});
    const samples = a.samples || [];
    const detail = h('div', { class: 'alert-detail' },
      h('div', { class: 'cols' },
        h('div', null, h('h4', null, 'Measures'), measures.length
          ? h('table', { class: 'kv compact', testid: 'alert-measures' }, h('tbody', null, measures.map(([k, v]) => h('tr', null, h('td', null, k),
            h('td', null, k === 'duration_secs' ? fmtDuration(v) : (typeof v === 'number' ? (Number.isInteger(v) ? fmtNum(v) : v.toFixed(2)) : (typeof v === 'object' ? JSON.stringify(v) : String(v))))))))
          : h('p', { class: 'muted' }, 'None.')),
        h('div', null,
          h('h4', null, 'Alert'), h('table', { class: 'kv compact' }, h('tbody', null,
            h('tr', null, h('td', null, 'Id'), h('td', null, h('code', null, String(a.id)))),
            h('tr', null, h('td', null, 'First seen'), h('td', null, fmtTime(a.first_seen))),
            h('tr', null, h('td', null, 'Last seen'), h('td', null, fmtTime(a.last_seen))),
            a.owasp ? h('tr', null, h('td', null, 'OWASP'), h('td', null, `${a.owasp} · ${OWASP[a.owasp] || ''}`)) : null,
            h('tr', null, h('td', null, 'Decision'), h('td', null, a.decision ? `${a.decision.active ? 'in force' : 'not in force'} (${a.decision.id})` : 'none')))),
          (a.related || []).length ? [h('h4', null, 'Related'), h('div', { class: 'badges' }, a.related.map((k) => h('span', { class: 'badge' }, keyText(k))))] : null,
          eps.length ? [h('h4', null, 'Endpoints'), h('ul', { class: 'plain-list' }, eps.map((e) => h('li', { class: 'mono' }, String(e))))] : null)),
      h('h4', null, `Evidence samples (${samples.length}, masked)`),
      samples.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'compact', testid: 'alert-samples' },
        h('thead', null, h('tr', null, ['At', 'IP', 'Method', 'Target', 'Status', 'Note'].map((x) => h('th', null, x)))),
        h('tbody', null, samples.map((sm) => h('tr', { testid: 'alert-sample' },
          h('td', { class: 'nowrap' }, fmtTime(sm.at)), h('td', { class: 'mono' }, String(sm.ip || '—')), h('td', null, methodBadge(sm.method)),
          h('td', { class: 'path' }, String(sm.target || '')), h('td', null, sm.status === undefined || sm.status === null ? '—' : String(sm.status)),
          h('td', { class: 'muted' }, String(sm.note || ''))))))) : h('p', { class: 'muted' }, 'No samples kept.'));
    return [row, h('tr', { class: 'detail-row', testid: 'alert-detail' }, h('td', { colspan: 8 }, detail))];
  }

  function decisionRow(d, onChange) {
    const t = d.target || {};
    let stateEl;
    if (d.active) stateEl = h('span', { class: 'badge active-badge' }, 'in force');
    else if (d.lifted_at) stateEl = h('span', { class: 'badge lifted', title: fmtTime(d.lifted_at) }, `lifted${d.lifted_by ? ` by ${d.lifted_by}` : ''}`);
    else stateEl = h('span', { class: 'badge lifted' }, 'expired');
    const lift = d.active && canOperate() ? h('button', {
      class: 'btn danger small', type: 'button', testid: 'lift-button', title: 'Lift this decision now',
      onclick: () => confirmDialog({
        title: 'Lift this decision?',
        message: `${keyText(t)} will no longer be ${String(d.action).startsWith('rate') ? 'rate-limited' : 'blocked'}. If the attack goes on, detection may decide again.`,
        confirmLabel: 'Lift decision',
        confirmTestid: 'confirm-lift',
        action: async () => {
          await api(`/decisions/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
          toast(`Decision on ${keyText(t)} lifted`);
          await onChange();
        },
      }),
    }, 'Lift') : null;
    return h('tr', { testid: 'decision-row', dataset: { decisionId: d.id, active: String(Boolean(d.active)) } },
      h('td', null, keyEl(t, 'decision-target')),
      h('td', null, actionBadge(d.action, d.per_minute)),
      h('td', { class: 'summary-cell muted' }, String(d.reason || '')),
      h('td', null, String(d.source || ''), d.detector ? h('div', { class: 'faint' }, String(d.detector)) : null),
      h('td', null, timeCell(d.created_at)),
      h('td', null, d.expires_at ? timeCell(d.expires_at) : h('span', { class: 'faint' }, 'never')),
      h('td', null, stateEl),
      h('td', { class: 'right' }, lift));
  }

  function decisionForm(onAdded) {
    const kind = h('select', { testid: 'decision-kind' }, ['ip', 'cidr', 'identity', 'token'].map((v) => h('option', { value: v }, v)));
    const value = h('input', { type: 'text', placeholder: '198.51.100.9', testid: 'decision-value', required: true });
    const action = h('select', { testid: 'decision-action' }, h('option', { value: 'block' }, 'block'), h('option', { value: 'rate-limit' }, 'rate limit'));
    const perMinute = h('input', { type: 'number', min: 1, value: 30, testid: 'decision-per-minute', disabled: true });
    const reason = h('input', { type: 'text', placeholder: 'why (shown in the audit log)', testid: 'decision-reason', required: true });
    const expiry = h('select', { testid: 'decision-expiry' },
      [[900, '15 minutes'], [3600, '1 hour'], [21600, '6 hours'], [86400, '24 hours'], [604800, '7 days'], [2592000, '30 days']].map(([v, l]) => h('option', { value: v }, l)));
    expiry.value = '3600';
    const placeholders = { ip: '198.51.100.9', cidr: '198.51.100.0/24', identity: 'customer id or client id', token: 'token fingerprint' };
    kind.addEventListener('change', () => { value.placeholder = placeholders[kind.value] || ''; });
    action.addEventListener('change', () => { perMinute.disabled = action.value !== 'rate-limit'; });
    const btn = h('button', { class: 'btn primary', type: 'submit', testid: 'decision-submit' }, 'Add decision');
    const msg = h('div', { class: 'form-msg', testid: 'decision-form-message', role: 'status' });
    const form = h('form', { class: 'panel', testid: 'decision-form' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Add a decision'), h('span', { class: 'hint' }, 'block or rate-limit a client by hand')),
      h('div', { class: 'panel-body' },
        h('div', { class: 'form-grid' },
          h('label', { class: 'field' }, h('span', null, 'Kind'), kind),
          h('label', { class: 'field' }, h('span', null, 'Value'), value),
          h('label', { class: 'field' }, h('span', null, 'Action'), action),
          h('label', { class: 'field' }, h('span', null, 'Per minute (rate limit)'), perMinute),
          h('label', { class: 'field wide' }, h('span', null, 'Reason'), reason),
          h('label', { class: 'field' }, h('span', null, 'Expires after'), expiry),
          h('div', { class: 'field' }, btn)),
        msg));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      msg.className = 'form-msg';
      if (!value.value.trim()) { msg.className = 'form-msg err'; msg.textContent = 'Give the value to decide on.'; value.focus(); return; }
      if (!reason.value.trim()) { msg.className = 'form-msg err'; msg.textContent = 'Give a reason.'; reason.focus(); return; }
      const body = { kind: kind.value, value: value.value.trim(), action: action.value, reason: reason.value.trim(), expires_in_seconds: Number(expiry.value) };
      if (action.value === 'rate-limit') body.per_minute = Number(perMinute.value) || 30;
      btn.disabled = true;
      msg.textContent = 'Adding…';
      try {
        const d = await api('/decisions', { method: 'POST', body });
        msg.className = 'form-msg ok';
        msg.textContent = `Added: ${keyText(d && d.target ? d.target : { kind: body.kind, value: body.value })} ${body.action === 'block' ? 'blocked' : 'rate-limited'}.`;
        value.value = '';
        reason.value = '';
        await onAdded();
      } catch (e) {
        msg.className = 'form-msg err';
        msg.textContent = `${e.title}: ${e.detail}`;
      } finally {
        btn.disabled = false;
      }
    });
    return form;
  }

  // ---------------------------------------------------------------- specs

  async function viewSpecs(ctx) {
    document.title = 'Specs · Rampart';
    const { head, updated } = pageHead('Specs', 'Declared OpenAPI documents against what the traffic shows');
    const specsBody = h('tbody', { testid: 'specs-body' }, emptyRow(7, 'Loading…', 'loading'));
    const specsErr = h('div');
    const uploadMsg = h('span', { class: 'form-msg', testid: 'spec-upload-message', role: 'status' });
    let upload = null;
    if (canOperate()) {
      const file = h('input', { type: 'file', accept: '.yaml,.yml,.json,application/json,application/yaml', testid: 'spec-upload-input', 'aria-label': 'OpenAPI document' });
      const btn = h('button', { class: 'btn primary small', type: 'button', testid: 'spec-upload-button' }, 'Upload');
      btn.addEventListener('click', async () => {
        const f = file.files && file.files[0];
        if (!f) { uploadMsg.className = 'form-msg err'; uploadMsg.textContent = 'Choose an OpenAPI document (YAML or JSON) first.'; return; }
        btn.disabled = true;
        uploadMsg.className = 'form-msg';
        uploadMsg.textContent = `Uploading ${f.name}…`;
        try {
          const text = await f.text();
          const ct = /\.json$/i.test(f.name) ? 'application/json' : 'application/yaml';
          const info = await api(`/specs${qs({ name: f.name })}`, { method: 'POST', body: text, headers: { 'Content-Type': ct } });
          uploadMsg.className = 'form-msg ok';
          uploadMsg.textContent = `Uploaded ${info && info.name ? info.name : f.name}${info && info.operations !== undefined ? ` (${info.operations} operations)` : ''}.`;
          file.value = '';
          if (info && info.id) pending = { id: info.id, present: true, info, until: Date.now() + 30000 };
          await Promise.all([loadSpecs(), loadDiff()]);
        } catch (e) {
          uploadMsg.className = 'form-msg err';
          uploadMsg.textContent = `${e.title}: ${e.detail}`;
        } finally {
          btn.disabled = false;
        }
      });
      upload = h('div', { class: 'actions', testid: 'spec-upload' }, file, btn);
    }
    const specsPanel = h('div', { class: 'panel', testid: 'specs' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Uploaded specs'), upload),
      upload ? h('div', { class: 'toolbar msg-bar' }, uploadMsg) : null,
      specsErr,
      h('div', { class: 'table-wrap' }, h('table', { class: 'compact', testid: 'specs-table' },
        h('thead', null, h('tr', null, ['Name', 'Title', 'Version', 'Operations', 'SHA-256', 'Uploaded', ''].map((x, i) => h('th', { class: i === 3 ? 'num' : null }, x)))),
        specsBody)));

    const hostSel = h('select', { testid: 'reconstructed-host', 'aria-label': 'Host' }, h('option', { value: '' }, 'busiest host'));
    const recBtn = h('button', { class: 'btn small', type: 'button', testid: 'reconstructed-download' }, 'Download reconstructed spec');
    const recMsg = h('span', { class: 'form-msg', testid: 'reconstructed-message' });
    recBtn.addEventListener('click', async () => {
      recBtn.disabled = true;
      recMsg.className = 'form-msg';
      recMsg.textContent = '';
      try {
        const host = hostSel.value;
        await downloadFile(`/reconstructed-spec${qs({ host })}`, `${(host || 'api').replace(/[^A-Za-z0-9._-]+/g, '_')}.reconstructed.openapi.json`);
        recMsg.className = 'form-msg ok';
        recMsg.textContent = 'Downloaded.';
      } catch (e) {
        recMsg.className = 'form-msg err';
        recMsg.textContent = `${e.title}: ${e.detail}`;
      } finally {
        recBtn.disabled = false;
      }
    });
    const recPanel = h('div', { class: 'panel', testid: 'reconstructed' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Reconstructed spec'),
        h('span', { class: 'hint' }, 'OpenAPI 3.1 built from the observed traffic: a starting point to document shadow endpoints'),
        h('div', { class: 'actions' }, hostSel, recBtn)),
      h('div', { class: 'toolbar msg-bar' }, recMsg));

    const diffSlot = h('div', { testid: 'spec-diff' }, loadingEl());
    const diffPanel = h('div', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Spec diff'), h('span', { class: 'hint' }, 'declared operations compared with the endpoints seen in traffic')),
      diffSlot);
    ctx.main.append(head, diffPanel, specsPanel, recPanel);

    // The server lists a spec (and compares with it) once its analysis has taken an upload or a
    // delete in, a moment later: until then the change is shown as pending and the page polls.
    let pending = null; // { id, present: bool, info, until }
    let lastLoad = 0;
    const afterDelete = async (sp) => {
      pending = { id: sp.id, present: false, info: sp, until: Date.now() + 30000 };
      await Promise.all([loadSpecs(), loadDiff()]);
    };
    async function loadSpecs() {
      try {
        const list = await api(`/specs${qs({ limit: 500 })}`);
        if (!ctx.live()) return;
        let specs = list.items || [];
        if (pending) {
          const listed = specs.some((sp) => sp.id === pending.id);
          if (listed === pending.present || Date.now() > pending.until) pending = null;
          else if (pending.present) specs = specs.concat([Object.assign({}, pending.info, { pending: 'being analysed…' })]);
          else specs = specs.filter((sp) => sp.id !== pending.id);
        }
        specsErr.replaceChildren();
        specsBody.replaceChildren(...(specs.length ? specs.map((sp) => specRow(sp, afterDelete))
          : [emptyRow(7, 'No spec uploaded yet. Upload the API\'s OpenAPI document to find shadow, zombie and unused endpoints.', 'specs-empty')]));
      } catch (e) {
        if (!ctx.live()) return;
        specsErr.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The specs could not be loaded')));
      }
    }
    const diffOpen = new Map(); // which sections the person opened or closed, kept across refreshes
    async function loadDiff() {
      try {
        const diff = await api('/spec-diff');
        if (!ctx.live()) return;
        lastLoad = Date.now();
        diffSlot.replaceChildren(renderDiff(diff, diffOpen));
        markUpdated(updated);
      } catch (e) {
        if (!ctx.live()) return;
        diffSlot.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The spec diff could not be loaded')));
      }
    }
    api('/overview').then((ov) => {
      if (!ctx.live()) return;
      for (const x of ov.hosts || []) hostSel.append(h('option', { value: x.host }, String(x.host)));
    }).catch(() => {});
    await Promise.all([loadSpecs(), loadDiff()]);
    // Quickly while an upload or delete is pending, else every 15 s (the diff follows the traffic).
    every(ctx, 1500, async () => {
      if (pending || Date.now() - lastLoad > 15000) await Promise.all([loadSpecs(), loadDiff()]);
    });
  }

  async function downloadFile(path, filename) {
    const res = await api(path, { raw: true, headers: { Accept: '*/*' } });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: filename, class: 'hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  }

  function specRow(sp, onChange) {
    const dl = h('button', { class: 'btn small', type: 'button', testid: 'spec-download' }, 'Download');
    dl.addEventListener('click', async () => {
      dl.disabled = true;
      try { await downloadFile(`/specs/${encodeURIComponent(sp.id)}`, String(sp.name || `${sp.id}.yaml`).replace(/[/\\]+/g, '_')); }
      catch (e) { toast(`Download failed: ${e.detail}`, true); }
      finally { dl.disabled = false; }
    });
    const del = canOperate() ? h('button', {
      class: 'btn danger small', type: 'button', testid: 'spec-delete',
      onclick: () => confirmDialog({
        title: 'Delete this spec?',
        message: `${sp.name || sp.id} will no longer be compared with the traffic: its endpoints will stop counting as documented.`,
        confirmLabel: 'Delete spec',
        confirmTestid: 'confirm-delete',
        action: async () => {
          await api(`/specs/${encodeURIComponent(sp.id)}`, { method: 'DELETE' });
          toast(`Spec ${sp.name || sp.id} deleted`);
          await onChange(sp);
        },
      }),
    }, 'Delete') : null;
    return h('tr', { testid: 'spec-row', dataset: { specId: sp.id } },
      h('td', null, h('b', { testid: 'spec-name' }, String(sp.name || '')),
        sp.pending ? [' ', h('span', { class: 'badge st-drift', testid: 'spec-pending', title: 'uploaded; the comparison with the traffic is being updated' }, sp.pending)] : null,
        h('div', { class: 'faint mono' }, String(sp.id))),
      h('td', null, String(sp.title || '—')),
      h('td', null, String(sp.version || '—')),
      h('td', { class: 'num' }, fmtNum(sp.operations)),
      h('td', { class: 'mono', title: String(sp.sha256 || '') }, String(sp.sha256 || '').slice(0, 12)),
      h('td', null, timeCell(sp.uploaded_at), sp.uploaded_by ? h('div', { class: 'faint' }, `by ${sp.uploaded_by}`) : null),
      h('td', { class: 'right nowrap' }, dl, ' ', del));
  }

  function renderDiff(diff, openState) {
    const doc = diff.documented || [];
    const shadow = diff.shadow || [];
    const zombie = diff.zombie || [];
    const unused = diff.unused || [];
    const drift = diff.drift || [];
    const specNames = new Map((diff.specs || []).map((sp) => [sp.id, sp.name || sp.id]));
    const tile = (cls, label, n) => h('div', { class: `diff-tile ${cls}` }, h('div', { class: 'label' }, label), h('div', { class: 'value', testid: `spec-diff-${cls}-count` }, fmtNum(n)));
    const tiles = h('div', { class: 'diff-tiles' },
      tile('documented', 'Documented', doc.length), tile('shadow', 'Shadow', shadow.length), tile('zombie', 'Zombie', zombie.length),
      tile('unused', 'Unused', unused.length), tile('drift', 'Drifting', drift.length));
    const epTable = (items, extra) => h('table', { class: 'compact fixed diff-table' },
      h('colgroup', null, h('col', { class: 'c-method' }), h('col'), h('col', { class: 'c-host' }), h('col', { class: 'c-calls' }),
        h('col', { class: 'c-seen' }), h('col', { class: 'c-sens' }), h('col', { class: 'c-risk' }), extra ? h('col', { class: 'c-drift' }) : null),
      h('thead', null, h('tr', null, h('th', null, 'Method'), h('th', null, 'Path'), h('th', null, 'Host'), h('th', { class: 'num' }, 'Calls'), h('th', null, 'Last seen'), h('th', null, 'Sensitive'), h('th', null, 'Risk'), extra ? h('th', null, extra) : null)),
      h('tbody', null, items.map((e) => h('tr', { testid: 'spec-diff-item', dataset: { endpointId: e.id || '' } },
        h('td', null, methodBadge(e.method)),
        h('td', null, e.id ? pathEl('a', { class: 'path path-link', href: `#/endpoints/${encodeURIComponent(e.id)}`, testid: 'spec-diff-path' }, e.path) : pathEl('span', { class: 'path', testid: 'spec-diff-path' }, e.path)),
        h('td', { class: 'host' }, String(e.host || '')),
        h('td', { class: 'num' }, fmtNum(e.calls)),
        h('td', null, e.last_seen ? timeCell(e.last_seen) : '—'),
        h('td', null, h('div', { class: 'badges' }, (e.sensitive_types || []).map(sensitiveBadge))),
        h('td', null, riskEl(e.risk)),
        extra ? h('td', null, e.drift > 0 ? h('span', { class: 'badge st-drift' }, `drift ${e.drift}`) : '') : null))));
    const section = (key, title, hint, count, content, open, hl) => {
      const det = h('details', { class: `diff-section${hl ? ` hl-${key}` : ''}`, open: openState && openState.has(key) ? openState.get(key) : open, testid: `spec-diff-${key}` },
        h('summary', null, h('span', null, title), h('span', { class: `badge ${key === 'drift' ? 'st-drift' : `st-${key}`}` }, fmtNum(count)), h('span', { class: 'hint' }, hint)),
        h('div', { class: 'diff-body' }, count ? content : h('p', { class: 'muted' }, 'None.')));
      if (openState) det.addEventListener('toggle', () => openState.set(key, det.open));
      return det;
    };
    const noSpec = !(diff.specs || []).length
      ? h('div', { class: 'panel-body' }, h('div', { class: 'info-box', testid: 'spec-diff-nospec' }, 'No spec is uploaded: every endpoint is undeclared. Upload the API\'s OpenAPI document below to see shadow, zombie and unused endpoints.'))
      : null;
    return h('div', null, noSpec, tiles,
      section('shadow', 'Shadow endpoints', 'answer traffic, in no declared spec: unreviewed attack surface', shadow.length, epTable(shadow), true, true),
      section('zombie', 'Zombie endpoints', 'deprecated or superseded, still called', zombie.length, epTable(zombie), true, true),
      section('drift', 'Drift', 'documented endpoints whose traffic differs from the spec', drift.length,
        h('table', { class: 'compact' }, h('thead', null, h('tr', null, h('th', null, 'Endpoint'), h('th', null, 'Differences'))),
          h('tbody', null, drift.map((dr) => {
            const e = dr.endpoint || {};
            return h('tr', { testid: 'spec-diff-item' },
              h('td', { class: 'nowrap' }, methodBadge(e.method), ' ', e.id ? h('a', { class: 'path path-link', href: `#/endpoints/${encodeURIComponent(e.id)}`, testid: 'spec-diff-path' }, String(e.path)) : String(e.path || '')),
              h('td', null, h('ul', { class: 'drift-list' }, (dr.items || []).map((it) => h('li', null, typeof it === 'string' ? it : JSON.stringify(it))))));
          }))), true, false),
      section('unused', 'Unused operations', 'declared, never seen in traffic: remove them or check they still work', unused.length,
        h('table', { class: 'compact' }, h('thead', null, h('tr', null, h('th', null, 'Method'), h('th', null, 'Path'), h('th', null, 'Operation'), h('th', null, 'Spec'))),
          h('tbody', null, unused.map((u) => h('tr', { testid: 'spec-diff-item' },
            h('td', null, methodBadge(u.method)), h('td', null, u.id ? pathEl('a', { class: 'path path-link', href: `#/endpoints/${encodeURIComponent(u.id)}`, testid: 'spec-diff-path' }, u.path) : pathEl('span', { class: 'path', testid: 'spec-diff-path' }, u.path)),
            h('td', { class: 'mono' }, String(u.operation_id || '—')), h('td', null, String(specNames.get(u.spec) || u.spec || '—')))))), true, false),
      section('documented', 'Documented endpoints', 'declared and seen in traffic', doc.length, epTable(doc, 'Drift'), false, false));
  }

  // ---------------------------------------------------------------- admin

  const AUDIT_PAGE_SIZE = 50;

  function roleBadge(role, testid) {
    const r = String(role || '?');
    return h('span', { class: `role role-${['admin', 'operator', 'viewer'].includes(r) ? r : 'viewer'}`, testid }, r);
  }

  /** An audit entry's detail as compact `key: value` text (nested values as JSON). */
  function compactDetail(detail) {
    if (detail === null || detail === undefined) return '';
    if (typeof detail !== 'object' || Array.isArray(detail)) return typeof detail === 'string' ? detail : JSON.stringify(detail);
    return Object.entries(detail).map(([k, v]) => {
      let val;
      if (v === null || v === undefined) val = '—';
      else if (typeof v === 'object') val = JSON.stringify(v);
      else val = String(v);
      return `${k}: ${val}`;
    }).join(' · ');
  }

  async function viewAdmin(ctx) {
    document.title = 'Admin · Rampart';
    const { head, updated } = pageHead('Admin', 'API tokens and the audit log of every change');
    ctx.main.append(head);
    if (!isAdmin()) {
      ctx.main.append(h('div', { class: 'panel', testid: 'admin-forbidden' }, h('div', { class: 'panel-body' },
        h('h2', null, 'This page needs the admin role'),
        h('p', { class: 'muted' }, `Your token's role is ${String((state.me && state.me.role) || 'unknown')}. Managing tokens and reading the audit log needs an admin token.`))));
      return;
    }

    // Tokens
    const tokensBody = h('tbody', { testid: 'admin-tokens-body' }, emptyRow(9, 'Loading…', 'loading'));
    const tokensInfo = h('span', { class: 'hint', testid: 'admin-tokens-count' });
    const tokensErr = h('div');
    const tokensPanel = h('div', { class: 'panel', testid: 'admin-tokens' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Tokens'), tokensInfo),
      tokensErr,
      h('div', { class: 'table-wrap' }, h('table', { testid: 'admin-tokens-table' },
        h('thead', null, h('tr', null, ['Name', 'Id', 'Role', 'Created', 'Created by', 'Expires', 'Last used', 'Revoked', ''].map((x) => h('th', null, x)))),
        tokensBody)));

    // Audit log
    let offset = 0;
    const auditBody = h('tbody', { testid: 'audit-body' }, emptyRow(6, 'Loading…', 'loading'));
    const auditInfo = h('span', { testid: 'audit-count' });
    const auditErr = h('div');
    const prev = h('button', { class: 'btn small', type: 'button', testid: 'audit-prev' }, '← Previous');
    const next = h('button', { class: 'btn small', type: 'button', testid: 'audit-next' }, 'Next →');
    const auditPanel = h('div', { class: 'panel', testid: 'audit-log' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Audit log'), h('span', { class: 'hint' }, 'every change made through the API, newest first')),
      auditErr,
      h('div', { class: 'table-wrap' }, h('table', { testid: 'audit-table' },
        h('thead', null, h('tr', null, ['Time', 'Actor', 'Action', 'Target', 'Client IP', 'Detail'].map((x) => h('th', null, x)))),
        auditBody)),
      h('div', { class: 'pager' }, auditInfo, h('span', { class: 'spacer' }), prev, next));

    async function loadTokens() {
      try {
        const list = await api('/tokens');
        if (!ctx.live()) return;
        tokensErr.replaceChildren();
        const items = list.items || [];
        tokensBody.replaceChildren(...(items.length ? items.map((t) => tokenRow(t, refresh)) : [emptyRow(9, 'No tokens.', 'admin-tokens-empty')]));
        const active = items.filter((t) => !t.revoked_at).length;
        tokensInfo.textContent = `${fmtNum(list.total)} tokens, ${fmtNum(active)} not revoked`;
      } catch (e) {
        if (!ctx.live()) return;
        tokensErr.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The tokens could not be loaded')));
      }
    }
    async function loadAudit() {
      prev.disabled = true;
      next.disabled = true;
      try {
        const list = await api(`/audit-log${qs({ limit: AUDIT_PAGE_SIZE, offset })}`);
        if (!ctx.live()) return;
        auditErr.replaceChildren();
        const items = list.items || [];
        const total = Number(list.total) || 0;
        auditBody.replaceChildren(...(items.length ? items.map(auditRow) : [emptyRow(6, offset ? 'No entries on this page.' : 'Nothing changed yet.', 'audit-empty')]));
        auditInfo.textContent = total ? `${fmtNum(offset + 1)}–${fmtNum(offset + items.length)} of ${fmtNum(total)} entries` : '0 entries';
        prev.disabled = offset <= 0;
        next.disabled = offset + items.length >= total;
      } catch (e) {
        if (!ctx.live()) return;
        prev.disabled = offset <= 0;
        auditErr.replaceChildren(h('div', { class: 'panel-body' }, errorBox(e, 'The audit log could not be loaded')));
      }
    }
    async function refresh() {
      await Promise.all([loadTokens(), loadAudit()]);
      if (ctx.live()) markUpdated(updated);
    }
    prev.addEventListener('click', () => { offset = Math.max(0, offset - AUDIT_PAGE_SIZE); loadAudit(); });
    next.addEventListener('click', () => { offset += AUDIT_PAGE_SIZE; loadAudit(); });

    ctx.main.append(tokensPanel, tokenForm(async () => { offset = 0; await refresh(); }), auditPanel);
    await refresh();
  }

  function tokenRow(t, onChange) {
    const own = Boolean(state.me && state.me.token_id === t.id);
    const revoke = t.revoked_at ? null : h('button', {
      class: 'btn danger small', type: 'button', testid: 'admin-revoke-button', title: 'Revoke this token now',
      onclick: () => confirmDialog({
        title: 'Revoke this token?',
        message: own
          ? `${t.name || t.id} is the token you are signed in with: revoking it ends this session at once. It cannot be undone.`
          : `${t.name || t.id} (${t.role}) will be refused from now on. It cannot be undone.`,
        confirmLabel: 'Revoke token',
        confirmTestid: 'confirm-revoke',
        action: async () => {
          await api(`/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' });
          toast(`Token ${t.name || t.id} revoked`);
          await onChange();
        },
      }),
    }, 'Revoke');
    const expired = !t.revoked_at && t.expires_at && (parseTime(t.expires_at) || 0) < Date.now();
    return h('tr', { testid: 'admin-token-row', dataset: { tokenId: t.id, revoked: String(Boolean(t.revoked_at)) } },
      h('td', null, h('b', { testid: 'admin-token-name' }, String(t.name || '')), own ? h('span', { class: 'faint' }, ' (you)') : null),
      h('td', { class: 'mono nowrap' }, String(t.id || '')),
      h('td', null, roleBadge(t.role, 'admin-token-role')),
      h('td', null, timeCell(t.created_at)),
      h('td', null, t.created_by ? String(t.created_by) : h('span', { class: 'faint' }, '—')),
      h('td', null, t.expires_at ? [timeCell(t.expires_at), expired ? [' ', h('span', { class: 'badge lifted' }, 'expired')] : null] : h('span', { class: 'faint' }, 'never')),
      h('td', null, t.last_used_at ? timeCell(t.last_used_at) : h('span', { class: 'faint' }, 'never')),
      h('td', { testid: 'admin-token-revoked' }, t.revoked_at
        ? h('span', { class: 'badge revoked', title: fmtTime(t.revoked_at) }, 'revoked ', fmtAgo(t.revoked_at))
        : h('span', { class: 'faint' }, '—')),
      h('td', { class: 'right' }, revoke));
  }

  function tokenForm(onCreated) {
    const name = h('input', { type: 'text', placeholder: 'ci-pipeline', maxlength: 100, testid: 'admin-token-name-input', required: true });
    const role = h('select', { testid: 'admin-token-role-select' }, ['viewer', 'operator', 'admin'].map((r) => h('option', { value: r }, r)));
    const days = h('input', { type: 'number', min: 1, max: 3650, placeholder: 'never expires', testid: 'admin-token-expiry' });
    const btn = h('button', { class: 'btn primary', type: 'submit', testid: 'admin-token-submit' }, 'Create token');
    const msg = h('div', { class: 'form-msg', testid: 'admin-token-form-message', role: 'status' });
    const secretSlot = h('div');
    const form = h('form', { class: 'panel', testid: 'admin-token-form', autocomplete: 'off' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Create a token'), h('span', { class: 'hint' }, 'the secret is shown once; only its SHA-256 is kept')),
      h('div', { class: 'panel-body' },
        h('div', { class: 'form-grid' },
          h('label', { class: 'field' }, h('span', null, 'Name'), name),
          h('label', { class: 'field' }, h('span', null, 'Role'), role),
          h('label', { class: 'field' }, h('span', null, 'Expires after (days, optional)'), days),
          h('div', { class: 'field' }, btn)),
        msg, secretSlot));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      msg.className = 'form-msg';
      const nm = name.value.trim();
      if (!nm) { msg.className = 'form-msg err'; msg.textContent = 'Give the token a name.'; name.focus(); return; }
      const body = { name: nm, role: role.value };
      if (days.value.trim()) {
        const d = Number(days.value);
        if (!Number.isInteger(d) || d < 1 || d > 3650) { msg.className = 'form-msg err'; msg.textContent = 'Expiry: a whole number of days from 1 to 3650, or empty for never.'; days.focus(); return; }
        body.expires_in_days = d;
      }
      btn.disabled = true;
      msg.textContent = 'Creating…';
      secretSlot.replaceChildren();
      try {
        const t = await api('/tokens', { method: 'POST', body });
        msg.className = 'form-msg ok';
        msg.textContent = `Created ${t.name} (${t.role}, ${t.id}).`;
        secretSlot.replaceChildren(secretBox(t));
        name.value = '';
        days.value = '';
        await onCreated();
      } catch (e) {
        msg.className = 'form-msg err';
        msg.textContent = `${e.title}: ${e.detail}`;
      } finally {
        btn.disabled = false;
      }
    });
    return form;
  }

  /** The new token's secret, shown once, with a copy button. */
  function secretBox(t) {
    const secret = h('code', { class: 'secret-value', testid: 'admin-new-secret' }, String(t.token || ''));
    const copyMsg = h('span', { class: 'form-msg', role: 'status', testid: 'admin-copy-message' });
    const copy = h('button', { class: 'btn small', type: 'button', testid: 'admin-copy-secret' }, 'Copy');
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(String(t.token || ''));
        copyMsg.className = 'form-msg ok';
        copyMsg.textContent = 'Copied.';
      } catch (_) {
        const range = document.createRange();
        range.selectNodeContents(secret);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        copyMsg.className = 'form-msg';
        copyMsg.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
      }
    });
    const box = h('div', { class: 'secret-box', testid: 'admin-new-secret-box', role: 'alert' },
      h('div', { class: 'secret-head' }, h('strong', null, `The secret of ${t.name || t.id}`)),
      h('div', { class: 'secret-line' }, secret, copy, h('button', { class: 'btn small', type: 'button', onclick: () => box.remove() }, 'Done')),
      h('div', { class: 'secret-warn' }, 'Copy it now: it will not be shown again. Only its SHA-256 is stored, so a lost secret cannot be recovered; create a new token instead.'),
      copyMsg);
    return box;
  }

  function auditRow(a) {
    const detail = compactDetail(a.detail);
    const short = detail.length > 240 ? `${detail.slice(0, 240)}…` : detail;
    return h('tr', { testid: 'audit-row', dataset: { action: String(a.action || ''), auditId: String(a.id === undefined ? '' : a.id) } },
      h('td', null, timeCell(a.at, false)),
      h('td', { testid: 'audit-actor' }, String(a.actor || '—')),
      h('td', null, h('code', { class: 'audit-action', testid: 'audit-action' }, String(a.action || ''))),
      h('td', { class: 'mono audit-target', testid: 'audit-target' }, String(a.target || '—')),
      h('td', { class: 'mono nowrap' }, String(a.client_ip || '—')),
      h('td', { class: 'muted audit-detail', testid: 'audit-detail', title: detail.length > 240 ? detail : null }, short || '—'));
  }

  // ---------------------------------------------------------------- boot

  const start = () => {
    // A token link opened in a tab that is already open (`#token=...`) signs in again.
    window.addEventListener('hashchange', () => {
      if (/(?:^#\/?|[?&])token=/.test(location.hash)) { signInFromUrl(); return; }
      route();
    });
    signInFromUrl();
  };

  async function signInFromUrl() {
    const fromUrl = readTokenFromUrl();
    if (fromUrl) {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      const app = document.getElementById('app');
      delete app.dataset.shell;
    }
    state.token = sessionStorage.getItem(TOKEN_KEY);
    if (!state.token) { renderLogin(); return; }
    try {
      state.me = await api('/whoami', { noAuthRedirect: true });
    } catch (e) {
      if (e.status === 401) {
        sessionEnded(fromUrl
          ? 'The token in the link was not accepted: it is unknown, revoked or expired. Paste a valid token.'
          : 'Your session has ended: the server no longer accepts this token (it expired or was revoked). Sign in again.');
        return;
      }
      const app = document.getElementById('app');
      delete app.dataset.shell;
      app.replaceChildren(h('div', { class: 'login-wrap' }, h('div', { class: 'login-card', testid: 'startup-error' },
        h('div', { class: 'brand' }, h('img', { src: '/assets/favicon.svg', alt: '' }), 'Rampart'),
        errorBox(e, 'The dashboard could not start'),
        h('button', { class: 'btn primary', type: 'button', onclick: () => location.reload() }, 'Retry'),
        ' ', h('button', { class: 'btn', type: 'button', onclick: logout }, 'Use another token'))));
      return;
    }
    const app = document.getElementById('app');
    delete app.dataset.shell;
    route();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
