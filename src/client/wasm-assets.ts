/**
 * Where the site serves duckdb-wasm (Vite copies both files into _astro/ at build time: no CDN).
 * Imported dynamically by pages other than Explore, so they fetch nothing of it until asked.
 */
export { default as wasmUrl } from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
export { default as workerUrl } from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
