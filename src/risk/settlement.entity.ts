import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * 医保结算记录: one settlement of the insurance bureau, or the refund (退费, negative amounts) of one,
 * which carries the settlement's own number. Counted once however often it is uploaded (unique
 * settlementNo + refund). Amounts in fen; `burdenFen` = 个人负担 = total − fund − major − assist − other.
 */
@Entity('settlements')
@Index('UQ_settlements_number', ['settlementNo', 'refund'], { unique: true })
@Index('IDX_settlements_year_person', ['year', 'idNumber', 'settledOn', 'burdenFen'])
export class Settlement {
  @PrimaryGeneratedColumn()
  id!: number;

  /** 结算编号. */
  @Column({ type: 'varchar', length: 64 })
  settlementNo!: string;

  /** A refund of the settlement of the same number (its amounts negative). */
  @Column({ type: 'boolean', default: false })
  refund!: boolean;

  /** The calendar year of settledOn. */
  @Column({ type: 'int' })
  year!: number;

  @Column({ type: 'varchar', length: 18 })
  idNumber!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** 就诊类型 (门诊, 住院, …) as the file says it. */
  @Column({ type: 'varchar', length: 32 })
  visitType!: string;

  /** 入院日期. */
  @Column({ type: 'date', nullable: true })
  admittedOn!: string | null;

  /** 出院日期. */
  @Column({ type: 'date', nullable: true })
  dischargedOn!: string | null;

  /** 结算日期: which year's burden it counts in. */
  @Column({ type: 'date' })
  settledOn!: string;

  /** 医疗机构. */
  @Column({ type: 'varchar', length: 128 })
  institution!: string;

  /** 总费用 (fen). */
  @Column({ type: 'int' })
  totalFen!: number;

  /** 统筹基金支付. */
  @Column({ type: 'int' })
  fundFen!: number;

  /** 大病保险支付. */
  @Column({ type: 'int' })
  majorFen!: number;

  /** 医疗救助支付. */
  @Column({ type: 'int' })
  assistFen!: number;

  /** 其他支付. */
  @Column({ type: 'int' })
  otherFen!: number;

  /** 个人负担 of this row. */
  @Column({ type: 'int' })
  burdenFen!: number;

  /** The upload that first brought it. */
  @Column({ type: 'int' })
  uploadId!: number;

  /** Its line in that upload's file. */
  @Column({ type: 'int' })
  line!: number;
}
