// Charts drawn in tests are made in the build side's document, as in Astro's process.
import '../src/render/chart-document.ts';
