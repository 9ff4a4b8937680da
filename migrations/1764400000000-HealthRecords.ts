import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

const id = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment' as const,
};
const createdAt = { name: 'createdAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' };
const personFk = {
  columnNames: ['personId'],
  referencedTableName: 'persons',
  referencedColumnNames: ['id'],
  onDelete: 'RESTRICT',
};

/**
 * The disease catalogue (病种目录). Follow-ups per year follow the national basic public-health
 * service: hypertension, type-2 diabetes and severe mental disorders at least 4 face-to-face a year.
 */
const DISEASES: [code: string, name: string, kind: 'chronic' | 'major', followUps: number | null, priority: boolean][] =
  [
    ['hypertension', '高血压', 'chronic', 4, true],
    ['diabetes_t2', '2型糖尿病', 'chronic', 4, true],
    ['pulmonary_tb', '肺结核', 'chronic', 6, true],
    ['severe_mental', '严重精神障碍', 'chronic', 4, true],
    ['coronary', '冠心病', 'chronic', 2, false],
    ['stroke', '脑卒中后遗症', 'chronic', 2, false],
    ['copd', '慢性阻塞性肺疾病', 'chronic', 2, false],
    ['rheumatoid', '类风湿性关节炎', 'chronic', 2, false],
    ['hepatitis_b', '慢性乙型肝炎', 'chronic', 2, false],
    ['child_all', '儿童急性淋巴细胞白血病', 'major', null, false],
    ['child_apl', '儿童急性早幼粒细胞白血病', 'major', null, false],
    ['child_asd', '儿童先天性房间隔缺损', 'major', null, false],
    ['child_vsd', '儿童先天性室间隔缺损', 'major', null, false],
    ['esrd', '终末期肾病', 'major', null, false],
    ['mdr_tb', '耐多药肺结核', 'major', null, false],
    ['esophageal_cancer', '食管癌', 'major', null, false],
    ['gastric_cancer', '胃癌', 'major', null, false],
    ['colorectal_cancer', '结直肠癌', 'major', null, false],
    ['lung_cancer', '肺癌', 'major', null, false],
    ['breast_cancer', '乳腺癌', 'major', null, false],
    ['cervical_cancer', '宫颈癌', 'major', null, false],
    ['liver_cancer', '肝癌', 'major', null, false],
    ['hemophilia', '血友病', 'major', null, false],
    ['cleft_lip', '唇腭裂', 'major', null, false],
  ];

/** Conditions, family-doctor contracts with follow-ups, insurance enrollment, and the disease catalogue (issue #3). */
export class HealthRecords1764400000000 implements MigrationInterface {
  name = 'HealthRecords1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'diseases',
        columns: [
          { name: 'code', type: 'varchar', length: '32', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'followUpsPerYear', type: 'int', isNullable: true },
          { name: 'contractPriority', type: 'boolean', default: false },
        ],
      }),
    );
    await q.manager
      .createQueryBuilder()
      .insert()
      .into('diseases', ['code', 'name', 'kind', 'followUpsPerYear', 'contractPriority'])
      .values(
        DISEASES.map(([code, name, kind, followUpsPerYear, contractPriority]) => ({
          code,
          name,
          kind,
          followUpsPerYear,
          contractPriority,
        })),
      )
      .execute();

    await q.createTable(
      new Table({
        name: 'conditions',
        columns: [
          id,
          { name: 'personId', type: 'int' },
          { name: 'diseaseCode', type: 'varchar', length: '32' },
          { name: 'diagnosedOn', type: 'date' },
          { name: 'treatmentCategory', type: 'varchar', length: '16' },
          { name: 'treatmentStatus', type: 'varchar', length: '16' },
          { name: 'version', type: 'int', default: 1 },
          createdAt,
          { name: 'updatedAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
        ],
        indices: [
          { name: 'UQ_conditions_person_disease', columnNames: ['personId', 'diseaseCode'], isUnique: true },
          { name: 'IDX_conditions_disease', columnNames: ['diseaseCode', 'treatmentStatus'] },
        ],
        foreignKeys: [
          { name: 'FK_conditions_person', ...personFk },
          {
            name: 'FK_conditions_disease',
            columnNames: ['diseaseCode'],
            referencedTableName: 'diseases',
            referencedColumnNames: ['code'],
          },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'contracts',
        columns: [
          id,
          { name: 'personId', type: 'int' },
          { name: 'institution', type: 'varchar', length: '128' },
          { name: 'doctorName', type: 'varchar', length: '64' },
          { name: 'signedOn', type: 'date' },
          { name: 'validUntil', type: 'date' },
          { name: 'requiredFollowUps', type: 'int' },
          createdAt,
        ],
        indices: [
          { name: 'IDX_contracts_person', columnNames: ['personId'] },
          { name: 'IDX_contracts_validUntil', columnNames: ['validUntil'] },
        ],
        foreignKeys: [{ name: 'FK_contracts_person', ...personFk }],
      }),
    );

    await q.createTable(
      new Table({
        name: 'contract_diseases',
        columns: [
          { name: 'contractId', type: 'int', isPrimary: true },
          { name: 'diseaseCode', type: 'varchar', length: '32', isPrimary: true },
        ],
        foreignKeys: [
          {
            name: 'FK_contract_diseases_contract',
            columnNames: ['contractId'],
            referencedTableName: 'contracts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            name: 'FK_contract_diseases_disease',
            columnNames: ['diseaseCode'],
            referencedTableName: 'diseases',
            referencedColumnNames: ['code'],
          },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'follow_ups',
        columns: [
          id,
          { name: 'contractId', type: 'int' },
          { name: 'visitedOn', type: 'date' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'notes', type: 'varchar', length: '500', isNullable: true },
          createdAt,
        ],
        indices: [{ name: 'IDX_follow_ups_contract_visited', columnNames: ['contractId', 'visitedOn'] }],
        foreignKeys: [
          {
            name: 'FK_follow_ups_contract',
            columnNames: ['contractId'],
            referencedTableName: 'contracts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'insurance_enrollments',
        columns: [
          id,
          { name: 'personId', type: 'int' },
          { name: 'year', type: 'int' },
          { name: 'scheme', type: 'varchar', length: '64' },
          { name: 'enrolled', type: 'boolean' },
          { name: 'subsidized', type: 'boolean' },
          { name: 'updatedAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
        ],
        indices: [
          { name: 'UQ_insurance_person_year', columnNames: ['personId', 'year'], isUnique: true },
          { name: 'IDX_insurance_year_enrolled', columnNames: ['year', 'enrolled'] },
        ],
        foreignKeys: [{ name: 'FK_insurance_person', ...personFk }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'insurance_enrollments',
      'follow_ups',
      'contract_diseases',
      'contracts',
      'conditions',
      'diseases',
    ]) {
      await q.dropTable(table);
    }
  }
}
