import type { DataSource } from 'typeorm';

/**
 * The set-based statement of a risk run (SPEC §6.6), for the driver at hand. The year's settlements
 * up to `asOf` are summed per ID number (the index year, idNumber, settledOn, burdenFen covers it);
 * the sums reaching the lower of the two thresholds are matched with the register (a person of a
 * household that is not removed is 建档立卡), and each that reaches its own threshold becomes an
 * alert — unless the person has that year's alert of that kind already: `INSERT IGNORE` / `INSERT OR
 * IGNORE` on the unique (idNumber, year, kind), so re-runs and two runs at once add nothing twice.
 *
 * Parameters, in order: year, year, otherThreshold, registeredThreshold, asOf, year, asOf, the lower
 * threshold, otherThreshold, registeredThreshold.
 */
export function alertInsertSql(db: DataSource): string {
  const mysql = db.options.type === 'mysql';
  const subdistrict = mysql ? "CONCAT(SUBSTR(h.regionCode, 1, 9), '000')" : "SUBSTR(h.regionCode, 1, 9) || '000'";
  return `${mysql ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO risk_alerts
  (year, kind, idNumber, name, personId, householdId, regionCode, burdenFen, thresholdFen, settlements, asOf)
SELECT ?, CASE WHEN r.personId IS NULL THEN 'other' ELSE 'registered' END, a.idNumber,
  COALESCE((SELECT MIN(s2.name) FROM settlements s2 WHERE s2.year = ? AND s2.idNumber = a.idNumber), ''),
  r.personId, r.householdId, r.regionCode, a.burden,
  CASE WHEN r.personId IS NULL THEN ? ELSE ? END, a.n, ?
FROM (
  SELECT idNumber, SUM(burdenFen) AS burden, COUNT(*) AS n FROM settlements
  WHERE year = ? AND settledOn <= ?
  GROUP BY idNumber HAVING SUM(burdenFen) >= ?
) a
LEFT JOIN (
  SELECT p.idNumber, p.id AS personId, p.householdId, ${subdistrict} AS regionCode
  FROM persons p JOIN households h ON h.id = p.householdId AND h.status <> 'removed'
) r ON r.idNumber = a.idNumber
WHERE a.burden >= CASE WHEN r.personId IS NULL THEN ? ELSE ? END`;
}
