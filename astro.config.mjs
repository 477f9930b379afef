// Static output only: every page is prerendered by `npm run build` (see src/build.ts), which
// prepares the data first and passes `outDir` and `base`.
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  trailingSlash: 'ignore',
  build: { format: 'directory' },
  devToolbar: { enabled: false },
});
