import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Issue #18, timely treatment. A condition's `confirmedOn` (核准), `hospital` (定点医院),
 * `treatmentStartedOn` and `declineReason` (放弃救治); the campaign setting `treatmentStartDays`
 * (default 30). Existing conditions keep the new columns NULL: when they were confirmed or treatment
 * started was not recorded, and nothing is invented (the rules fall back to the diagnosis date and
 * the recorded status, see src/health/treatment-rules.ts). Existing campaigns get the default.
 */
export class MajorDiseaseTreatment1765210000000 implements MigrationInterface {
  name = 'MajorDiseaseTreatment1765210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('conditions', [
      new TableColumn({ name: 'confirmedOn', type: 'date', isNullable: true }),
      new TableColumn({ name: 'hospital', type: 'varchar', length: '128', isNullable: true }),
      new TableColumn({ name: 'treatmentStartedOn', type: 'date', isNullable: true }),
      new TableColumn({ name: 'declineReason', type: 'varchar', length: '500', isNullable: true }),
    ]);
    await q.addColumn('campaigns', new TableColumn({ name: 'treatmentStartDays', type: 'integer', default: 30 }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('campaigns', 'treatmentStartDays');
    for (const column of ['declineReason', 'treatmentStartedOn', 'hospital', 'confirmedOn']) {
      await q.dropColumn('conditions', column);
    }
  }
}
