/**
 * A small generated data set whose free-text columns carry a 2,000-character label with no
 * break opportunity: group name, owner, store, region and type (groups.csv), the channel label
 * (members.csv, channels.csv), the check-in kind and team (checkins.csv) and the product
 * (orders.csv). The pages must wrap or truncate it, never grow 30,000 px wide.
 */
import { join } from 'node:path';
import { openNativeDb } from '../../src/db/native.ts';
import { generateSample } from '../../src/sample/generate.ts';

/**
 * Latin letters with diacritics: one 2,000-character word (no space, hyphen or other break
 * opportunity), and no run of plain ASCII long enough to look like a unionid or an
 * external_userid, so masking published text leaves it whole.
 */
export const LONG_LATIN = 'Långnämn'.repeat(250);
/** Chinese: 2,000 characters without punctuation. */
export const LONG_CJK = '超长群名'.repeat(500);

export async function writeLongLabelData(dir: string): Promise<void> {
  await generateSample({ outDir: dir, groups: 14, memberships: 1400, messages: 20_000, orders: 400 });
  const csv = (name: string) => join(dir, `${name}.csv`);
  const L = `'${LONG_LATIN}'`;
  const C = `'${LONG_CJK}'`;
  // each file rewritten with the same header, some of its values replaced
  const rewrite = (name: string, select: string) => `
    CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('${csv(name)}', all_varchar = true, header = true);
    COPY (SELECT ${select} FROM t) TO '${csv(name)}' (HEADER);`;
  const db = await openNativeDb();
  await db.exec(`
    ${rewrite('groups', `group_id,
      CASE group_id WHEN 'G0001' THEN ${L} WHEN 'G0008' THEN ${C} ELSE name END AS name,
      -- an unknown type label is a type of its own: two groups, so it has a benchmark
      CASE WHEN group_id IN ('G0006', 'G0007') THEN ${L} ELSE type END AS type,
      CASE group_id WHEN 'G0001' THEN ${L} ELSE owner_id END AS owner_id,
      CASE group_id WHEN 'G0002' THEN ${L} WHEN 'G0009' THEN ${C} ELSE store END AS store,
      -- three groups, so the region has its own lifespan curve
      CASE WHEN group_id IN ('G0003', 'G0004', 'G0005') THEN ${L} ELSE region END AS region,
      created_at, dissolved_at`)}
    ${rewrite('members', `member_id, group_id, joined_at, left_at,
      CASE WHEN hash(member_id) % 7 = 0 AND channel IS NOT NULL THEN ${L} ELSE channel END AS channel,
      state, join_scene, inviter_id, is_staff`)}
    ${rewrite('channels', `state, CASE WHEN row_number() OVER () = 1 THEN ${C} ELSE channel END AS channel, store, staff_id, material, remark`)}
    ${rewrite('checkins', `member_id, group_id, date,
      CASE WHEN hash(member_id) % 5 = 0 THEN ${L} ELSE kind END AS kind, points,
      CASE WHEN team = '第2组' THEN ${L} ELSE team END AS team`)}
    ${rewrite('orders', `order_id, member_id, group_id, ordered_at, amount, refunded, CASE WHEN hash(order_id) % 3 = 0 THEN ${L} ELSE product END AS product`)}
  `);
  await db.close();
}
