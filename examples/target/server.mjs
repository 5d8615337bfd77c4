// Demo target for the Locust Studio examples: a dependency-free shop + REST + GraphQL HTTP server on 127.0.0.1 only.
// @ts-check

import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { createAccountFlow } from './accountFlow.mjs';

/** Request bodies above this size are answered with 413. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Oversized bodies are read and discarded up to this size (so the client sees the 413), then the socket is closed. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;
/** Logged-in sessions kept at most; the least recently used one is dropped beyond that. */
const MAX_SESSIONS = 10_000;
/** Distinct products per cart, and the quantity cap per cart line. */
const MAX_CART_LINES = 50;
const MAX_QUANTITY = 99;
/** Items kept by /api/items at most; the oldest one is dropped beyond that. */
const MAX_ITEMS = 1_000;
/** /slow: default and maximum delay in milliseconds. */
const SLOW_DEFAULT_MS = 400;
const SLOW_MAX_MS = 10_000;
/** /flaky: one call in every FLAKY_BLOCK fails (at a pseudo-random position inside each block), i.e. 5 %. */
const FLAKY_BLOCK = 20;

/**
 * @typedef {{ id: number, name: string, category: string, price: number, stock: number, description: string }} Product
 * @typedef {{ username: string, cart: Map<number, number>, createdAt: number }} Session
 * @typedef {{ id: number, name: string, price: number, tags: string[], createdAt: string, updatedAt: string }} Item
 * @typedef {{ port?: number, host?: string, quiet?: boolean }} StartOptions
 * @typedef {{ url: string, port: number, close(): Promise<void> }} RunningTarget
 * @typedef {{ status: number, body?: unknown, headers?: Record<string, string | string[]>, html?: string, text?: { type: string, content: string } }} Reply
 */

const CATEGORIES = ['kitchen', 'office', 'garden', 'lighting'];
const NAMES = [
  'Ceramic Mug', 'Desk Lamp', 'Garden Hose', 'Chef Knife', 'Notebook', 'Floor Lamp', 'Watering Can',
  'Cutting Board', 'Fountain Pen', 'Pendant Light', 'Tea Kettle', 'Desk Organizer', 'Plant Pot',
  'String Lights', 'Coffee Grinder', 'Monitor Stand', 'Pruning Shears', 'Reading Lamp', 'Espresso Cup',
  'Office Chair',
];

/** @type {Product[]} */
const PRODUCTS = NAMES.map((name, i) => ({
  id: i + 1,
  name,
  category: /** @type {string} */ (CATEGORIES[i % CATEGORIES.length]),
  price: Math.round((4.5 + ((i * 37) % 120) + (i % 3) * 0.49) * 100) / 100,
  stock: (i * 13) % 50,
  description: `A fine ${name.toLowerCase()} from the Locust Studio demo shop.`,
}));
const PRODUCTS_BY_ID = new Map(PRODUCTS.map((p) => [p.id, p]));

const HOME_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Locust Studio demo shop</title></head>
<body>
<h1>Locust Studio demo shop</h1>
<p>A small target for load-testing examples. Everything here lives in memory.</p>
<ul>
<li><a href="/products">/products</a> (try <a href="/products?q=lamp">?q=lamp</a>) and /products/:id</li>
<li>POST /login, POST /logout, GET/POST /cart, DELETE /cart/:productId (Bearer token)</li>
<li>/api/items (REST CRUD), POST /graphql</li>
<li><a href="/slow?ms=400">/slow?ms=N</a>, <a href="/flaky">/flaky</a>, <a href="/error">/error</a>, <a href="/health">/health</a></li>
</ul>
</body>
</html>
`;

/** A tiny seeded PRNG (mulberry32), so /flaky behaves the same on every start. */
function seededRandom(seed = 0x5eed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {string} host */
function isLoopback(host) {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

class HttpError extends Error {
  /** @param {number} status @param {string} message @param {unknown} [details] */
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

/** @param {number} status @param {string} message @param {unknown} [details] @returns {Reply} */
function errorReply(status, message, details) {
  /** @type {Record<string, unknown>} */
  const body = { error: http.STATUS_CODES[status] ?? 'Error', message };
  if (details !== undefined) body.details = details;
  return { status, body };
}

/**
 * Reads a request body as UTF-8 text, capped at MAX_BODY_BYTES.
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
function readText(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (size > MAX_DRAIN_BYTES) {
        // Stop reading an endless upload: answer now and close the connection.
        req.pause();
        reject(new HttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`, { drained: false }));
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(new HttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/**
 * Reads a JSON request body, capped at MAX_BODY_BYTES.
 * @param {http.IncomingMessage} req
 * @returns {Promise<unknown>}
 */
async function readJson(req) {
  const text = await readText(req);
  if (text.trim() === '') return undefined;
  try {
    /** @type {unknown} */
    const value = JSON.parse(text);
    return value;
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {string | undefined} text @returns {number | undefined} a positive integer id, or undefined */
function parseId(text) {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// A very small GraphQL subset: one operation (query), fields with arguments (int, float, string,
// boolean, null, $variable), nested selection sets, aliases and __typename. Enough for examples.
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {{ alias: string, name: string, args: Record<string, unknown>, selections: Field[] | null }} Field
 * @typedef {{ kind: string, value: string }} Token
 */

/** @param {string} source @returns {Token[]} */
function tokenize(source) {
  /** @type {Token[]} */
  const tokens = [];
  const re = /\s+|,|#[^\n]*|(\.\.\.|[{}()[\]:!$=@|&])|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)/gy;
  let match;
  while (re.lastIndex < source.length) {
    const start = re.lastIndex;
    match = re.exec(source);
    if (!match) throw new HttpError(200, `Syntax Error: unexpected character "${source[start]}" at offset ${start}`);
    if (match[1]) tokens.push({ kind: 'punct', value: match[1] });
    else if (match[2]) tokens.push({ kind: 'string', value: String(JSON.parse(match[2])) });
    else if (match[3]) tokens.push({ kind: 'number', value: match[3] });
    else if (match[4]) tokens.push({ kind: 'name', value: match[4] });
  }
  return tokens;
}

/**
 * @param {string} source
 * @param {Record<string, unknown>} variables
 * @returns {{ operation: string, fields: Field[] }}
 */
function parseGraphQL(source, variables) {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (/** @type {string} */ what) => {
    const t = peek();
    return new HttpError(200, `Syntax Error: expected ${what}, found ${t ? `"${t.value}"` : '<EOF>'}`);
  };
  /** @param {string} kind @param {string} [value] */
  const take = (kind, value) => {
    const t = peek();
    if (!t || t.kind !== kind || (value !== undefined && t.value !== value)) throw fail(value ?? kind);
    pos++;
    return t.value;
  };
  const isPunct = (/** @type {string} */ value) => peek()?.kind === 'punct' && peek()?.value === value;

  /** @returns {unknown} */
  const parseValue = () => {
    const t = peek();
    if (!t) throw fail('a value');
    if (t.kind === 'punct' && t.value === '$') {
      pos++;
      const name = take('name');
      if (!(name in variables)) throw new HttpError(200, `Variable "$${name}" was not provided.`);
      return variables[name];
    }
    pos++;
    if (t.kind === 'string') return t.value;
    if (t.kind === 'number') return Number(t.value);
    if (t.kind === 'name' && (t.value === 'true' || t.value === 'false')) return t.value === 'true';
    if (t.kind === 'name' && t.value === 'null') return null;
    if (t.kind === 'name') return t.value; // enum value
    pos--;
    throw fail('a value');
  };

  /** @returns {Field[]} */
  const parseSelectionSet = () => {
    take('punct', '{');
    /** @type {Field[]} */
    const fields = [];
    while (!isPunct('}')) {
      if (isPunct('...')) throw new HttpError(200, 'Fragments are not supported by the demo schema.');
      const alias = take('name');
      let name = alias;
      if (isPunct(':')) {
        pos++;
        name = take('name');
      }
      /** @type {Record<string, unknown>} */
      const args = {};
      if (isPunct('(')) {
        pos++;
        while (!isPunct(')')) {
          const argName = take('name');
          take('punct', ':');
          args[argName] = parseValue();
        }
        pos++;
      }
      const selections = isPunct('{') ? parseSelectionSet() : null;
      fields.push({ alias, name, args, selections });
    }
    pos++;
    return fields;
  };

  let operation = 'query';
  if (peek()?.kind === 'name') {
    operation = take('name');
    if (peek()?.kind === 'name') pos++; // operation name
    if (isPunct('(')) {
      // Variable definitions: ($id: ID!, $q: String = "x") — types are not checked.
      let depth = 0;
      do {
        const t = tokens[pos++];
        if (!t) throw fail('")"');
        if (t.kind === 'punct' && t.value === '(') depth++;
        if (t.kind === 'punct' && t.value === ')') depth--;
      } while (depth > 0);
    }
  }
  const fields = parseSelectionSet();
  if (pos !== tokens.length) throw fail('<EOF>');
  return { operation, fields };
}

/**
 * @param {Record<string, unknown> | null} object
 * @param {Field[] | null} selections
 * @param {string} typeName
 * @param {string} path
 * @returns {unknown}
 */
function selectFields(object, selections, typeName, path) {
  if (object === null) return null;
  if (!selections) throw new HttpError(200, `Field "${path}" of type "${typeName}" must have a selection of subfields.`);
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const field of selections) {
    if (field.name === '__typename') out[field.alias] = typeName;
    else if (field.name in object) {
      if (field.selections) throw new HttpError(200, `Field "${field.name}" must not have a selection since type is a scalar.`);
      out[field.alias] = object[field.name];
    } else throw new HttpError(200, `Cannot query field "${field.name}" on type "${typeName}".`);
  }
  return out;
}

/** @param {unknown} payload @returns {Reply} */
function executeGraphQL(payload) {
  if (!isObject(payload) || typeof payload.query !== 'string') {
    return { status: 400, body: { errors: [{ message: 'Body must be JSON with a "query" string.' }] } };
  }
  const variables = isObject(payload.variables) ? payload.variables : {};
  try {
    const { operation, fields } = parseGraphQL(payload.query, variables);
    if (operation !== 'query') {
      return { status: 200, body: { errors: [{ message: `The demo schema has no ${operation} type.` }] } };
    }
    /** @type {Record<string, unknown>} */
    const data = {};
    for (const field of fields) {
      if (field.name === '__typename') data[field.alias] = 'Query';
      else if (field.name === 'products') {
        const q = field.args.q;
        const limit = typeof field.args.limit === 'number' ? Math.max(0, Math.floor(field.args.limit)) : PRODUCTS.length;
        const list = filterProducts(typeof q === 'string' ? q : '').slice(0, limit);
        data[field.alias] = list.map((p) => selectFields({ ...p, id: String(p.id) }, field.selections, 'Product', 'products'));
      } else if (field.name === 'product') {
        const id = Number(field.args.id);
        if (field.args.id === undefined) throw new HttpError(200, 'Field "product" argument "id" of type "ID!" is required.');
        const p = PRODUCTS_BY_ID.get(id);
        data[field.alias] = selectFields(p ? { ...p, id: String(p.id) } : null, field.selections, 'Product', 'product');
      } else {
        throw new HttpError(200, `Cannot query field "${field.name}" on type "Query".`);
      }
    }
    return { status: 200, body: { data } };
  } catch (err) {
    if (err instanceof HttpError) return { status: 200, body: { errors: [{ message: err.message }] } };
    throw err;
  }
}

/** @param {string} q */
function filterProducts(q) {
  const needle = q.trim().toLowerCase();
  if (!needle) return PRODUCTS;
  return PRODUCTS.filter((p) => p.name.toLowerCase().includes(needle) || p.category.includes(needle));
}

/**
 * Validates an item body. With `partial`, only the fields present are checked (PATCH).
 * @param {unknown} body
 * @param {boolean} partial
 * @returns {{ name?: string, price?: number, tags?: string[] }}
 */
function validateItem(body, partial) {
  if (!isObject(body)) throw new HttpError(422, 'Body must be a JSON object', [{ field: '', message: 'expected an object' }]);
  /** @type {{ field: string, message: string }[]} */
  const errors = [];
  /** @type {{ name?: string, price?: number, tags?: string[] }} */
  const out = {};
  if (body.name !== undefined || !partial) {
    if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 200) {
      errors.push({ field: 'name', message: 'required, a non-empty string of at most 200 characters' });
    } else out.name = body.name;
  }
  if (body.price !== undefined || !partial) {
    if (typeof body.price !== 'number' || !Number.isFinite(body.price) || body.price < 0 || body.price > 1e9) {
      errors.push({ field: 'price', message: 'required, a number between 0 and 1e9' });
    } else out.price = body.price;
  }
  if (body.tags !== undefined) {
    if (!Array.isArray(body.tags) || body.tags.length > 10 || !body.tags.every((t) => typeof t === 'string' && t.length <= 50)) {
      errors.push({ field: 'tags', message: 'an array of at most 10 strings of at most 50 characters' });
    } else out.tags = /** @type {string[]} */ (body.tags);
  }
  if (errors.length) throw new HttpError(422, 'Validation failed', errors);
  return out;
}

/**
 * Starts the demo target.
 * @param {StartOptions} [options]
 * @returns {Promise<RunningTarget>}
 */
export async function startTarget({ port = 8080, host = '127.0.0.1', quiet = false } = {}) {
  if (!isLoopback(host)) throw new Error(`The demo target only listens on loopback addresses, not ${host}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${port}`);

  const startedAt = Date.now();
  let requestCount = 0;

  /** @type {Map<string, Session>} token → session, in least-recently-used order */
  const sessions = new Map();
  /** @type {Map<number, Item>} id → item, in insertion order */
  const items = new Map();
  let nextItemId = 1;
  const now = new Date().toISOString();
  for (const [name, price] of /** @type {[string, number][]} */ ([['Sample item', 9.99], ['Another item', 19.5], ['Third item', 0]])) {
    items.set(nextItemId, { id: nextItemId, name, price, tags: ['seed'], createdAt: now, updatedAt: now });
    nextItemId++;
  }

  const random = seededRandom();
  let flakyCalls = 0;
  let flakyFailAt = 0;

  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();
  const accountRoute = createAccountFlow({ readText, readJson, errorReply });

  /** @param {http.IncomingMessage} req @returns {{ token: string, session: Session }} */
  function requireSession(req) {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    const session = token ? sessions.get(token) : undefined;
    if (!token || !session) throw new HttpError(401, 'Missing or invalid bearer token; POST /login first');
    sessions.delete(token); // refresh LRU position
    sessions.set(token, session);
    return { token, session };
  }

  /** @param {Session} session */
  function cartView(session) {
    const lines = [...session.cart].map(([productId, quantity]) => {
      const p = /** @type {Product} */ (PRODUCTS_BY_ID.get(productId));
      return { productId, name: p.name, quantity, unitPrice: p.price, lineTotal: Math.round(p.price * quantity * 100) / 100 };
    });
    const total = Math.round(lines.reduce((sum, l) => sum + l.lineTotal, 0) * 100) / 100;
    return { items: lines, itemCount: lines.reduce((n, l) => n + l.quantity, 0), total };
  }

  /** @param {Item} item */
  function storeItem(item) {
    items.set(item.id, item);
    while (items.size > MAX_ITEMS) {
      const oldest = items.keys().next().value;
      if (oldest === undefined) break;
      items.delete(oldest);
    }
  }

  /**
   * @param {string} method
   * @param {string[]} allowed
   */
  function checkMethod(method, allowed) {
    if (!allowed.includes(method)) {
      const err = new HttpError(405, `Method ${method} not allowed`);
      err.details = { allow: allowed.join(', ') };
      throw err;
    }
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {URL} url
   * @returns {Promise<Reply>}
   */
  async function route(req, url) {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const parts = path.split('/').slice(1);

    if (path === '/') {
      checkMethod(method, ['GET']);
      return { status: 200, html: HOME_PAGE };
    }
    if (path === '/health') {
      checkMethod(method, ['GET']);
      return { status: 200, body: { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), requests: requestCount } };
    }

    if (parts[0] === 'products' && parts.length <= 2) {
      checkMethod(method, ['GET']);
      if (parts.length === 1) {
        const list = filterProducts(url.searchParams.get('q') ?? '');
        return { status: 200, body: { products: list, total: list.length } };
      }
      const product = PRODUCTS_BY_ID.get(parseId(parts[1]) ?? -1);
      if (!product) return errorReply(404, `No product with id ${parts[1]}`);
      return { status: 200, body: product };
    }

    if (path === '/login') {
      checkMethod(method, ['POST']);
      const body = await readJson(req);
      const username = isObject(body) ? body.username : undefined;
      const password = isObject(body) ? body.password : undefined;
      if (typeof username !== 'string' || !username || typeof password !== 'string' || !password) {
        return errorReply(400, 'Both "username" and "password" are required');
      }
      const token = randomBytes(18).toString('base64url');
      sessions.set(token, { username, cart: new Map(), createdAt: Date.now() });
      while (sessions.size > MAX_SESSIONS) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
      return { status: 200, body: { token, username, expiresIn: 3600 } };
    }
    if (path === '/logout') {
      checkMethod(method, ['POST']);
      sessions.delete(requireSession(req).token);
      return { status: 200, body: { loggedOut: true } };
    }

    if (parts[0] === 'cart' && parts.length <= 2) {
      if (parts.length === 1) {
        checkMethod(method, ['GET', 'POST']);
        const { session } = requireSession(req);
        if (method === 'GET') return { status: 200, body: cartView(session) };
        const body = await readJson(req);
        const productId = isObject(body) ? body.productId : undefined;
        const quantity = isObject(body) ? (body.quantity ?? 1) : undefined;
        if (!Number.isInteger(productId) || !Number.isInteger(quantity) || Number(quantity) < 1 || Number(quantity) > MAX_QUANTITY) {
          return errorReply(422, `"productId" must be an integer and "quantity" an integer from 1 to ${MAX_QUANTITY}`);
        }
        const pid = Number(productId);
        const qty = Number(quantity);
        if (!PRODUCTS_BY_ID.has(pid)) return errorReply(404, `No product with id ${pid}`);
        if (!session.cart.has(pid) && session.cart.size >= MAX_CART_LINES) return errorReply(409, 'Cart is full');
        session.cart.set(pid, Math.min(MAX_QUANTITY, (session.cart.get(pid) ?? 0) + qty));
        return { status: 200, body: cartView(session) };
      }
      checkMethod(method, ['DELETE']);
      const { session } = requireSession(req);
      const pid = parseId(parts[1]);
      if (pid === undefined || !session.cart.has(pid)) return errorReply(404, `Product ${parts[1]} is not in the cart`);
      session.cart.delete(pid);
      return { status: 200, body: cartView(session) };
    }

    if (path === '/slow') {
      checkMethod(method, ['GET']);
      const raw = Number(url.searchParams.get('ms') ?? SLOW_DEFAULT_MS);
      const ms = Number.isFinite(raw) ? Math.min(SLOW_MAX_MS, Math.max(0, Math.round(raw))) : SLOW_DEFAULT_MS;
      await new Promise((resolve) => {
        const socket = req.socket;
        const done = () => {
          clearTimeout(timer);
          timers.delete(timer);
          socket.off('close', done);
          resolve(undefined);
        };
        const timer = setTimeout(done, ms);
        timers.add(timer);
        socket.once('close', done); // client gave up: stop waiting
      });
      return { status: 200, body: { waitedMs: ms } };
    }

    if (path === '/flaky') {
      checkMethod(method, ['GET']);
      const position = flakyCalls % FLAKY_BLOCK;
      if (position === 0) flakyFailAt = Math.floor(random() * FLAKY_BLOCK);
      flakyCalls++;
      if (position === flakyFailAt) return errorReply(500, 'Flaky failure (about 1 call in 20 fails)', { call: flakyCalls });
      return { status: 200, body: { ok: true, call: flakyCalls } };
    }

    if (parts[0] === 'error' && parts.length <= 2) {
      checkMethod(method, ['GET']);
      const code = parts.length === 1 ? 500 : Number(parts[1]);
      if (!Number.isInteger(code) || code < 400 || code > 599) return errorReply(404, `Not a 4xx/5xx status: ${parts[1]}`);
      const reply = errorReply(code, 'This endpoint always fails (on purpose)');
      if (code === 503) reply.headers = { 'Retry-After': '1' };
      return reply;
    }

    if (parts[0] === 'api' && parts[1] === 'items' && parts.length <= 3) {
      if (parts.length === 2) {
        checkMethod(method, ['GET', 'POST']);
        if (method === 'GET') {
          const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit')) || 20));
          const all = [...items.values()];
          return { status: 200, body: { items: all.slice(-limit).reverse(), total: all.length } };
        }
        const fields = validateItem(await readJson(req), false);
        const stamp = new Date().toISOString();
        const item = { id: nextItemId++, name: '', price: 0, tags: [], ...fields, createdAt: stamp, updatedAt: stamp };
        storeItem(item);
        return { status: 201, body: item, headers: { Location: `/api/items/${item.id}` } };
      }
      checkMethod(method, ['GET', 'PUT', 'PATCH', 'DELETE']);
      const id = parseId(parts[2]);
      const item = id === undefined ? undefined : items.get(id);
      if (!item) return errorReply(404, `No item with id ${parts[2]}`);
      if (method === 'GET') return { status: 200, body: item };
      if (method === 'DELETE') {
        items.delete(item.id);
        return { status: 204 };
      }
      const fields = validateItem(await readJson(req), method === 'PATCH');
      const updated = method === 'PUT'
        ? { ...item, tags: [], ...fields, updatedAt: new Date().toISOString() }
        : { ...item, ...fields, updatedAt: new Date().toISOString() };
      items.set(item.id, updated);
      return { status: 200, body: updated };
    }

    if (path === '/graphql') {
      checkMethod(method, ['POST']);
      return executeGraphQL(await readJson(req));
    }

    const accountReply = await accountRoute(req, url, method);
    if (accountReply) return accountReply;

    return errorReply(404, `No route for ${method} ${url.pathname}`);
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {Reply} reply
   */
  function send(req, res, reply) {
    if (res.headersSent || res.destroyed) return;
    /** @type {Record<string, string | number | string[]>} */
    const headers = { ...reply.headers };
    let payload = '';
    if (reply.html !== undefined) {
      headers['Content-Type'] = 'text/html; charset=utf-8';
      payload = reply.html;
    } else if (reply.text !== undefined) {
      headers['Content-Type'] = reply.text.type;
      payload = reply.text.content;
    } else if (reply.body !== undefined) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      payload = JSON.stringify(reply.body);
    }
    const buffer = Buffer.from(payload, 'utf8');
    headers['Content-Length'] = buffer.length;
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : buffer);
  }

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    requestCount++;
    /** @type {URL} */
    let url;
    try {
      url = new URL(req.url ?? '/', 'http://target.invalid');
    } catch {
      send(req, res, errorReply(400, 'Malformed request URL'));
      return;
    }
    route(req, url).then(
      (reply) => send(req, res, reply),
      (err) => {
        if (err instanceof HttpError) {
          const reply = errorReply(err.status, err.message);
          if (err.status === 405 && isObject(err.details)) reply.headers = { Allow: String(err.details.allow) };
          else if (err.details !== undefined) /** @type {Record<string, unknown>} */ (reply.body).details = err.details;
          if (err.status === 413) {
            reply.headers = { Connection: 'close' };
            // If the upload was cut short, close the socket once the answer is written.
            if (isObject(err.details) && err.details.drained === false) res.once('finish', () => req.socket.destroy());
          }
          send(req, res, reply);
          return;
        }
        if (!quiet) console.error('demo target: unexpected error', err);
        send(req, res, errorReply(500, 'Unexpected server error'));
      },
    );
  });
  // Longer than the idle gaps of typical Locust users, so clients rarely race a server-side idle close.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (err, socket) => {
    if (socket.writable && !(/** @type {any} */ (err).code === 'ECONNRESET')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else socket.destroy();
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Unexpected server address');
  const urlHost = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  if (!quiet) console.log(`Demo target listening on ${url}`);

  /** @type {Promise<void> | undefined} */
  let closing;
  return {
    url,
    port: address.port,
    close() {
      closing ??= new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** @param {string[]} argv @returns {number} */
function portFromArgs(argv) {
  let value = process.env.PORT;
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (arg === '--port' || arg === '-p') value = argv[++i];
    else if (arg.startsWith('--port=')) value = arg.slice('--port='.length);
  }
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${value}`);
  return port;
}

function isMain() {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

/** Command-line entry: start on --port / PORT (default 8080), stop cleanly on SIGINT or SIGTERM. */
async function main() {
  /** @type {RunningTarget | undefined} */
  let target;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (target) void target.close().then(() => process.exit(0));
    // else: still starting; the code below closes the server as soon as it is up
  };
  // Install the handlers before the "listening" line is printed, so a supervisor that signals right after it is honoured.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    target = await startTarget({ port: portFromArgs(process.argv.slice(2)) });
  } catch (err) {
    console.error(`Demo target could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  if (stopping) await target.close().then(() => process.exit(0));
}

// No top-level await: the module stays loadable with require() (Node >= 20.19) as well as import.
if (isMain()) void main();
