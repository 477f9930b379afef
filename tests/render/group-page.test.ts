/**
 * A group page's weekly activity chart and its takeaway, from hand-built groups: the chart
 * covers the group's life and the busiest week the takeaway names, whatever the dates.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { i18n, type Lang } from '../../src/i18n/index.ts';
import type { GroupPage } from '../../src/page-data/group-pages.ts';
import { groupPageMain, weeklyWindow, WEEKLY_MAX_DAYS } from '../../src/render/group-page.ts';
import type { SiteData } from '../../src/page-data/site-data.ts';

const AS_OF = '2026-10-31';
const site = {
  meta: { asOf: AS_OF, activitySource: 'messages', hasHourly: false },
  types: ['conversion'],
  typeLabels: { conversion: { zh: '产品转化类', en: 'Conversion' } },
  typeMembershipCurves: [],
} as unknown as SiteData;

function group(o: Partial<GroupPage>): GroupPage & { slug: string } {
  return {
    id: 'G1', slug: 'G1', name: '试听群', groupType: 'conversion', typeLabel: null, owner: null, store: null, region: null,
    created: '2026-03-04', dissolved: null, lastActive: '2026-03-06', status: 'alive', flags: [], daysSilent: 0, lifespanDays: 2,
    size: 30, joins: 30, activation: { rate: null, n: 0 }, conversion: { rate: null, n: 0 }, retainedD30: { rate: null, n: 0, atRisk: 0 },
    metrics: [], retention: { n: 0, events: 0, points: [] }, weekly: [], hourly: [], channels: [], checkins: [],
    ...o,
  };
}

/** The weekly figure as a reader gets it: the takeaway, and the drawn line's points in pixels. */
function weeklyFigure(g: GroupPage & { slug: string }, lang: Lang) {
  const { document } = parseHTML(`<!doctype html><html><body>${groupPageMain(site, g, lang, (p) => `/${p}`)}</body></html>`);
  const figure = document.querySelector('#weekly')!;
  const svg = figure.querySelector('.chart-desktop svg')!;
  const line = [...svg.querySelectorAll('path')].find((p) => p.getAttribute('fill') === 'none')!;
  const points = [...line.getAttribute('d')!.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  // the y axis from its tick labels (right-aligned left of the plot): value → pixel
  const yTicks = [...svg.querySelectorAll('text[text-anchor="end"]')].map((t) => [Number(t.textContent!.replace(/,/g, '')), Number(t.getAttribute('y'))]);
  const [v0, y0] = yTicks[0];
  const [v1, y1] = yTicks[yTicks.length - 1];
  const yOf = (v: number) => y0 + ((v - v0) / (v1 - v0)) * (y1 - y0);
  const plot = { left: 44, right: Number(svg.getAttribute('width')) - 14 };
  return { takeaway: figure.querySelector('.takeaway')!.textContent!, points, yOf, plot };
}

/** The line reaches the busiest week's value inside the plot, and has length: it is drawn. */
function expectDrawn(fig: ReturnType<typeof weeklyFigure>, busiest: number) {
  const peak = fig.points.filter(([, y]) => Math.abs(y - fig.yOf(busiest)) < 0.2);
  expect(peak.length, `a point of the line at ${busiest}`).toBeGreaterThan(0);
  for (const [x] of peak) {
    expect(x).toBeGreaterThanOrEqual(fig.plot.left);
    expect(x).toBeLessThanOrEqual(fig.plot.right);
  }
  const xs = fig.points.map(([x]) => x);
  expect(Math.max(...xs) - Math.min(...xs), 'the line has length').toBeGreaterThan(10);
}

describe('the weekly activity chart of a group page', () => {
  it('draws a group whose whole activity lies in one week (a three-day lecture group), as its takeaway says', () => {
    // before: the chart's window was the weeks with activity, one week here, and drew nothing
    const g = group({ created: '2026-03-04', dissolved: '2026-03-06', status: 'dissolved', weekly: [{ week: '2026-03-02', activeMembers: 27, messages: 310 }] });
    const span = weeklyWindow(g, AS_OF);
    expect(span.weeks.map((w) => w.week)).toContain('2026-03-02');
    expect(span.busiest?.activeMembers).toBe(27);
    for (const lang of ['zh', 'en'] as const) {
      const fig = weeklyFigure(g, lang);
      expect(fig.takeaway).toContain('27');
      expect(fig.takeaway).toContain(i18n(lang).date('2026-03-02'));
      expectDrawn(fig, 27);
    }
  });

  it('covers activity dated before the group was created and after it was dissolved', () => {
    // created_at and dissolved_at are the SCRM's records; messages outside them are kept
    const g = group({
      created: '2026-05-20',
      dissolved: '2026-06-10',
      status: 'dissolved',
      weekly: [
        { week: '2026-04-27', activeMembers: 27, messages: 200 },
        { week: '2026-05-25', activeMembers: 8, messages: 30 },
        { week: '2026-07-13', activeMembers: 3, messages: 4 },
      ],
    });
    const span = weeklyWindow(g, AS_OF);
    expect(span.from <= '2026-04-27' && span.to >= '2026-07-13').toBe(true);
    expect(span.busiest?.week).toBe('2026-04-27');
    const fig = weeklyFigure(g, 'en');
    expect(fig.takeaway).toBe(`The busiest week (from ${i18n('en').date('2026-04-27')}) had 27 members writing.`);
    expectDrawn(fig, 27);
    // weeks without a message are zero: the line goes down to the axis between the weeks
    expect(fig.points.some(([, y]) => Math.abs(y - fig.yOf(0)) < 0.2)).toBe(true);
  });

  it('spans the life from creation to the report date, a silent stretch drawn at zero', () => {
    const g = group({ created: '2026-01-05', status: 'zombie', weekly: [{ week: '2026-01-05', activeMembers: 12, messages: 40 }, { week: '2026-01-12', activeMembers: 5, messages: 9 }] });
    const span = weeklyWindow(g, AS_OF);
    expect([span.from, span.to]).toEqual(['2026-01-05', AS_OF]);
    const fig = weeklyFigure(g, 'zh');
    expectDrawn(fig, 12);
    // the line runs along zero to the right end of the plot (the report date)
    const [lastX, lastY] = fig.points[fig.points.length - 1];
    expect(lastX).toBeCloseTo(fig.plot.right, 0);
    expect(lastY).toBeCloseTo(fig.yOf(0), 0);
  });

  it('ends at the week of the report date, not down at zero before that week is over', () => {
    // 2026-10-31 is a Saturday: the week from Monday 26 October has its point, and no zero after it
    const g = group({ created: '2026-09-07', weekly: [{ week: '2026-10-19', activeMembers: 4, messages: 9 }, { week: '2026-10-26', activeMembers: 9, messages: 20 }] });
    const fig = weeklyFigure(g, 'en');
    const [lastX, lastY] = fig.points[fig.points.length - 1];
    expect(lastY).toBeCloseTo(fig.yOf(9), 0);
    expect(lastX).toBeLessThan(fig.plot.right);
  });

  it('over a life longer than five years, shows the last five and speaks of the busiest week in them', () => {
    const g = group({
      created: '2015-03-02',
      weekly: [
        { week: '2016-05-02', activeMembers: 90, messages: 900 },
        { week: '2025-06-02', activeMembers: 14, messages: 80 },
        { week: '2026-10-19', activeMembers: 9, messages: 20 },
      ],
    });
    const span = weeklyWindow(g, AS_OF);
    expect(span.capped).toBe(true);
    expect(Date.parse(span.to) - Date.parse(span.from)).toBe(WEEKLY_MAX_DAYS * 86_400_000);
    expect(span.weeks.map((w) => w.week)).toEqual(['2025-06-02', '2026-10-19']);
    expect(span.busiest?.activeMembers).toBe(14);
    const fig = weeklyFigure(g, 'en');
    expect(fig.takeaway).toBe(`In the last 5 years, the busiest week (from ${i18n('en').date('2025-06-02')}) had 14 members writing.`);
    expectDrawn(fig, 14);
    // the week of 90 is outside the chart, and not quoted
    expect(fig.points.every(([, y]) => y >= fig.yOf(14) - 0.2)).toBe(true);
  });

  it('says so when nobody wrote', () => {
    const fig = parseHTML(`<body>${groupPageMain(site, group({ weekly: [] }), 'en', (p) => `/${p}`)}</body>`).document.querySelector('#weekly .takeaway')!;
    expect(fig.textContent).toBe(i18n('en').t('group.weekly.none'));
  });
});

describe('the day-30 stay (observed) of a group page', () => {
  const withSample = { ...site, meta: { ...site.meta, smallSample: 30 } } as unknown as SiteData;
  const stay = (value: number, n: number, atRisk: number) =>
    group({
      retainedD30: { rate: value, n, atRisk },
      metrics: [{ metric: 'retained_d30', value, rank: 0.5, p25: 0.5, p50: 0.6, p75: 0.7, typeGroups: 4, belowP25: false }],
    });
  const cell = (g: GroupPage & { slug: string }) => {
    const { document } = parseHTML(`<!doctype html><html><body>${groupPageMain(withSample, g, 'en', (p) => `/${p}`)}</body></html>`);
    return [...document.querySelectorAll('table.bench tbody tr')].find((r) => r.querySelector('th')!.textContent === 'Day-30 stay (observed)')!.querySelectorAll('td')[0];
  };

  it('is a small sample by the members still followed at day 30, not by its denominator', () => {
    // 40 joined 30+ days ago, but only 12 are still followed at day 30: greyed, with the number
    const small = cell(stay(0.3, 40, 12));
    expect(small.getAttribute('class')).toBe('small');
    expect(small.textContent).toBe('30.0% At risk at day 30 12');
    // 31 still followed: not greyed
    expect(cell(stay(0.8, 40, 31)).classList.contains('small')).toBe(false);
  });
});
