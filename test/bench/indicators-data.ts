import { DEMO_REGIONS } from './roster-data.js';

/** SQL that differs between SQLite and MySQL/MariaDB, for the generator and the baseline queries. */
export interface Dialect {
  type: 'sqlite' | 'mysql';
  /** Integer division of non-negative integers. */
  div(a: string, b: string): string;
  /** The date `days` (an integer expression) after `date` (a column or a quoted YYYY-MM-DD). */
  addDays(date: string, days: string): string;
  /** Whole days from `from` to `to`. */
  daysBetween(from: string, to: string): string;
  /** `n` as text, zero-padded to `width` digits. */
  padded(n: string, width: number): string;
  concat(...parts: string[]): string;
}

export function dialectOf(type: 'sqlite' | 'mysql'): Dialect {
  return type === 'mysql'
    ? {
        type,
        div: (a, b) => `(${a}) DIV (${b})`,
        addDays: (date, days) => `DATE_ADD(${date}, INTERVAL (${days}) DAY)`,
        daysBetween: (from, to) => `DATEDIFF(${to}, ${from})`,
        padded: (n, width) => `LPAD(${n}, ${width}, '0')`,
        concat: (...parts) => `CONCAT(${parts.join(', ')})`,
      }
    : {
        type,
        div: (a, b) => `((${a}) / (${b}))`,
        addDays: (date, days) => `date(${date}, '+' || (${days}) || ' days')`,
        daysBetween: (from, to) => `CAST(julianday(${to}) - julianday(${from}) AS INTEGER)`,
        padded: (n, width) => `printf('%0${width}d', ${n})`,
        concat: (...parts) => `(${parts.join(' || ')})`,
      };
}

/** Runs one statement (no answer wanted) on the raw connection of the database being filled. */
export type Exec = (sql: string) => Promise<unknown>;

/** The major diseases of the catalogue, in a fixed order (person n with a major disease has MAJOR[(n / 100) % 15]). */
const MAJOR = [
  'child_all',
  'esrd',
  'mdr_tb',
  'esophageal_cancer',
  'gastric_cancer',
  'colorectal_cancer',
  'lung_cancer',
  'breast_cancer',
  'cervical_cancer',
  'liver_cancer',
  'hemophilia',
  'cleft_lip',
  'child_vsd',
  'child_asd',
  'child_apl',
];

/**
 * Households of one block of ten (30 persons): sizes 1, 2, 2, 3, 3, 3, 3, 4, 4, 5. Entry i is the
 * household (0–9) of the block's i-th person and that person's relation to its head.
 */
const BLOCK: [household: number, relation: string][] = [1, 2, 2, 3, 3, 3, 3, 4, 4, 5].flatMap((size, household) =>
  Array.from({ length: size }, (_, i): [number, string] => [
    household,
    i === 0 ? 'head' : i === 1 ? 'spouse' : i === 4 ? 'parent' : 'child',
  ]),
);

/**
 * 1000 buckets, each a village: a household h lies in the village of bucket h % 1000. Sub-districts get
 * their share of the demo district's households (110 : 95 : 80 : 65 : 49), and within a sub-district the
 * villages get uneven shares (weights 3, 1, 2, 1, 4, 2, …), as real villages differ in size.
 */
function villageBuckets(): string[] {
  const weights = [110, 95, 80, 65, 49];
  const subdistricts = DEMO_REGIONS.filter((r) => r.level === 'subdistrict');
  const total = weights.reduce((a, b) => a + b, 0);
  const buckets: string[] = [];
  subdistricts.forEach((s, i) => {
    const villages = DEMO_REGIONS.filter((r) => r.level === 'village' && r.parentCode === s.code);
    const share = i === subdistricts.length - 1 ? 1000 - buckets.length : Math.round((1000 * weights[i]) / total);
    const vw = villages.map((_, k) => [3, 1, 2, 1, 4, 2][k % 6]);
    const vTotal = vw.reduce((a, b) => a + b, 0);
    let given = 0;
    villages.forEach((v, k) => {
      const n = k === villages.length - 1 ? share - given : Math.round((share * vw[k]) / vTotal);
      for (let j = 0; j < n; j++) {
        buckets.push(v.code);
      }
      given += n;
    });
  });
  return buckets;
}

/**
 * Fills a freshly migrated database with the demo district's regions and a district of `persons` registered persons, set-based: a
 * numbers table is built from a table of digits by cross joins, and every other table is one or a
 * few INSERT … SELECT over it, each row's values a function of its number (no row travels from
 * Node). The spread, per 100 persons unless said otherwise:
 * - households of 1–5 (three on average) in the demo district's 23 villages, unevenly; 1 % removed,
 *   10 % still poor, registered 2014–2020; persons 0.5 % deceased, 0.2 % moved away;
 * - insurance 2020 for 98 (97.5 % of them enrolled, 80 % subsidized), 2019 for every other person;
 * - hypertension 18 (diagnosed 2012 – mid 2021), type-2 diabetes 10, severe mental disorder 0.2,
 *   tuberculosis 0.1, three non-priority chronic diseases 9, a major disease 2 (confirmation date
 *   missing for a fifth, as on rows from before issue #18; treated, in treatment with and without a
 *   start day, waiting, declined, deceased);
 * - a family-doctor contract for 88 % of priority patients, signed 2019-07 – 2020-06 for a year, a
 *   third of them with an earlier contract too; 0–5 follow-ups each (some after the day measured,
 *   4 % unreachable, 3 % away, 1 % refused) with blood pressure and glucose readings by disease, four
 *   older follow-ups without result or reading on each earlier contract; a `died` follow-up ending the
 *   contract of each deceased patient (some after the day measured).
 */
export async function generateDistrict(exec: Exec, d: Dialect, persons: number): Promise<void> {
  const households = Math.ceil(persons / 30) * 10;
  await exec(
    `INSERT INTO regions (code, name, level, parentCode) VALUES ${DEMO_REGIONS.map(
      (r) => `('${r.code}', '${r.name}', '${r.level}', ${r.parentCode ? `'${r.parentCode}'` : 'NULL'})`,
    ).join(', ')}`,
  );
  const digits = Math.max(1, Math.ceil(Math.log10(Math.max(persons, households))));
  await exec('CREATE TABLE bench_digits (d INTEGER NOT NULL)');
  await exec(`INSERT INTO bench_digits (d) VALUES ${[...'0123456789'].map((x) => `(${x})`).join(', ')}`);
  await exec('CREATE TABLE bench_seq (n INTEGER NOT NULL PRIMARY KEY)');
  const terms = Array.from({ length: digits }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ');
  const from = Array.from({ length: digits }, (_, i) => `bench_digits d${i}`).join(', ');
  await exec(`INSERT INTO bench_seq (n) SELECT ${terms} FROM ${from}`);
  await exec('CREATE TABLE bench_village (bucket INTEGER NOT NULL PRIMARY KEY, code VARCHAR(12) NOT NULL)');
  await exec(
    `INSERT INTO bench_village (bucket, code) VALUES ${villageBuckets()
      .map((code, i) => `(${i}, '${code}')`)
      .join(', ')}`,
  );
  await exec(
    'CREATE TABLE bench_block (slot INTEGER NOT NULL PRIMARY KEY, household INTEGER NOT NULL, relation VARCHAR(16) NOT NULL)',
  );
  await exec(
    `INSERT INTO bench_block (slot, household, relation) VALUES ${BLOCK.map(([h, r], i) => `(${i}, ${h}, '${r}')`).join(', ')}`,
  );
  await exec('CREATE TABLE bench_major (k INTEGER NOT NULL PRIMARY KEY, code VARCHAR(32) NOT NULL)');
  await exec(`INSERT INTO bench_major (k, code) VALUES ${MAJOR.map((code, k) => `(${k}, '${code}')`).join(', ')}`);

  const registeredYear = `CASE WHEN s.n % 20 < 8 THEN 2014 WHEN s.n % 20 < 11 THEN 2015 WHEN s.n % 20 < 14 THEN 2016
    WHEN s.n % 20 < 16 THEN 2017 WHEN s.n % 20 < 18 THEN 2018 WHEN s.n % 20 < 19 THEN 2019 ELSE 2020 END`;
  await exec(`INSERT INTO households (id, registryNo, regionCode, povertyCause, registeredYear, status)
    SELECT s.n + 1, ${d.concat(`'BH'`, d.padded('s.n', 9))}, v.code,
      CASE WHEN s.n % 10 < 6 THEN 'illness' WHEN s.n % 10 < 8 THEN 'disability' WHEN s.n % 10 < 9 THEN 'labour' ELSE 'other' END,
      ${registeredYear},
      CASE WHEN s.n % 100 = 3 THEN 'removed' WHEN s.n % 10 = 0 THEN 'poor' ELSE 'lifted' END
    FROM bench_seq s INNER JOIN bench_village v ON v.bucket = s.n % 1000 WHERE s.n < ${households}`);

  // Person n: the (n % 30)-th member of block n / 30.
  await exec(`INSERT INTO persons (id, householdId, idNumber, name, sex, birthDate, relation, status)
    SELECT s.n + 1, ${d.div('s.n', '30')} * 10 + b.household + 1, ${d.concat(`'61019919'`, d.padded('s.n', 10))},
      ${d.concat(`'基准'`, 'CAST(s.n AS CHAR)')}, CASE WHEN s.n % 2 = 0 THEN 'male' ELSE 'female' END,
      ${d.addDays(`'1935-01-01'`, 's.n % 29000')}, b.relation,
      CASE WHEN s.n % 200 = 7 THEN 'deceased' WHEN s.n % 500 = 11 THEN 'moved' ELSE 'active' END
    FROM bench_seq s INNER JOIN bench_block b ON b.slot = s.n % 30 WHERE s.n < ${persons}`);

  await exec(`INSERT INTO insurance_enrollments (personId, year, scheme, enrolled, subsidized)
    SELECT s.n + 1, 2020, '城乡居民基本医疗保险', CASE WHEN s.n % 40 = 5 THEN 0 ELSE 1 END,
      CASE WHEN s.n % 40 <> 5 AND s.n % 10 < 8 THEN 1 ELSE 0 END
    FROM bench_seq s WHERE s.n < ${persons} AND s.n % 50 <> 1`);
  await exec(`INSERT INTO insurance_enrollments (personId, year, scheme, enrolled, subsidized)
    SELECT s.n + 1, 2019, '城乡居民基本医疗保险', 1, CASE WHEN s.n % 10 < 7 THEN 1 ELSE 0 END
    FROM bench_seq s WHERE s.n < ${persons} AND s.n % 2 = 0`);

  // Chronic conditions, each a rule on n (so that contracts and readings can follow the same rules).
  const chronic: [code: string, rule: string, priority: boolean][] = [
    ['hypertension', 's.n % 100 < 18', true],
    ['diabetes_t2', '(s.n % 100 BETWEEN 12 AND 19 OR s.n % 100 IN (50, 51))', true],
    ['severe_mental', 's.n % 500 = 77', true],
    ['pulmonary_tb', 's.n % 1000 = 123', true],
    ['coronary', 's.n % 100 BETWEEN 60 AND 63', false],
    ['stroke', 's.n % 100 IN (64, 65)', false],
    ['copd', 's.n % 100 BETWEEN 66 AND 68', false],
  ];
  for (const [code, rule] of chronic) {
    await exec(`INSERT INTO conditions (personId, diseaseCode, diagnosedOn, treatmentCategory, treatmentStatus)
      SELECT s.n + 1, '${code}', ${d.addDays(`'2012-01-01'`, '(s.n * 37) % 3450')}, 'contracted', 'in_treatment'
      FROM bench_seq s WHERE s.n < ${persons} AND ${rule}`);
  }
  // Major diseases: 2 %; t = (n / 100) % 20 picks the state of treatment.
  const t = `(${d.div('s.n', '100')} % 20)`;
  const diagnosed = d.addDays(`'2016-01-01'`, '(s.n * 13) % 1700');
  const confirmed = d.addDays(diagnosed, 's.n % 25');
  await exec(`INSERT INTO conditions (personId, diseaseCode, diagnosedOn, treatmentCategory, treatmentStatus,
      confirmedOn, hospital, treatmentStartedOn, declineReason)
    SELECT s.n + 1, m.code, ${diagnosed}, 'concentrated',
      CASE WHEN ${t} <= 10 THEN 'treated' WHEN ${t} <= 15 THEN 'in_treatment' WHEN ${t} <= 17 THEN 'untreated'
        WHEN ${t} = 18 THEN 'declined' ELSE 'deceased' END,
      CASE WHEN s.n % 5 = 0 THEN NULL ELSE ${confirmed} END,
      CASE WHEN s.n % 5 = 0 THEN NULL ELSE '区人民医院' END,
      CASE WHEN s.n % 5 = 0 OR ${t} = 15 OR ${t} >= 16 THEN NULL ELSE ${d.addDays(confirmed, 's.n % 45')} END,
      CASE WHEN ${t} = 18 THEN '家属放弃' ELSE NULL END
    FROM bench_seq s INNER JOIN bench_major m ON m.k = ${d.div('s.n', '100')} % 15
    WHERE s.n < ${persons} AND s.n % 100 IN (90, 91)`);

  // Contracts: 88 % of priority patients; a third of those also had an earlier one (2018-07 – 2019-06).
  const priority = chronic
    .filter(([, , p]) => p)
    .map(([, rule]) => rule)
    .join(' OR ');
  const signed = d.addDays(`'2019-07-01'`, '(s.n * 11) % 366');
  const deathDay = d.addDays(signed, '(s.n * 3) % 300');
  await exec(`INSERT INTO contracts (personId, institution, doctorName, signedOn, validUntil, endedOn, requiredFollowUps)
    SELECT s.n + 1, '基准卫生院', '王医生', ${signed}, ${d.addDays(signed, '365')},
      CASE WHEN s.n % 200 = 7 THEN ${deathDay} ELSE NULL END,
      CASE WHEN s.n % 1000 = 123 THEN 6 ELSE 4 END
    FROM bench_seq s WHERE s.n < ${persons} AND (${priority}) AND (s.n * 7) % 100 < 88`);
  await exec(`INSERT INTO contracts (personId, institution, doctorName, signedOn, validUntil, endedOn, requiredFollowUps)
    SELECT s.n + 1, '基准卫生院', '王医生', ${d.addDays(`'2018-07-01'`, '(s.n * 11) % 366')},
      ${d.addDays(d.addDays(`'2018-07-01'`, '(s.n * 11) % 366'), '365')}, NULL, 4
    FROM bench_seq s WHERE s.n < ${persons} AND (${priority}) AND (s.n * 7) % 100 < 88 AND s.n % 3 = 0`);
  for (const [code, rule] of chronic.filter(([, , p]) => p)) {
    await exec(`INSERT INTO contract_diseases (contractId, diseaseCode)
      SELECT c.id, '${code}' FROM contracts c INNER JOIN bench_seq s ON s.n = c.personId - 1 WHERE ${rule}`);
  }

  // Follow-ups of the current contracts: c.id % 6 of them, about every 85 days from signing.
  const hasBp = 's.n % 100 < 18';
  const hasGlucose = '(s.n % 100 BETWEEN 12 AND 19 OR s.n % 100 IN (50, 51))';
  const r = '((c.id + j.d * 7) % 100)';
  const visited = `${r} >= 8`;
  const visitedOn = d.addDays('c.signedOn', '20 + j.d * 85 + (c.id * (j.d + 1)) % 15');
  await exec(`INSERT INTO follow_ups (contractId, visitedOn, kind, result, systolic, diastolic, fastingGlucose)
    SELECT c.id, ${visitedOn},
      CASE WHEN j.d % 3 = 0 THEN 'clinic' WHEN j.d % 3 = 1 THEN 'home' ELSE 'phone' END,
      CASE WHEN ${r} < 4 THEN 'unreachable' WHEN ${r} < 7 THEN 'away' WHEN ${r} < 8 THEN 'refused' ELSE 'visited' END,
      CASE WHEN ${visited} AND ${hasBp} THEN 110 + (c.id * 7 + j.d * 13) % 60 ELSE NULL END,
      CASE WHEN ${visited} AND ${hasBp} THEN 65 + (c.id * 3 + j.d * 11) % 35 ELSE NULL END,
      CASE WHEN ${visited} AND ${hasGlucose} THEN 4.5 + ((c.id * 5 + j.d * 3) % 50) / 10.0 ELSE NULL END
    FROM contracts c INNER JOIN bench_seq s ON s.n = c.personId - 1
      INNER JOIN bench_digits j ON j.d < c.id % 6
    WHERE c.signedOn >= '2019-07-01' AND ${visitedOn} < COALESCE(c.endedOn, c.validUntil)`);
  await exec(`INSERT INTO follow_ups (contractId, visitedOn, kind, result)
    SELECT c.id, ${d.addDays('c.signedOn', '30 + j.d * 90')}, 'home', NULL
    FROM contracts c INNER JOIN bench_digits j ON j.d < 4 WHERE c.signedOn < '2019-07-01'`);
  await exec(`INSERT INTO follow_ups (contractId, visitedOn, kind, result)
    SELECT c.id, c.endedOn, 'home', 'died' FROM contracts c WHERE c.endedOn IS NOT NULL`);

  for (const table of ['bench_major', 'bench_block', 'bench_village', 'bench_seq', 'bench_digits']) {
    await exec(`DROP TABLE ${table}`);
  }
}
