import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './roles.js';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  /** Lower case, compared exactly (binary collation on MySQL): see usernames.ts. */
  @Index('UQ_users_username', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ type: 'varchar', length: 100 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 32 })
  role!: Role;

  /** The sub-district of a subdistrict_officer; null for every other role. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  regionCode!: string | null;

  @Column({ type: 'varchar', length: 64 })
  displayName!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Tokens carry it; raised on sign-out and when the user is disabled, which ends every token issued before. */
  @Column({ type: 'int', default: 0 })
  tokenVersion!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
