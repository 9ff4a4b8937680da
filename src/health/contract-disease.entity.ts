import { Entity, PrimaryColumn } from 'typeorm';

/** A disease a contract covers. */
@Entity('contract_diseases')
export class ContractDisease {
  @PrimaryColumn({ type: 'int' })
  contractId!: number;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  diseaseCode!: string;
}
