/**
 * Interface text and number/date formatting per language. Pages get everything through
 * `i18n(lang)`, so no page hard-codes a string or a number format.
 */
import { en } from './en.ts';
import { zh } from './zh.ts';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];
export type MessageKey = keyof typeof zh;

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { zh, en };
const LOCALES: Record<Lang, string> = { zh: 'zh-CN', en: 'en-GB' };

export interface I18n {
  lang: Lang;
  locale: string;
  /** Text for a key, with {name} placeholders filled in. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** 1234 → 1,234 */
  int(value: number | null | undefined): string;
  /** 0.7412 → 74.1% */
  pct(value: number | null | undefined, digits?: number): string;
  /** 12.345 → 12.3 */
  num(value: number | null | undefined, digits?: number): string;
  /** ¥ amounts */
  money(value: number | null | undefined): string;
  /** YYYY-MM-DD → 2026年10月31日 / 31 Oct 2026 */
  date(value: string | null | undefined): string;
  /** lower–upper of a rate */
  pctRange(lower: number | null | undefined, upper: number | null | undefined): string;
}

const NONE = '—';

const made = new Map<Lang, I18n>();

/** One formatter set per language: Intl formatters are costly to create, cheap to reuse. */
export function i18n(lang: Lang): I18n {
  let f = made.get(lang);
  if (!f) made.set(lang, (f = makeI18n(lang)));
  return f;
}

function makeI18n(lang: Lang): I18n {
  const dict = DICTIONARIES[lang];
  const locale = LOCALES[lang];
  const intFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const cache = new Map<number, Intl.NumberFormat>();
  const fixed = (digits: number) => {
    let f = cache.get(digits);
    if (!f) cache.set(digits, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
    return f;
  };
  const dateFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: lang === 'zh' ? 'long' : 'short', day: 'numeric', timeZone: 'UTC' });
  const ok = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
  const pct = (v: number | null | undefined, digits = 1) => (ok(v) ? `${fixed(digits).format(v * 100)}%` : NONE);
  return {
    lang,
    locale,
    t(key, params) {
      let text = dict[key] ?? key;
      if (params) for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, String(v));
      return text;
    },
    // below 1,000 no locale here groups digits: plain String() is the same text, 20× faster
    int: (v) => (ok(v) ? (Number.isInteger(v) && v > -1000 && v < 1000 && !Object.is(v, -0) ? String(v) : intFormat.format(v)) : NONE),
    pct,
    num: (v, digits = 1) => (ok(v) ? fixed(digits).format(v) : NONE),
    money: (v) => (ok(v) ? `¥${fixed(v >= 100 ? 0 : 1).format(v)}` : NONE),
    date: (v) => (v ? dateFormat.format(new Date(`${v.slice(0, 10)}T00:00:00Z`)) : NONE),
    pctRange: (lower, upper) => (ok(lower) && ok(upper) ? `${pct(lower)}–${pct(upper)}` : NONE),
  };
}
