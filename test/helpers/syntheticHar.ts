// Builds HAR files for the traffic importer's tests and benchmark: a long browsing session with pages, ids, static assets and other hosts.

interface Entry {
  pageref?: string;
  startedDateTime: string;
  request: { method: string; url: string; headers: { name: string; value: string }[]; postData?: { mimeType: string; text: string } };
  response: { status: number; headers: { name: string; value: string }[]; content: { size: number; mimeType: string; text?: string; encoding?: string }; redirectURL: string };
  _resourceType?: string;
}

const BROWSER_HEADERS = [
  { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0' },
  { name: 'Accept-Language', value: 'en-US,en;q=0.9' },
  { name: 'sec-ch-ua-platform', value: '"Linux"' },
];

/** A HAR of `count` entries on http://127.0.0.1:8080: pages of a product, its JSON, an image, a CDN script, a cart POST. */
export function syntheticHar(count: number): string {
  const entries: Entry[] = [];
  const start = Date.parse('2026-01-01T10:00:00Z');
  const json = (text: string) => ({ size: text.length, mimeType: 'application/json', text });
  for (let i = 0; entries.length < count; i++) {
    const page = `page_${Math.floor(i / 1) + 1}`;
    const at = (k: number) => new Date(start + i * 5000 + k * 10).toISOString();
    const id = 1000 + (i % 500);
    const kinds: Entry[] = [
      { pageref: page, startedDateTime: at(0), request: { method: 'GET', url: `http://127.0.0.1:8080/products/${id}`, headers: BROWSER_HEADERS }, response: { status: 200, headers: [], content: { size: 40, mimeType: 'text/html', text: `<h1>Product ${id}</h1>` }, redirectURL: '' }, _resourceType: 'document' },
      { pageref: page, startedDateTime: at(1), request: { method: 'GET', url: `http://127.0.0.1:8080/api/products/${id}?view=full`, headers: [...BROWSER_HEADERS, { name: 'Accept', value: 'application/json' }] }, response: { status: 200, headers: [], content: json(`{"id":${id},"name":"Product ${id}","sku":"sku-${id}-abcdef123"}`) , redirectURL: '' }, _resourceType: 'fetch' },
      { pageref: page, startedDateTime: at(2), request: { method: 'GET', url: `http://127.0.0.1:8080/img/${id}.png`, headers: BROWSER_HEADERS }, response: { status: 200, headers: [], content: { size: 4, mimeType: 'image/png', text: 'iVBORw==', encoding: 'base64' }, redirectURL: '' }, _resourceType: 'image' },
      { pageref: page, startedDateTime: at(3), request: { method: 'GET', url: 'https://cdn.example.com/lib.js', headers: BROWSER_HEADERS }, response: { status: 200, headers: [], content: { size: 10, mimeType: 'text/javascript', text: 'void 0;' }, redirectURL: '' }, _resourceType: 'script' },
      { pageref: page, startedDateTime: at(4), request: { method: 'POST', url: 'http://127.0.0.1:8080/cart', headers: [...BROWSER_HEADERS, { name: 'Content-Type', value: 'application/json' }], postData: { mimeType: 'application/json', text: `{"productId":${id},"quantity":1}` } }, response: { status: 200, headers: [], content: json('{"items":1}'), redirectURL: '' }, _resourceType: 'fetch' },
    ];
    entries.push(...kinds.slice(0, count - entries.length));
  }
  const pages = [...new Set(entries.map((e) => e.pageref))].map((id, i) => ({ id, title: `Product page ${i + 1}`, startedDateTime: new Date(start + i * 5000).toISOString(), pageTimings: {} }));
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'synthetic', version: '1' }, pages, entries } });
}
