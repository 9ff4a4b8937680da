import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * An escalation run's last sign of life (issue #8): written with each batch, beside the counts so
 * far, so that a run whose process was killed shows what it did and, once quiet for a while, that
 * it was interrupted.
 */
export class EscalationRunProgress1765000000000 implements MigrationInterface {
  name = 'EscalationRunProgress1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('escalation_runs', new TableColumn({ name: 'heartbeatAt', type: 'datetime', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('escalation_runs', 'heartbeatAt');
  }
}
