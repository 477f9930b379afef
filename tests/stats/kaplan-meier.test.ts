import { describe, expect, it } from 'vitest';
import {
  atRiskAt,
  kaplanMeier,
  medianSurvival,
  normalQuantile,
  survivalAt,
  survivalQuantile,
} from '../../src/stats/index.ts';
import { expectClose, loadFixture, timeCounts, type RNum } from './fixtures.ts';

interface KmCase {
  name: string;
  note: string;
  conf_level: number;
  raw: { time: number[]; status: number[] };
  n: number;
  events: number;
  points: {
    time: number[];
    n_risk: number[];
    n_event: number[];
    n_censor: number[];
    surv: number[];
    std_err: RNum[];
    lower: RNum[];
    upper: RNum[];
  };
  summary: { t: number[]; present: number[]; surv: RNum[]; lower: RNum[]; upper: RNum[] };
  quantile: { p: number[]; quantile: RNum[]; lower: RNum[]; upper: RNum[] };
  print_median: { median: RNum; lower: RNum; upper: RNum };
}

const fixture = loadFixture<{ generator: string; cases: KmCase[] }>('km.json');

describe(`kaplanMeier vs R survfit(conf.type = "log-log") (${fixture.generator})`, () => {
  for (const c of fixture.cases) {
    describe(c.name, () => {
      const curve = kaplanMeier(timeCounts(c.raw.time, c.raw.status), { confLevel: c.conf_level });

      it('points: time, n.risk, n.event, n.censor, surv, std.err, lower, upper', () => {
        expect(curve.n).toBe(c.n);
        expect(curve.events).toBe(c.events);
        expect(curve.points.map((p) => p.time)).toEqual(c.points.time);
        expect(curve.points.map((p) => p.atRisk)).toEqual(c.points.n_risk);
        expect(curve.points.map((p) => p.events)).toEqual(c.points.n_event);
        expect(curve.points.map((p) => p.censored)).toEqual(c.points.n_censor);
        curve.points.forEach((p, i) => {
          const at = `t=${p.time}`;
          expectClose(p.survival, c.points.surv[i], `surv ${at}`);
          expectClose(p.stdErr, c.points.std_err[i], `std.err ${at}`);
          expectClose(p.lower, c.points.lower[i], `lower ${at}`);
          expectClose(p.upper, c.points.upper[i], `upper ${at}`);
        });
      });

      it('survivalAt = summary(fit, times = t)', () => {
        c.summary.t.forEach((t, i) => {
          const got = survivalAt(curve, t);
          if (c.summary.present[i] === 0) {
            expect(got, `t=${t} is past the end`).toBeNull();
            return;
          }
          expect(got, `t=${t}`).not.toBeNull();
          expectClose(got!.survival, c.summary.surv[i], `surv t=${t}`);
          expectClose(got!.lower, c.summary.lower[i], `lower t=${t}`);
          expectClose(got!.upper, c.summary.upper[i], `upper t=${t}`);
        });
      });

      it('survivalQuantile = quantile(fit, probs)', () => {
        c.quantile.p.forEach((p, i) => {
          const got = survivalQuantile(curve, p);
          expectClose(got.quantile, c.quantile.quantile[i], `quantile p=${p}`);
          expectClose(got.lower, c.quantile.lower[i], `lower p=${p}`);
          expectClose(got.upper, c.quantile.upper[i], `upper p=${p}`);
        });
      });

      it('medianSurvival = median columns of print(fit)', () => {
        const got = medianSurvival(curve);
        expectClose(got.median, c.print_median.median, 'median');
        expectClose(got.lower, c.print_median.lower, 'median LCL');
        expectClose(got.upper, c.print_median.upper, 'median UCL');
      });
    });
  }
});

describe('kaplanMeier by hand: 5 subjects', () => {
  // (time, status): (1, event) (2, event) (2, censored) (3, event) (5, censored)
  const curve = kaplanMeier([
    { time: 5, events: 0, censored: 1 },
    { time: 2, events: 1, censored: 1 },
    { time: 1, events: 1, censored: 0 },
    { time: 3, events: 1, censored: 0 },
  ]);
  const z = normalQuantile(0.975); // 1.959963984540054

  it('product-limit estimate and at-risk counts', () => {
    expect(curve.n).toBe(5);
    expect(curve.events).toBe(3);
    expect(curve.points.map((p) => [p.time, p.atRisk, p.events, p.censored])).toEqual([
      [1, 5, 1, 0],
      [2, 4, 1, 1],
      [3, 2, 1, 0],
      [5, 1, 0, 1],
    ]);
    // S(1) = 4/5, S(2) = 4/5 · 3/4, S(3) = 0.6 · 1/2, S(5) unchanged (a censoring)
    expect(curve.points.map((p) => p.survival)).toEqual([0.8, 0.6000000000000001, 0.30000000000000004, 0.30000000000000004]);
  });

  it('Greenwood std.err on the log scale: sqrt(sum d / (n (n - d)))', () => {
    const se = curve.points.map((p) => p.stdErr);
    expect(se[0]).toBeCloseTo(Math.sqrt(1 / (5 * 4)), 15); // 0.2236
    expect(se[1]).toBeCloseTo(Math.sqrt(1 / 20 + 1 / (4 * 3)), 15); // 0.3651
    expect(se[2]).toBeCloseTo(Math.sqrt(1 / 20 + 1 / 12 + 1 / (2 * 1)), 15); // 0.7958
    expect(se[3]).toBe(se[2]);
  });

  it('log-log band: S^exp(±z se / log S)', () => {
    const p = curve.points[0];
    const s = 0.8;
    const se = Math.sqrt(1 / 20);
    expect(p.lower).toBeCloseTo(Math.pow(s, Math.exp((-z * se) / Math.log(s))), 14); // 0.2038
    expect(p.upper).toBeCloseTo(Math.pow(s, Math.exp((z * se) / Math.log(s))), 14); // 0.9692
    expect(p.lower).toBeCloseTo(0.20380926, 8);
    expect(p.upper).toBeCloseTo(0.9691798, 7);
  });

  it('reads off S(t), quantiles and the median', () => {
    expect(survivalAt(curve, 0)).toEqual({ survival: 1, lower: 1, upper: 1 });
    expect(survivalAt(curve, 2.5)?.survival).toBe(curve.points[1].survival);
    expect(survivalAt(curve, 5)?.survival).toBe(curve.points[3].survival);
    expect(survivalAt(curve, 5.01)).toBeNull();
    // n at risk at t as R summary(fit, times = t)$n.risk: still followed at t (time >= t)
    expect([0, 1, 1.5, 2, 2.5, 4, 5, 5.01].map((t) => atRiskAt(curve, t))).toEqual([5, 5, 4, 4, 2, 1, 1, 0]);
    // S first drops to <= 0.5 at t = 3 (0.6 → 0.3)
    expect(survivalQuantile(curve, 0.5).quantile).toBe(3);
    expect(medianSurvival(curve).median).toBe(3);
    // 1 - S never reaches 0.75 (S stays 0.3) → NA
    expect(survivalQuantile(curve, 0.75).quantile).toBeNull();
  });
});

describe('kaplanMeier input handling', () => {
  it('merges repeated times, ignores 0/0 rows, accepts any order', () => {
    const a = kaplanMeier([
      { time: 3, events: 1, censored: 0 },
      { time: 1, events: 0, censored: 0 },
      { time: 1, events: 1, censored: 1 },
      { time: 7, events: 0, censored: 0 },
      { time: 3, events: 0, censored: 2 },
    ]);
    const b = kaplanMeier([
      { time: 1, events: 1, censored: 1 },
      { time: 3, events: 1, censored: 2 },
    ]);
    expect(a).toEqual(b);
    expect(a.points.map((p) => p.time)).toEqual([1, 3]);
  });

  it('empty input gives an empty curve', () => {
    const curve = kaplanMeier([]);
    expect(curve).toEqual({ n: 0, events: 0, points: [] });
    expect(survivalAt(curve, 0)).toBeNull();
    expect(survivalQuantile(curve, 0.5)).toEqual({ quantile: null, lower: null, upper: null });
    expect(medianSurvival(curve)).toEqual({ median: null, lower: null, upper: null });
  });

  it('S = 1 points have a null band, but before the first time the band is 1..1 (R summary)', () => {
    const curve = kaplanMeier([
      { time: 2, events: 0, censored: 1 },
      { time: 4, events: 1, censored: 0 },
      { time: 6, events: 0, censored: 1 },
    ]);
    expect(survivalAt(curve, 1)).toEqual({ survival: 1, lower: 1, upper: 1 });
    expect(survivalAt(curve, 2)).toEqual({ survival: 1, lower: null, upper: null });
    expect(survivalAt(curve, -1)).toEqual({ survival: 1, lower: 1, upper: 1 });
    expect(survivalAt(curve, Number.NaN)).toBeNull();
  });

  it('drop to 0: std.err Infinity, band null', () => {
    const curve = kaplanMeier([{ time: 4, events: 2, censored: 0 }]);
    expect(curve.points[0]).toMatchObject({ survival: 0, stdErr: Infinity, lower: null, upper: null });
  });

  it('rejects invalid counts and levels', () => {
    expect(() => kaplanMeier([{ time: 1, events: -1, censored: 0 }])).toThrow(RangeError);
    expect(() => kaplanMeier([{ time: Number.NaN, events: 1, censored: 0 }])).toThrow(RangeError);
    expect(() => kaplanMeier([], { confLevel: 1 })).toThrow(RangeError);
    expect(() => survivalQuantile(kaplanMeier([]), 1.5)).toThrow(RangeError);
  });
});
