import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Region } from '../regions/region.entity.js';
import { Campaign } from './campaign.entity.js';
import { GENESIS_HASH } from './hash-chain.js';
import type { RiskOutcome } from './risk-outcomes.js';

export const ITEM_CATEGORIES = ['insurance', 'contract', 'treatment', 'data', 'facility', 'staffing', 'other'] as const;
/** insurance 基本医保, contract 慢病签约, treatment 分类救治, data 信息数据, facility 基础设施, staffing 人才, other. */
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

export const SUBJECT_TYPES = ['household', 'person', 'region'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const DEPARTMENTS = ['health', 'insurance'] as const;
/** health 卫健局, insurance 医保局. */
export type Department = (typeof DEPARTMENTS)[number];

export const ITEM_SOURCES = ['inspection', 'check', 'reconciliation', 'risk_alert'] as const;
/** inspection 督导检查, check 查漏补缺规则, reconciliation 数据比对, risk_alert 因病返贫致贫预警 (SPEC §6.6). */
export type ItemSource = (typeof ITEM_SOURCES)[number];

export const ITEM_STATUSES = ['open', 'in_progress', 'pending_review', 'closed'] as const;
/** open 待整改, in_progress 整改中, pending_review 待审核 (销号 requested, SPEC §6.2), closed 已销号. */
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** 0 none, 1 提醒 reminder, 2 预警 warning, 3 逾期 overdue, 4 督办 supervised. */
export const MAX_ESCALATION_LEVEL = 4;

/** 整改问题: one remediation item, closed (销号) by its sub-district; its history is in ledger_entries. */
@Entity('items')
@Index('IDX_items_region_status_deadline', ['regionCode', 'status', 'deadline'])
@Index('IDX_items_region_deadline', ['regionCode', 'deadline'])
@Index('IDX_items_deadline', ['deadline'])
@Index('IDX_items_campaign_status_deadline', ['campaignId', 'status', 'deadline'])
@Index('IDX_items_status_deadline', ['status', 'deadline'])
@Index('IDX_items_escalation_status', ['escalationLevel', 'status'])
@Index('IDX_items_subject', ['subjectType', 'subjectId'])
export class Item {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Campaign, { name: 'FK_items_campaign', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  campaignId!: number;

  @Column({ type: 'varchar', length: 16 })
  category!: ItemCategory;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  subjectType!: SubjectType | null;

  @Column({ type: 'int', nullable: true })
  subjectId!: number | null;

  /** The responsible sub-district (12-digit code ending in 000). */
  @ForeignKey(() => Region, { name: 'FK_items_region', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'varchar', length: 12 })
  regionCode!: string;

  @Column({ type: 'varchar', length: 16 })
  responsibleDept!: Department;

  /** YYYY-MM-DD; the campaign's deadline unless set otherwise. */
  @Column({ type: 'date' })
  deadline!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: ItemSource;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  status!: ItemStatus;

  @Column({ type: 'int', default: 0 })
  escalationLevel!: number;

  /** Bumped by every change of the item's fields; changes name the version they apply to. */
  @Column({ type: 'int', default: 1 })
  version!: number;

  /** What was done (整改情况), set when the item is closed. */
  @Column({ type: 'text', nullable: true })
  resolution!: string | null;

  /** 核实结果 of a risk_alert item (SPEC §6.6), set with the resolution when it is closed; null otherwise. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome!: RiskOutcome | null;

  @Column({ type: 'datetime', nullable: true })
  closedAt!: Date | null;

  /** When 销号 was last requested (待审核 since then); null when no request is pending. */
  @Column({ type: 'datetime', nullable: true })
  closeRequestedAt!: Date | null;

  /** Who requested the pending 销号: never the one who may review it. */
  @Column({ type: 'int', nullable: true })
  closeRequestedById!: number | null;

  /** 责任人: the person answerable for the remediation, named by the officer or the caseworker. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  assigneeName!: string | null;

  /** 责任人 phone (personal data: masked for roles outside the item's sub-district and department). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  assigneePhone!: string | null;

  /** The calendar day of closedAt in APP_TIMEZONE: after the deadline, the closure was late (逾期销号). */
  @Column({ type: 'date', nullable: true })
  closedOn!: string | null;

  /** Identifies the gap an item was opened for (e.g. `chronic_without_contract:person:123`). */
  @Column({ type: 'varchar', length: 160, nullable: true })
  dedupeKey!: string | null;

  /** = dedupeKey while the item is not closed, NULL once closed: unique, so a gap has at most one open item. */
  @Index('UQ_items_openKey', { unique: true })
  @Column({ type: 'varchar', length: 160, nullable: true })
  openKey!: string | null;

  /** The user who filed it; null when the system did. */
  @Column({ type: 'int', nullable: true })
  createdById!: number | null;

  /** The seq of the item's last ledger entry (0 before the first): the chain's tail, kept with every append. */
  @Column({ type: 'int', default: 0 })
  ledgerSeq!: number;

  /** The hash of the item's last ledger entry (the genesis hash before the first). */
  @Column({ type: 'varchar', length: 64, default: GENESIS_HASH })
  ledgerHash!: string;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
