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

/** Astro's `[...lang]` parameter of a language: none for zh (the root), 'en'. */
function langParam(lang: Lang): string | undefined {
  return langDir(lang) || undefined;
}

/** `getStaticPaths` for pages that exist in both languages. */
export function bothLanguages() {
  return LANGS.map((lang) => ({ params: { lang: langParam(lang) }, props: { lang } }));
}

/** Groups per page of the group list. */
export const GROUPS_PAGE_SIZE = 500;

/** Stores per page of the store list (a chain of 7,700 stores made one page of 270 KiB gzip). */
export const STORES_PAGE_SIZE = 500;

/** Issues per data-quality page. */
export const QUALITY_PAGE_SIZE = 500;

/** The lists split over pages: so many a page, and page n's folder below the list's (n ≥ 2). */
const PAGED_LISTS = {
  groups: { perPage: GROUPS_PAGE_SIZE, folder: (n: number) => `page-${n}` },
  stores: { perPage: STORES_PAGE_SIZE, folder: (n: number) => `page-${n}` },
  quality: { perPage: QUALITY_PAGE_SIZE, folder: (n: number) => String(n) },
} as const;
export type PagedList = keyof typeof PAGED_LISTS;

/** A page of a list: groups/ for the first, groups/page-2/ for the second… (quality/2/ for data quality's). */
export function listPagePath(list: PagedList, page: number): string {
  return page === 1 ? `${list}/` : `${list}/${PAGED_LISTS[list].folder(page)}/`;
}

/** `getStaticPaths` of a list of `items` split over pages, in both languages (listPagePath's folders). */
export function pagedPaths(list: PagedList, items: number) {
  const { perPage, folder } = PAGED_LISTS[list];
  const pages = Math.max(1, Math.ceil(items / perPage));
  return LANGS.flatMap((lang) =>
    Array.from({ length: pages }, (_, i) => ({ params: { lang: langParam(lang), page: i === 0 ? undefined : folder(i + 1) }, props: { lang, page: i + 1, pages } })),
  );
}

/** Which page of a list the item at `index` (from 0) is on. */
export function listPageOf(list: PagedList, index: number): number {
  return Math.floor(index / PAGED_LISTS[list].perPage) + 1;
}

/** The items on a page of a list, and the index of its first (from 0). */
export function onListPage<T>(list: PagedList, items: readonly T[], page: number): { from: number; items: T[] } {
  const from = (page - 1) * PAGED_LISTS[list].perPage;
  return { from, items: items.slice(from, from + PAGED_LISTS[list].perPage) };
}
