/**
 * Every link inside the site goes through here, so `--base /some/path/` and the language
 * prefix work everywhere.
 */
import { LANGS, type Lang } from '../i18n/index.ts';

export const PAGES = ['', 'channels/', 'lifespans/', 'retention/', 'benchmarks/', 'stores/', 'groups/', 'quality/'] as const;
export type PagePath = (typeof PAGES)[number];

/**
 * The base path, as the render step passed it. (Not import.meta.env.BASE_URL: Astro's prerender
 * reads that from the process environment, where a test runner may have put its own.)
 */
export function base(): string {
  return (process.env.QUNLENS_BASE ?? import.meta.env.BASE_URL ?? '/').replace(/\/?$/, '/');
}

/** The folder of a language's pages: zh at the root (''), en under en/. */
export function langDir(lang: Lang): string {
  return lang === 'en' ? 'en' : '';
}

/** A page's path in a language's folder, below the base: zh as given, en under en/. */
export function langPath(lang: Lang, path: string): string {
  const dir = langDir(lang);
  return dir ? `${dir}/${path}` : path;
}

/** URL of a page in a language: zh at the root, en under en/. */
export function pageUrl(lang: Lang, path: string): string {
  return `${base()}${langPath(lang, path)}`;
}

/** URL of a published data file. */
export function dataUrl(file: string): string {
  return `${base()}data/${file}`;
}

/** `getStaticPaths` for pages that exist in both languages. */
export function bothLanguages() {
  return [{ params: { lang: undefined }, props: { lang: 'zh' as Lang } }, { params: { lang: 'en' }, props: { lang: 'en' as Lang } }];
}

/** Groups per page of the group list. */
export const GROUPS_PAGE_SIZE = 500;

/** groups/ for the first page of the group list, groups/page-2/ for the second… */
export function groupsPagePath(page: number): string {
  return page === 1 ? 'groups/' : `groups/page-${page}/`;
}

/**
 * `getStaticPaths` of a list split over pages, in both languages: the first page at the list's
 * own path, page n at `segment(n)` under it (groups/page-2/, quality/2/…).
 */
export function pagedPaths(items: number, perPage: number, segment: (page: number) => string = (n) => `page-${n}`) {
  const pages = Math.max(1, Math.ceil(items / perPage));
  return LANGS.flatMap((lang) =>
    Array.from({ length: pages }, (_, i) => ({ params: { lang: lang === 'zh' ? undefined : 'en', page: i === 0 ? undefined : segment(i + 1) }, props: { lang, page: i + 1, pages } })),
  );
}

/** Stores per page of the store list (a chain of 7,700 stores made one page of 270 KiB gzip). */
export const STORES_PAGE_SIZE = 500;

/** stores/ for the first page of the store list, stores/page-2/ for the second… */
export function storesPagePath(page: number): string {
  return page === 1 ? 'stores/' : `stores/page-${page}/`;
}

/** Issues per data-quality page. */
export const QUALITY_PAGE_SIZE = 500;
