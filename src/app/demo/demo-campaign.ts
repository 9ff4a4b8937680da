// The demo campaign: what the supervision of spring 2020 (督导检查) found in the five sub-districts,
// and how far each item had got. The gap checks add their findings as of DEMO_AS_OF on top.
import type { Department, ItemCategory } from '../../ledger/item.entity.js';
import type { DemoEvidence } from './demo-evidence.js';

export const DEMO_CAMPAIGN = { name: '2020年健康扶贫问题整改', year: 2020, deadline: '2020-05-31' };

export interface DemoInspectionItem {
  /** 1 … 5: 城关 / 东塬 / 南川 / 西岭 / 北辰街道 (officer1 … officer5). */
  subdistrict: 1 | 2 | 3 | 4 | 5;
  category: ItemCategory;
  dept: Department;
  title: string;
  /** A progress note (the item is then in progress), and a resolution when it has been closed (销号). */
  progress?: string;
  resolution?: string;
  /**
   * 申请销号 under review (SPEC §6.2), after the campaign turned review on: the officer uploads the
   * evidence and requests; when `rejected`, the department sends it back with the comment, the officer
   * adds the further evidence and requests again. The item waits for review either way.
   */
  request?: DemoCloseRequest;
}

export interface DemoCloseRequest {
  evidence: DemoEvidence[];
  resolution: string;
  rejected?: { comment: string; evidence: DemoEvidence[]; resolution: string };
}

export const DEMO_INSPECTION_ITEMS: DemoInspectionItem[] = [
  {
    subdistrict: 1,
    category: 'facility',
    dept: 'health',
    title: '柳树村卫生室未配备心电图机',
    progress: '已报区卫健局采购',
    resolution: '已配备12导联心电图机并完成村医培训',
  },
  {
    subdistrict: 1,
    category: 'staffing',
    dept: 'health',
    title: '河湾社区卫生服务站缺全科医生1名',
    progress: '已申请定向招录计划',
    request: {
      evidence: [
        {
          kind: 'photo',
          name: '招聘公告张贴现场.jpg',
          title: '全科医生招聘公告',
          caption: '河湾社区卫生服务站 公告栏',
          colour: '#1565c0',
          takenOn: '2020-04-03',
        },
      ],
      resolution: '已发布全科医生招聘公告并组织面试',
      rejected: {
        comment: '招聘公告不能证明人员已到岗，请补充聘用合同或到岗证明',
        evidence: [
          {
            kind: 'pdf',
            name: '全科医生聘用合同.pdf',
            title: '全科医生聘用合同（摘要）',
            lines: [
              '甲方：示范区河湾社区卫生服务站',
              '乙方：全科医生 李某',
              '聘用期限：2020年4月1日至2023年3月31日',
              '到岗日期：2020年4月8日',
            ],
          },
        ],
        resolution: '已招录全科医生1名，4月8日到岗，附聘用合同',
      },
    },
  },
  {
    subdistrict: 1,
    category: 'data',
    dept: 'health',
    title: '15户贫困户健康档案与扶贫系统信息不一致',
    resolution: '已逐户入户核对，两系统信息已更新一致',
  },
  { subdistrict: 1, category: 'contract', dept: 'health', title: '慢病签约服务履约记录不规范' },
  {
    subdistrict: 2,
    category: 'facility',
    dept: 'health',
    title: '马家沟村卫生室未达到标准化建设要求',
    progress: '诊室改造已开工',
    request: {
      evidence: [
        {
          kind: 'photo',
          name: '诊室改造完成.jpg',
          title: '诊室改造完成',
          caption: '马家沟村卫生室 诊室、治疗室分设',
          colour: '#3f7d5c',
          takenOn: '2020-04-10',
        },
        {
          kind: 'photo',
          name: '药房标准化.jpg',
          title: '药房按标准设置',
          caption: '马家沟村卫生室 药品分类上架',
          colour: '#6a4c93',
          takenOn: '2020-04-10',
        },
      ],
      resolution: '诊室、治疗室、药房已按标准分设，设备已配齐',
    },
  },
  {
    subdistrict: 2,
    category: 'treatment',
    dept: 'health',
    title: '大病集中救治台账不完整',
    resolution: '已补齐救治台账并逐人核对救治进度',
  },
  { subdistrict: 2, category: 'insurance', dept: 'insurance', title: '资助参保名单未与医保系统比对' },
  { subdistrict: 2, category: 'staffing', dept: 'health', title: '乡村医生年龄偏大，后继乏人' },
  {
    subdistrict: 3,
    category: 'facility',
    dept: 'health',
    title: '石桥村卫生室基本药物品种不足',
    resolution: '已按目录补齐基本药物',
  },
  { subdistrict: 3, category: 'data', dept: 'health', title: '远程心电诊断系统未开通使用' },
  {
    subdistrict: 3,
    category: 'contract',
    dept: 'health',
    title: '家庭医生签约服务协议未逐户签字确认',
    progress: '已完成王家坪村、桃园村',
    request: {
      evidence: [
        {
          kind: 'photo',
          name: '入户签字现场.jpg',
          title: '入户补签协议',
          caption: '南川街道 家庭医生团队入户',
          colour: '#b35c1e',
          takenOn: '2020-04-13',
        },
        {
          kind: 'pdf',
          name: '签约协议签字汇总表.pdf',
          title: '家庭医生签约协议签字汇总表',
          lines: ['街道：南川街道', '应签字户数：全部签约户', '已签字确认：全部签约户', '核对人：街道卫生专干'],
        },
      ],
      resolution: '全部签约户已逐户签字确认，协议已归档',
    },
  },
  {
    subdistrict: 3,
    category: 'other',
    dept: 'health',
    title: '健康扶贫政策宣传不到位，群众知晓率低',
    resolution: '已逐户发放政策明白卡并开展宣讲',
  },
  { subdistrict: 4, category: 'facility', dept: 'health', title: '龙泉社区卫生服务站房屋漏雨' },
  {
    subdistrict: 4,
    category: 'insurance',
    dept: 'insurance',
    title: '新增贫困人口未及时参保',
    resolution: '已为新增人员办理资助参保',
  },
  { subdistrict: 4, category: 'treatment', dept: 'health', title: '重病兜底保障对象救助未落实' },
  { subdistrict: 5, category: 'staffing', dept: 'health', title: '卫生院缺少医学影像专业技术人员' },
  {
    subdistrict: 5,
    category: 'insurance',
    dept: 'insurance',
    title: '贫困人口“一站式”结算数据未及时上报',
    progress: '已与医保经办机构对接',
  },
  {
    subdistrict: 5,
    category: 'other',
    dept: 'health',
    title: '健康教育讲座开展次数不足',
    resolution: '已补开健康教育讲座4场',
  },
];
