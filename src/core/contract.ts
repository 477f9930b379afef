/**
 * The CSV contract of DATA.md as data: tables, columns, kinds and header aliases.
 * This is the one place aliases live; the README's alias table is generated from it
 * (`npm run docs:aliases`), and validation reads nothing else.
 */

/** How a column's text is parsed and checked (see src/read/values.ts). */
export type ColumnKind =
  | 'id' // trimmed string; scientific notation (Excel damage) is an error
  | 'text' // free text, kept as given (sanitised before publication)
  | 'datetime' // any of the accepted datetime formats → local timestamp, on a plausible day (values.ts DateBounds)
  | 'date' // same formats → local calendar date, on a plausible day
  | 'amount' // number ≥ 0, full-width digits, thousands separators, 万; at most NUMBER_LIMITS.amount
  | 'integer' // whole number ≥ 0, at most NUMBER_LIMITS.integer
  | 'number' // any finite number (negative allowed) within ±NUMBER_LIMITS.number
  | 'boolean' // true/false/是/否/1/0
  | 'staff_flag' // boolean, or WeCom 成员类型: 1 企业成员 = staff, 2 外部联系人 = customer
  | 'join_scene' // 1/2/3 or 直接邀请/邀请链接/扫描群二维码
  | 'label'; // a label mapped to a key through configuration (channel, group type)

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  required: boolean;
  /** Header spellings accepted besides `name` (compared after normaliseHeader). */
  aliases: readonly string[];
  /** Shown in docs and errors. */
  description: string;
}

export type TableName = 'groups' | 'members' | 'channels' | 'messages' | 'activity' | 'orders' | 'checkins';

export interface TableSpec {
  name: TableName;
  /** Chinese names of its export files (discover.ts: a file named so, alone or followed by _, -, a space or "(", is this table's) */
  fileNames: readonly string[];
  required: boolean;
  columns: readonly ColumnSpec[];
  /** Sets of columns of which at least one must be present in the header. */
  oneOf?: readonly (readonly string[])[];
  description: string;
}

const col = (
  name: string,
  kind: ColumnKind,
  required: boolean,
  aliases: readonly string[],
  description: string,
): ColumnSpec => ({ name, kind, required, aliases, description });

export const TABLES: readonly TableSpec[] = [
  {
    name: 'groups',
    fileNames: ['客户群', '客户群列表', '群列表', '群台账'],
    required: true,
    description: 'one row per group (群)',
    columns: [
      col('group_id', 'id', true, ['群ID', '群id', 'chat_id', 'chatid', 'roomid', 'room_id', '群编号'], 'group ID'),
      col('name', 'text', false, ['群名称', '群名', 'group_name'], 'group name'),
      col('type', 'label', true, ['群类型', '社群类型', 'group_type'], 'group type (key or label)'),
      col('owner_id', 'text', false, ['群主', '群主ID', '群主id', 'owner', 'owner_userid'], 'owner (staff) ID or name'),
      col('store', 'text', false, ['门店', 'store_id', '门店名称', '所属门店'], 'store'),
      col('region', 'text', false, ['区域', '大区', '所属区域'], 'region'),
      col('created_at', 'datetime', true, ['创建时间', '建群时间', 'create_time', 'createtime'], 'creation time'),
      col('dissolved_at', 'datetime', false, ['解散时间', 'dismissed_at', 'dismiss_time'], 'dissolution time'),
    ],
  },
  {
    name: 'members',
    fileNames: ['群成员', '客户群成员', '入群记录'],
    required: true,
    description: 'one row per spell of one member in one group',
    oneOf: [['channel', 'state']],
    columns: [
      col('member_id', 'id', true, ['客户ID', '客户id', '成员ID', '成员id', 'userid', 'user_id', 'external_userid', 'unionid'], 'member ID'),
      col('group_id', 'id', true, ['群ID', '群id', 'chat_id', 'chatid', 'roomid', 'room_id'], 'group ID'),
      col('joined_at', 'datetime', true, ['入群时间', 'join_time', 'jointime'], 'time the member joined'),
      col('left_at', 'datetime', false, ['退群时间', 'quit_time', 'leave_time'], 'time the member left'),
      col('channel', 'label', false, ['渠道', '来源渠道', '入群渠道'], 'acquisition channel (key or label)'),
      col('state', 'text', false, ['渠道活码', '活码参数'], 'WeCom state of the QR code or link'),
      col('join_scene', 'join_scene', false, ['入群方式'], '1 直接邀请, 2 邀请链接, 3 扫描群二维码'),
      col('inviter_id', 'id', false, ['邀请人', '邀请人ID', 'invitor', 'invitor_userid'], 'who invited the member'),
      col('is_staff', 'staff_flag', false, ['成员类型', '是否员工'], 'staff (1 企业成员) or customer (2 外部联系人)'),
    ],
  },
  {
    name: 'channels',
    fileNames: ['渠道活码', '活码', '渠道'],
    required: false,
    description: 'maps a WeCom state to a channel',
    columns: [
      col('state', 'text', true, ['渠道活码', '活码参数'], 'WeCom state'),
      col('channel', 'label', true, ['渠道', '来源渠道'], 'channel (key or label)'),
      col('store', 'text', false, ['门店'], 'store'),
      col('staff_id', 'text', false, ['员工', '导购', '员工ID'], 'staff'),
      col('material', 'text', false, ['物料'], 'material'),
      col('remark', 'text', false, ['备注'], 'remark'),
    ],
  },
  {
    name: 'messages',
    fileNames: ['会话存档', '聊天记录', '群消息'],
    required: false,
    description: 'one row per message',
    columns: [
      col('sent_at', 'datetime', true, ['发送时间', 'msgtime', 'msg_time', 'send_time'], 'time sent'),
      col('group_id', 'id', true, ['群ID', '群id', 'roomid', 'room_id', 'chat_id', 'chatid'], 'group ID'),
      col('member_id', 'id', true, ['from', '发送人', '发送人ID', 'sender', '客户ID', '客户id', '成员ID', 'userid', 'external_userid'], 'sender ID'),
      col('msgtype', 'text', false, ['消息类型', 'msg_type'], 'message type'),
      col('message_id', 'id', false, ['msgid', 'msg_id', '消息ID', '消息id'], 'message ID (the chat archive\'s msgid): a message read twice, in two pulls or two files, counts once'),
    ],
  },
  {
    name: 'activity',
    fileNames: ['发言统计', '活跃'],
    required: false,
    description: 'messages pre-aggregated per local date, group and member',
    columns: [
      col('date', 'date', true, ['日期', 'day', 'dt'], 'local date'),
      col('group_id', 'id', true, ['群ID', '群id', 'roomid', 'room_id', 'chat_id', 'chatid'], 'group ID'),
      col('member_id', 'id', true, ['成员ID', '客户ID', '发送人', 'from'], 'member ID'),
      col('messages', 'integer', true, ['消息数', '发言数', 'message_count', 'msg_count'], 'messages that day'),
    ],
  },
  {
    name: 'orders',
    fileNames: ['订单'],
    required: false,
    description: 'one row per order',
    columns: [
      col('order_id', 'id', true, ['订单号', '订单ID', '订单编号'], 'order ID'),
      col('member_id', 'id', true, ['客户ID', '客户id', '会员ID', 'userid', 'external_userid', 'unionid'], 'member ID'),
      col('group_id', 'id', false, ['群ID', '群id', 'roomid', 'chat_id'], 'group the order is attributed to'),
      col('ordered_at', 'datetime', true, ['下单时间', 'paid_at', '支付时间', 'order_time'], 'time ordered'),
      col('amount', 'amount', true, ['金额', '订单金额', '实付金额', 'pay_amount'], 'amount in CNY'),
      col('refunded', 'boolean', false, ['是否退款', '退款'], 'refunded (true/false/是/否/1/0)'),
      col('product', 'text', false, ['商品', '商品名称', '产品'], 'product'),
    ],
  },
  {
    name: 'checkins',
    fileNames: ['打卡记录', '打卡', '积分记录'],
    required: false,
    description: 'check-ins and points (积分/打卡)',
    columns: [
      col('member_id', 'id', true, ['客户ID', '成员ID', 'userid', 'external_userid'], 'member ID'),
      col('group_id', 'id', true, ['群ID', '群id', 'roomid', 'chat_id'], 'group ID'),
      col('date', 'date', true, ['打卡日期', '打卡时间', '日期'], 'check-in date'),
      col('kind', 'text', false, ['类型', '打卡类型'], 'kind (签到, 作业, 活动 …)'),
      col('points', 'number', false, ['积分'], 'points (negative for redemptions)'),
      col('team', 'text', false, ['小组', '班级', '战队'], 'team'),
    ],
  },
];

export function tableSpec(name: TableName): TableSpec {
  const spec = TABLES.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown table ${name}`);
  return spec;
}

/**
 * Header text → comparable key: NFKC (full-width letters), trimmed, lower case, spaces and
 * hyphens as underscores, surrounding quotes and a stray BOM removed.
 */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .normalize('NFKC')
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s\-]+/g, '_');
}

export interface HeaderMapping {
  /** canonical column → index of the header field that supplies it */
  columns: Map<string, number>;
  /** header fields outside the contract (ignored, named once as a warning) */
  ignored: { index: number; header: string }[];
  /** header fields that map to a column already supplied by another field */
  shadowed: { index: number; header: string; column: string }[];
}

/**
 * Map a file's header fields to canonical columns. An export's own header named in the
 * configuration (`columns`: header → column) comes first; then the canonical name wins over an
 * alias, and an earlier alias in the list wins over a later one, whatever the field order.
 */
export function mapHeader(spec: TableSpec, headers: readonly string[], configured: Readonly<Record<string, string>> = {}): HeaderMapping {
  const normalised = headers.map(normaliseHeader);
  const columns = new Map<string, number>();
  const used = new Set<number>();
  for (const [header, column] of Object.entries(configured)) {
    const index = normalised.findIndex((h, i) => h === normaliseHeader(header) && !used.has(i));
    if (index >= 0 && !columns.has(column)) {
      columns.set(column, index);
      used.add(index);
    }
  }
  for (const column of spec.columns) {
    if (columns.has(column.name)) continue;
    const candidates = [column.name, ...column.aliases].map(normaliseHeader);
    for (const candidate of candidates) {
      const index = normalised.findIndex((h, i) => h === candidate && !used.has(i));
      if (index >= 0) {
        columns.set(column.name, index);
        used.add(index);
        break;
      }
    }
  }
  const ignored: HeaderMapping['ignored'] = [];
  const shadowed: HeaderMapping['shadowed'] = [];
  normalised.forEach((h, index) => {
    if (used.has(index)) return;
    const column = spec.columns.find((c) => [c.name, ...c.aliases].map(normaliseHeader).includes(h));
    if (column) shadowed.push({ index, header: headers[index], column: column.name });
    else ignored.push({ index, header: headers[index] });
  });
  return { columns, ignored, shadowed };
}

/** Whether a header row holds every required column of a table (and one of each `oneOf` set). */
export function holdsRequired(spec: TableSpec, mapping: HeaderMapping): boolean {
  return spec.columns.every((c) => !c.required || mapping.columns.has(c.name)) && (spec.oneOf ?? []).every((set) => set.some((c) => mapping.columns.has(c)));
}

/**
 * The header row of a file: the first of its first 10 rows that holds every required column
 * (by name, alias or the configuration's mapping); title and note rows above it are skipped.
 * null when none does.
 */
export function findHeaderRow(spec: TableSpec, rows: readonly (readonly string[])[], configured: Readonly<Record<string, string>> = {}): number | null {
  for (let i = 0; i < Math.min(rows.length, 10); i++) if (holdsRequired(spec, mapHeader(spec, rows[i], configured))) return i;
  return null;
}

/**
 * The largest magnitude each numeric kind accepts; beyond it a value is rejected (it is a typo or
 * a pasted ID, and would overflow later arithmetic).
 *  amount   100,000,000 CNY (1亿) per order. Amounts are DECIMAL(18, 4), exact; a member's 90-day
 *           GMV is kept as DECIMAL(18, 4) too (< 10^14), which a million orders at this maximum
 *           would be needed to overflow.
 *  integer  100,000 messages by one member in one group on one day, more than one a second
 *           around the clock; keeps a group's weekly sum far inside 32 bits.
 *  number   ±1,000,000,000 points in one check-in row; DOUBLE sums of whole points stay exact.
 */
export const NUMBER_LIMITS = { amount: 100_000_000, integer: 100_000, number: 1_000_000_000 } as const;
