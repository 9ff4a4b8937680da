import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Contract } from './contract.entity.js';
import { Disease } from './disease.entity.js';

/** A disease a contract covers. */
@Entity('contract_diseases')
export class ContractDisease {
  @ForeignKey(() => Contract, { name: 'FK_contract_diseases_contract', onDelete: 'CASCADE', onUpdate: 'RESTRICT' })
  @PrimaryColumn({ type: 'int' })
  contractId!: number;

  @ForeignKey(() => Disease, { name: 'FK_contract_diseases_disease', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @PrimaryColumn({ type: 'varchar', length: 32 })
  diseaseCode!: string;
}
