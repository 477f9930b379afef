/**
 * The build side's document for the charts (charts/common.ts): a linkedom one, made once per
 * process. Imported for its effect by what draws charts outside a browser: Astro's process
 * (astro-build.ts) and the tests.
 */
import { parseHTML } from 'linkedom';
import { CHART_DOCUMENT } from '../charts/common.ts';

const holder = globalThis as { [CHART_DOCUMENT]?: Document };
holder[CHART_DOCUMENT] ??= parseHTML('<!doctype html><html><body></body></html>').document as unknown as Document;
