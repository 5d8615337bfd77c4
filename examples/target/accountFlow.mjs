// Demo target: a browser login flow for traffic import tests — a form with a one-time CSRF token, a session cookie, a bearer token per login, orders with ids.
// @ts-check

import { randomBytes, randomInt } from 'node:crypto';
import { URLSearchParams } from 'node:url';

/** Open login forms, sessions and orders kept at most (the oldest is dropped beyond that). */
const MAX_ENTRIES = 10_000;

const SITE_CSS = 'body { font-family: sans-serif; margin: 2rem; } .order { color: #2a6; }\n';

/** The account page's script: fetches a bearer token with the session cookie, places an order, reads it back. */
const ACCOUNT_JS = `(async () => {
  const status = document.getElementById('status');
  const token = (await (await fetch('/api/token', { method: 'POST' })).json()).token;
  const auth = { Authorization: 'Bearer ' + token };
  const created = await (await fetch('/api/orders', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ productId: 3, quantity: 2 }) })).json();
  const order = await (await fetch('/api/orders/' + created.id, { headers: auth })).json();
  status.textContent = 'Order ' + order.id + ' ready: ' + order.quantity + ' x product ' + order.productId;
})();
`;

/** @param {string} text */
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** @param {string} csrf */
const loginPage = (csrf) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in</title><link rel="stylesheet" href="/static/site.css"></head>
<body><h1>Log in</h1>
<form method="post" action="/account/login">
<input type="hidden" name="csrf_token" value="${csrf}">
<label>User <input name="username" id="username"></label>
<label>Password <input type="password" name="password" id="password"></label>
<button type="submit" id="submit">Log in</button>
</form></body></html>
`;

/** @param {string} username */
const accountPage = (username) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your account</title><link rel="stylesheet" href="/static/site.css"></head>
<body><h1>Hello ${escapeHtml(username)}</h1><p id="status" class="order">Placing an order…</p>
<script src="/static/account.js"></script></body></html>
`;

/** @template K, V @param {Map<K, V>} map @param {K} key @param {V} value */
function remember(map, key, value) {
  map.set(key, value);
  while (map.size > MAX_ENTRIES) map.delete(/** @type {K} */ (map.keys().next().value));
}

/**
 * @typedef {{ status: number, body?: unknown, headers?: Record<string, string | string[]>, html?: string, text?: { type: string, content: string } }} FlowReply
 * @param {{ readText: (req: import('node:http').IncomingMessage) => Promise<string>, readJson: (req: import('node:http').IncomingMessage) => Promise<unknown>,
 *   errorReply: (status: number, message: string) => FlowReply }} helpers
 */
export function createAccountFlow({ readText, readJson, errorReply }) {
  /** One-time CSRF tokens of login forms handed out and not used yet. */
  const openForms = new Set();
  /** @type {Map<string, { username: string, token: string | undefined }>} session id → session */
  const sessions = new Map();
  /** @type {Map<string, string>} bearer token → session id it was issued to */
  const tokens = new Map();
  /** @type {Map<number, { id: number, productId: number, quantity: number, sid: string }>} */
  const orders = new Map();
  // Ids start somewhere new on every start, so an id from another run is not found.
  let nextOrderId = randomInt(1000, 900_000);

  /** @param {import('node:http').IncomingMessage} req */
  const sessionOf = (req) => {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid && sessions.has(sid) ? sid : undefined;
  };
  /** The session a request's bearer token belongs to, when it is that of its session cookie. @param {import('node:http').IncomingMessage} req */
  const authorized = (req) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const sid = token ? tokens.get(token) : undefined;
    return sid && sid === sessionOf(req) && sessions.get(sid)?.token === token ? sid : undefined;
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {URL} url
   * @param {string} method
   * @returns {Promise<FlowReply | undefined>}
   */
  return async function accountRoute(req, url, method) {
    const path = url.pathname;
    if (path === '/static/site.css' && method === 'GET') return { status: 200, text: { type: 'text/css; charset=utf-8', content: SITE_CSS } };
    if (path === '/static/account.js' && method === 'GET') return { status: 200, text: { type: 'text/javascript; charset=utf-8', content: ACCOUNT_JS } };
    if (path === '/account/login' && method === 'GET') {
      const csrf = randomBytes(16).toString('hex');
      openForms.add(csrf);
      if (openForms.size > MAX_ENTRIES) openForms.delete(openForms.values().next().value);
      return { status: 200, html: loginPage(csrf) };
    }
    if (path === '/account/login' && method === 'POST') {
      const form = new URLSearchParams(await readText(req));
      const csrf = form.get('csrf_token') ?? '';
      if (!openForms.delete(csrf)) return errorReply(403, 'Missing, used or unknown CSRF token: GET /account/login first');
      const username = form.get('username') ?? '';
      if (!username || !form.get('password')) return errorReply(400, 'Both username and password are required');
      const sid = randomBytes(16).toString('hex');
      remember(sessions, sid, { username, token: undefined });
      return { status: 303, headers: { Location: '/account', 'Set-Cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` } };
    }
    if (path === '/account' && method === 'GET') {
      const sid = sessionOf(req);
      if (!sid) return { status: 303, headers: { Location: '/account/login' } };
      return { status: 200, html: accountPage(sessions.get(sid)?.username ?? '') };
    }
    if (path === '/api/token' && method === 'POST') {
      const sid = sessionOf(req);
      if (!sid) return errorReply(401, 'No session: log in at /account/login first');
      // A new token per call replaces the session's previous one.
      const token = randomBytes(24).toString('base64url');
      const session = /** @type {{ username: string, token: string | undefined }} */ (sessions.get(sid));
      if (session.token) tokens.delete(session.token);
      session.token = token;
      remember(tokens, token, sid);
      return { status: 200, body: { token, tokenType: 'Bearer', expiresIn: 600 } };
    }
    if (path === '/api/orders' && method === 'POST') {
      const sid = authorized(req);
      if (!sid) return errorReply(401, 'Missing or stale bearer token for this session');
      const body = /** @type {Record<string, unknown> | undefined} */ (await readJson(req));
      const productId = body?.productId;
      const quantity = body?.quantity ?? 1;
      if (!Number.isInteger(productId) || !Number.isInteger(quantity)) return errorReply(422, '"productId" and "quantity" must be integers');
      const order = { id: nextOrderId++, productId: Number(productId), quantity: Number(quantity), sid };
      remember(orders, order.id, order);
      return { status: 201, body: { id: order.id, productId: order.productId, quantity: order.quantity }, headers: { Location: `/api/orders/${order.id}` } };
    }
    const orderPath = /^\/api\/orders\/(\d+)$/.exec(path);
    if (orderPath && method === 'GET') {
      const sid = authorized(req);
      if (!sid) return errorReply(401, 'Missing or stale bearer token for this session');
      const order = orders.get(Number(orderPath[1]));
      if (!order || order.sid !== sid) return errorReply(404, `No order ${orderPath[1]} in this session`);
      return { status: 200, body: { id: order.id, productId: order.productId, quantity: order.quantity } };
    }
    return undefined;
  };
}
