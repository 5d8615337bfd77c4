// Request sites to run-time names: the patterns the model reads from f-strings, `+`, `%`, `.format()`, locals and
// params=, and the index that maps a run's endpoints back to sites (exact first, then the most specific pattern, never a guess).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import type { RequestSite } from '../../protocol/model';
import { RequestNameIndex } from '../../protocol/requestNames';

async function sites(body: string[]): Promise<RequestSite[]> {
  const text = ['from locust import HttpUser, task', '', 'class Shop(HttpUser):', '    @task', '    def browse(self):', ...body.map((l) => `        ${l}`), ''].join('\n');
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    return buildModel(tree, 'file:///t.py', 1).requests;
  } finally {
    tree.delete();
  }
}

test('patterns: literal parts and holes from f-strings, +, %, .format(), local variables and params=', async () => {
  const found = await sites([
    'self.client.get(f"/products/{product_id}")',
    'self.client.get("/items/" + str(i) + "/tags")',
    'self.client.get("/orders/%d/lines/%s" % (a, b))',
    'self.client.get("/users/{}/x{{y}}".format(u))',
    'base = "/api/items"',
    'self.client.post(base, json={})',
    'self.client.get(f"{base}/{item_id}", name=f"{base}/[id]")',
    'self.client.get("/search", params={"q": q})',
    'self.client.get(f"/a\\tb/{x}")',
    'self.client.get(url_from_somewhere)',
    'self.client.get("http://elsewhere/x")',
    'self.client.request(verb, f"/v/{x}")',
  ]);
  assert.deepEqual(
    found.map((s) => [s.method, s.name, s.pattern]),
    [
      ['GET', null, ['/products/', null]],
      ['GET', null, ['/items/', null, '/tags']],
      ['GET', null, ['/orders/', null, '/lines/', null]],
      ['GET', null, ['/users/', null, '/x{y}']],
      ['POST', '/api/items', ['/api/items']],
      ['GET', '/api/items/[id]', ['/api/items/[id]']],
      ['GET', null, ['/search', null]],
      ['GET', null, ['/a\tb/', null]],
      ['GET', null, null],
      ['GET', null, null],
      [null, null, ['/v/', null]],
    ],
  );
});

test('a name assigned twice, unpacked or looped over is not read through', async () => {
  const found = await sites(['u = "/a"', 'u = "/b"', 'self.client.get(u)', 'for p in ["/c", "/d"]:', '    self.client.get(p)', 'q, r = "/e", "/f"', 'self.client.get(q)']);
  assert.deepEqual(found.map((s) => s.pattern), [null, null, null]);
});

test('the index: exact names first (every line of one), then the most specific pattern; unexplained names map to nothing', async () => {
  const found = await sites([
    'self.client.get("/products")',
    'self.client.get("/products")',
    'self.client.get(f"/products/{i}")',
    'self.client.get(f"/products/{i}/reviews")',
    'self.client.post(f"/products/{i}")',
    'self.client.get("/" + x)',
    'self.client.request(verb, "/any-verb")',
  ]);
  const index = new RequestNameIndex(found);
  assert.deepEqual(index.sitesOf('GET', '/products'), [0, 1]);
  assert.deepEqual(index.sitesOf('GET', '/products/7'), [2]);
  assert.deepEqual(index.sitesOf('GET', '/products/7/reviews'), [3]);
  assert.deepEqual(index.sitesOf('POST', '/products/7'), [4]);
  assert.deepEqual(index.sitesOf('DELETE', '/products/7'), []);
  // "/" + x keeps one literal character: it explains nothing rather than everything.
  assert.deepEqual(index.sitesOf('GET', '/elsewhere'), []);
  assert.deepEqual(index.sitesOf('PURGE', '/any-verb'), [6]);
  assert.equal(index.sitesOf('GET', '/products/7'), index.sitesOf('GET', '/products/7'), 'remembered');
});
