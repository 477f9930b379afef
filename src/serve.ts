/**
 * A small static server for `npm run dev` (and browser tests, and the bench): serves a built site
 * under its base path. Reads files on each request, so a rebuild's atomic swap is picked up at once.
 *
 * It honours HEAD and single byte ranges (RFC 9110), as the browser's database reads need: the
 * Explore page and the filters read only the blocks of `data/qunlens.duckdb` a query touches.
 * Nothing is compressed (a range of a compressed response breaks those reads in Firefox).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import parseRange from 'range-parser';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.duckdb': 'application/octet-stream',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
};

/** What the server sent of one path (the bench counts the database bytes a query reads). */
export interface ServedFile {
  requests: number;
  ranged: number;
  bytes: number;
}

export interface ServeOptions {
  base?: string;
  port?: number;
  host?: string;
  /** false: ignore Range and answer every GET with the whole file (a host without range support, for tests) */
  ranges?: boolean;
  /** false: answer HEAD with 200 and the whole length even when a range is asked (as some CDNs do), for tests */
  rangedHead?: boolean;
}

export interface StaticServer {
  server: Server;
  url: string;
  /** bytes sent per URL path since the start (or the last reset) */
  served: Map<string, ServedFile>;
}

export function serveStatic(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const base = options.base ?? '/';
  const ranges = options.ranges ?? true;
  const served = new Map<string, ServedFile>();
  /** Stream a file's bytes, counting what actually went out (an aborted read counts what was sent). */
  const send = (path: string, file: string, res: ServerResponse, range?: { start: number; end: number }) => {
    const entry = served.get(path) ?? { requests: 0, ranged: 0, bytes: 0 };
    served.set(path, entry);
    entry.requests++;
    if (range) entry.ranged++;
    createReadStream(file, range)
      .on('data', (chunk) => (entry.bytes += chunk.length))
      .pipe(res);
  };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(base) && `${path}/` !== base) {
      res.writeHead(404).end('not found');
      return;
    }
    const relative = normalize(path.slice(base.length - 1)).replace(/^([/\\])+/, '');
    let file = join(root, relative);
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const info = await stat(file);
      const headers: Record<string, string | number> = {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'last-modified': info.mtime.toUTCString(),
      };
      if (ranges) headers['accept-ranges'] = 'bytes';
      const head = req.method === 'HEAD';
      // one range answers 206; several, or none, the whole file (as many static hosts do)
      const asked = ranges && req.headers.range && (!head || options.rangedHead !== false) ? parseRange(info.size, req.headers.range, { combine: true }) : undefined;
      if (asked === -1) {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${info.size}` }).end();
        return;
      }
      if (Array.isArray(asked) && asked.length === 1 && asked.type === 'bytes') {
        const { start, end } = asked[0];
        res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${info.size}`, 'content-length': end - start + 1 });
        if (head) return void res.end();
        send(path, file, res, { start, end });
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': info.size });
      if (head) return void res.end();
      send(path, file, res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({ server, url: `http://${options.host ?? '127.0.0.1'}:${port}${base}`, served });
    });
  });
}
