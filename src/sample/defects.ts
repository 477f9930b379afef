/**
 * The handful of bad rows the sample carries when `defects` is on: mistakes operators really
 * make in exports (Excel's damage, a typo'd date, a row pasted from an old file). Each one must
 * be rejected, or warned about, by the validator; tests elsewhere find them through `match`,
 * whose values do not depend on the seed or the sizes.
 */

export type SampleFile = 'groups.csv' | 'members.csv' | 'channels.csv' | 'messages.csv' | 'orders.csv';

export interface SampleDefect {
  file: SampleFile;
  /** The column at fault. */
  column: string;
  kind:
    | 'duplicate_id'
    | 'unparseable_date'
    | 'left_before_joined'
    | 'unknown_group'
    | 'scientific_notation_id'
    | 'unknown_channel'
    | 'missing_required'
    | 'negative_amount';
  /** error: the row is rejected; warning: the row is kept and the problem reported. */
  severity: 'error' | 'warning';
  what: string;
  /** Column values (as written in the CSV) that single out the row; `''` is an empty field. */
  match: Readonly<Record<string, string>>;
}

/** Member ids of the defect rows: external_userid-like, fixed so tests can find them. */
export const DEFECT_MEMBER_IDS = {
  badDate: 'wmde7ec700000000000000000000000001',
  leftBeforeJoined: 'wmde7ec700000000000000000000000002',
  unknownGroup: 'wmde7ec700000000000000000000000003',
  unknownChannel: 'wmde7ec700000000000000000000000005',
} as const;

export const DEFECT_VALUES = {
  duplicateGroupName: '未命名群聊',
  badDate: '2026-13-45',
  unknownGroupId: 'G0000',
  scientificId: '1.38E+10',
  unknownChannel: '直播',
  negativeAmount: '-129.00',
} as const;

export const SAMPLE_DEFECTS: readonly SampleDefect[] = [
  {
    file: 'groups.csv', column: 'group_id', kind: 'duplicate_id', severity: 'error',
    what: 'a group_id listed twice, the second time under another name (a row pasted from an older export)',
    match: { name: DEFECT_VALUES.duplicateGroupName },
  },
  {
    file: 'members.csv', column: 'joined_at', kind: 'unparseable_date', severity: 'error',
    what: `joined_at is not a date (${DEFECT_VALUES.badDate})`,
    match: { joined_at: DEFECT_VALUES.badDate },
  },
  {
    file: 'members.csv', column: 'left_at', kind: 'left_before_joined', severity: 'error',
    what: 'left_at two days before joined_at',
    match: { member_id: DEFECT_MEMBER_IDS.leftBeforeJoined },
  },
  {
    file: 'members.csv', column: 'group_id', kind: 'unknown_group', severity: 'error',
    what: `a member of group ${DEFECT_VALUES.unknownGroupId}, which groups.csv does not list`,
    match: { group_id: DEFECT_VALUES.unknownGroupId },
  },
  {
    file: 'members.csv', column: 'member_id', kind: 'scientific_notation_id', severity: 'error',
    what: `member_id in scientific notation (${DEFECT_VALUES.scientificId}), Excel's damage to a long number`,
    match: { member_id: DEFECT_VALUES.scientificId },
  },
  {
    file: 'members.csv', column: 'channel', kind: 'unknown_channel', severity: 'warning',
    what: `channel label ${DEFECT_VALUES.unknownChannel} (live stream) is not a known channel and has no state`,
    match: { channel: DEFECT_VALUES.unknownChannel },
  },
  {
    file: 'messages.csv', column: 'member_id', kind: 'missing_required', severity: 'error',
    what: 'a message without a sender (empty member_id)',
    match: { member_id: '' },
  },
  {
    file: 'orders.csv', column: 'amount', kind: 'negative_amount', severity: 'error',
    what: `a refund keyed in as a negative order (${DEFECT_VALUES.negativeAmount})`,
    match: { amount: DEFECT_VALUES.negativeAmount },
  },
];
