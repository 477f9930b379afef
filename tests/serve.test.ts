/**
 * The static server of `npm run dev`, `npm run pdf` and the browser tests: HEAD and byte ranges
 * as the browser's database reads need them, and the counts the bench reads.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../src/serve.ts';
import { tempDir } from './helpers.ts';

const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
let site: string;
const servers: StaticServer[] = [];

beforeAll(() => {
  site = tempDir();
  mkdirSync(join(site, 'data'));
  writeFileSync(join(site, 'data', 'qunlens.duckdb'), BYTES);
  writeFileSync(join(site, 'index.html'), '<!doctype html><p>hi</p>');
});
afterAll(() => servers.forEach((s) => s.server.close()));

async function serve(options: Parameters<typeof serveStatic>[1] = {}): Promise<StaticServer> {
  const s = await serveStatic(site, { base: '/r/', ...options });
  servers.push(s);
  return s;
}

describe('serveStatic', () => {
  it('answers one range with 206, its bytes and the size in Content-Range; counts what it sent', async () => {
    const s = await serve();
    const r = await fetch(`${s.url}data/qunlens.duckdb`, { headers: { Range: 'bytes=100-199' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(r.headers.get('content-length')).toBe('100');
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await r.arrayBuffer())).toEqual(BYTES.subarray(100, 200));
    // a suffix range, as readers of file footers ask
    const tail = await fetch(`${s.url}data/qunlens.duckdb`, { headers: { Range: 'bytes=-8' } });
    expect([tail.status, tail.headers.get('content-range')]).toEqual([206, 'bytes 992-999/1000']);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(BYTES.subarray(992));
    expect(s.served.get('/r/data/qunlens.duckdb')).toEqual({ requests: 2, ranged: 2, bytes: 108 });
  });

  it('answers HEAD with the headers only, ranged when asked; an unsatisfiable range with 416', async () => {
    const s = await serve();
    const head = await fetch(`${s.url}data/qunlens.duckdb`, { method: 'HEAD', headers: { Range: 'bytes=0-' } });
    expect([head.status, head.headers.get('content-length'), head.headers.get('content-range')]).toEqual([206, '1000', 'bytes 0-999/1000']);
    const plain = await fetch(`${s.url}data/qunlens.duckdb`, { method: 'HEAD' });
    expect([plain.status, plain.headers.get('content-length')]).toEqual([200, '1000']);
    const beyond = await fetch(`${s.url}data/qunlens.duckdb`, { headers: { Range: 'bytes=5000-6000' } });
    expect([beyond.status, beyond.headers.get('content-range')]).toEqual([416, 'bytes */1000']);
    expect(s.served.get('/r/data/qunlens.duckdb')).toBeUndefined();
  });

  it('answers several ranges, or none, with the whole file', async () => {
    const s = await serve();
    const several = await fetch(`${s.url}data/qunlens.duckdb`, { headers: { Range: 'bytes=0-9,500-509' } });
    expect(several.status).toBe(200);
    expect(Buffer.from(await several.arrayBuffer())).toEqual(BYTES);
    const page = await fetch(s.url);
    expect([page.status, await page.text()]).toEqual([200, '<!doctype html><p>hi</p>']);
  });

  it('can play a host without range support, or one whose HEAD ignores ranges (for the fallback tests)', async () => {
    const none = await serve({ ranges: false });
    const r = await fetch(`${none.url}data/qunlens.duckdb`, { headers: { Range: 'bytes=0-0' } });
    expect([r.status, r.headers.get('accept-ranges'), (await r.arrayBuffer()).byteLength]).toEqual([200, null, 1000]);
    expect(none.served.get('/r/data/qunlens.duckdb')).toEqual({ requests: 1, ranged: 0, bytes: 1000 });
    const cdn = await serve({ rangedHead: false });
    const head = await fetch(`${cdn.url}data/qunlens.duckdb`, { method: 'HEAD', headers: { Range: 'bytes=0-' } });
    expect([head.status, head.headers.get('content-range')]).toEqual([200, null]);
    const get = await fetch(`${cdn.url}data/qunlens.duckdb`, { headers: { Range: 'bytes=0-0' } });
    expect(get.status).toBe(206);
  });

  it('refuses other methods and paths outside the site', async () => {
    const s = await serve();
    expect((await fetch(`${s.url}index.html`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${s.url}../../etc/passwd`)).status).toBe(404);
    expect((await fetch(new URL('/elsewhere/', s.url))).status).toBe(404);
  });
});
