/**
 * Chinese place and staff vocabulary for the sample data: what real exports contain.
 */

/** Store districts: city, district, store-code prefix, region index (REGIONS), weight. */
export const DISTRICTS: readonly (readonly [string, string, string, number, number])[] = [
  ['上海', '徐汇', 'SH-XH', 0, 3],
  ['上海', '静安', 'SH-JA', 0, 3],
  ['上海', '浦东', 'SH-PD', 0, 3],
  ['杭州', '西湖', 'HZ-XH', 0, 2],
  ['杭州', '滨江', 'HZ-BJ', 0, 1.5],
  ['南京', '鼓楼', 'NJ-GL', 0, 2],
  ['苏州', '园区', 'SU-YQ', 0, 1.5],
  ['宁波', '鄞州', 'NB-YZ', 0, 1],
  ['广州', '天河', 'GZ-TH', 1, 2.5],
  ['广州', '越秀', 'GZ-YX', 1, 1.5],
  ['深圳', '南山', 'SZ-NS', 1, 2.5],
  ['深圳', '福田', 'SZ-FT', 1, 2],
  ['厦门', '思明', 'XM-SM', 1, 1],
  ['北京', '朝阳', 'BJ-CY', 2, 3],
  ['北京', '海淀', 'BJ-HD', 2, 2.5],
  ['北京', '西城', 'BJ-XC', 2, 1.5],
  ['天津', '和平', 'TJ-HP', 2, 1.5],
  ['太原', '小店', 'TY-XD', 2, 0.8],
  ['武汉', '江汉', 'WH-JH', 3, 1.5],
  ['武汉', '洪山', 'WH-HS', 3, 1.2],
  ['长沙', '岳麓', 'CS-YL', 3, 1.2],
  ['郑州', '金水', 'ZZ-JS', 3, 1.2],
  ['成都', '锦江', 'CD-JJ', 4, 2],
  ['成都', '高新', 'CD-GX', 4, 1.5],
  ['重庆', '渝中', 'CQ-YZ', 4, 1.5],
  ['昆明', '五华', 'KM-WH', 4, 0.8],
  ['西安', '雁塔', 'XA-YT', 5, 1.5],
  ['兰州', '城关', 'LZ-CG', 5, 0.7],
  ['银川', '兴庆', 'YC-XQ', 5, 0.5],
];

/** Staff userids are pinyin names (`zhangwei`), with a number once the combinations run out. */
export const STAFF_SURNAMES = [
  'zhang', 'wang', 'li', 'zhao', 'liu', 'chen', 'yang', 'huang', 'zhou', 'wu',
  'xu', 'sun', 'hu', 'zhu', 'gao', 'lin', 'he', 'guo', 'ma', 'luo',
  'liang', 'song', 'zheng', 'xie', 'han', 'tang', 'feng', 'yu', 'dong', 'xiao',
  'cheng', 'cao', 'yuan', 'deng', 'fu', 'shen', 'zeng', 'peng', 'lv', 'su',
] as const;
export const STAFF_GIVEN = [
  'wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang',
  'yong', 'yan', 'jie', 'juan', 'tao', 'ming', 'chao', 'xiuying', 'hua', 'hui',
  'ping', 'gang', 'dan', 'ling', 'xin', 'yu', 'hao', 'kai', 'bo', 'ning',
  'lan', 'ting', 'ying', 'xue', 'qian', 'rui', 'yi', 'fei', 'lu', 'shan',
] as const;

/** States (WeCom 渠道活码 `state`) that channels.csv lists although no member used them. */
export const UNUSED_STATES: readonly (readonly [string, string, string, string])[] = [
  // state, channel label, material, remark
  ['qr_expo_2025', '物料', '展会易拉宝', '2025 展会（已结束）'],
  ['mp_menu_old', '公众号', '公众号菜单', '旧版菜单（已停用）'],
];

/** Themed team (小组) names of check-in camps; the other camps number their teams 第1组, 第2组 …. */
export const TEAM_NAMES = ['猎豹队', '雄鹰队', '海豚队', '骆驼队', '熊猫队', '狐狸队'] as const;
