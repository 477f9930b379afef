/**
 * One colour per channel and per group type, the same on every page and chart. Okabe–Ito
 * colours (distinguishable with the common colour-vision deficiencies); unknown types get
 * neutral greys in a stable order.
 */
export const CHANNEL_COLORS: Record<string, string> = {
  guide: '#0072B2', // blue
  material: '#E69F00', // orange
  official_account: '#009E73', // bluish green
  invite: '#CC79A7', // reddish purple
  other: '#8C8C8C', // grey
};

export const TYPE_COLORS: Record<string, string> = {
  welfare: '#E69F00',
  service: '#56B4E9',
  conversion: '#D55E00',
  learning: '#009E73',
  core_user: '#0072B2',
  interest: '#CC79A7',
  industry: '#B8A000', // a darker Okabe–Ito yellow, readable on white
};

const EXTRA = ['#5F5F5F', '#8C8C8C', '#3D3D3D', '#A6A6A6'];

export function channelColor(key: string): string {
  return CHANNEL_COLORS[key] ?? CHANNEL_COLORS.other;
}

/** Colour of a group type; types outside the known seven get greys by their order in `all`. */
export function typeColor(key: string, all: readonly string[] = []): string {
  if (TYPE_COLORS[key]) return TYPE_COLORS[key];
  const unknown = all.filter((k) => !TYPE_COLORS[k]);
  return EXTRA[Math.max(0, unknown.indexOf(key)) % EXTRA.length];
}

/** Marks for samples too small to read: drawn in this grey with a label. */
export const SMALL_SAMPLE_COLOR = '#B0B0B0';
