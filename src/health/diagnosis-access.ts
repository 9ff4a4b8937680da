import { hasPermission, Permission, type Role } from '../auth/roles.js';
import type { Disease } from './disease.entity.js';

/**
 * What of a person's diagnoses a role may read (SPEC §1, issue #12): `all` for the roles that treat
 * them (they keep the health records: admins, health caseworkers); `non_sensitive` for the other
 * roles that read health records (insurance staff, sub-district officers), who see a sensitive
 * diagnosis (the catalogue's `sensitive` flag) as 敏感病种; `none` for the leadership.
 */
export type DiagnosisAccess = 'all' | 'non_sensitive' | 'none';

export function diagnosisAccess(role: Role): DiagnosisAccess {
  if (!hasPermission(role, Permission.HealthRead)) {
    return 'none';
  }
  return hasPermission(role, Permission.HealthWrite) ? 'all' : 'non_sensitive';
}

/**
 * 敏感病种: the catalogue's diseases (by code) shown only to the roles that treat them — severe
 * mental disorders (严重精神障碍, whose records the Mental Health Law keeps confidential) and
 * chronic hepatitis B (慢性乙型肝炎, whose carriers the law protects from disclosure at work and
 * school). The one list; everything that shows a diagnosis asks isSensitive.
 */
export const SENSITIVE_DISEASES: ReadonlySet<string> = new Set(['severe_mental', 'hepatitis_b']);

export const isSensitive = (code: string): boolean => SENSITIVE_DISEASES.has(code);

/** How a sensitive diagnosis reads for a role that does not treat it. */
export const SENSITIVE_DISEASE = { code: 'sensitive', name: '敏感病种' } as const;

/** A disease as a role may see it: itself, or 敏感病种 (code `sensitive`) when it is sensitive and the role does not treat it. */
export function shownDisease(
  disease: Pick<Disease, 'code' | 'name'>,
  access: DiagnosisAccess,
): { code: string; name: string } {
  return isSensitive(disease.code) && access !== 'all' ? SENSITIVE_DISEASE : { code: disease.code, name: disease.name };
}
