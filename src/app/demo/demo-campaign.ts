// The demo campaign: what the supervision of spring 2020 (督导检查) found in the five sub-districts,
// and how far each item had got. The gap checks add their findings as of DEMO_AS_OF on top.
import type { Department, ItemCategory } from '../../ledger/item.entity.js';

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
