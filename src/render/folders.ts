/** Where the render step's Astro build goes: a folder per build, which the next build clears if this one was killed (publish/leftovers.ts). */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** Astro builds into `render-<pid>-…` here (inside the project, so Astro resolves its packages; publish/leftovers.ts clears what a killed build left). */
export const RENDER_ROOT = fileURLToPath(new URL('../../.qunlens', import.meta.url));

export function renderFolderName(): string {
  return `render-${process.pid}-${randomBytes(3).toString('hex')}`;
}
