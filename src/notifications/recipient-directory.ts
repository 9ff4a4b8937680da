import type { Role } from '../auth/roles.js';
import type { User } from '../auth/user.entity.js';
import type { Department } from '../ledger/item.entity.js';

/**
 * Who is told at each level (SPEC §2): the active users of the item's sub-district, its
 * department's caseworkers, the admins and the leadership, read once per escalation run; and who
 * reviews an item's 销号 (SPEC §6.2).
 */
export class RecipientDirectory {
  private readonly officers = new Map<string, number[]>();
  private readonly byRole = new Map<Role, number[]>();
  private readonly roles = new Map<number, Role>();

  constructor(
    users: Pick<User, 'id' | 'role' | 'regionCode'>[],
    private readonly regionNames: Map<string, string>,
  ) {
    for (const user of users) {
      this.roles.set(user.id, user.role);
      if (user.role === 'subdistrict_officer' && user.regionCode) {
        this.officers.set(user.regionCode, [...(this.officers.get(user.regionCode) ?? []), user.id]);
      } else {
        this.byRole.set(user.role, [...(this.byRole.get(user.role) ?? []), user.id]);
      }
    }
  }

  /**
   * Level 1: officers of the sub-district; 2: + the caseworkers of the responsible department
   * (卫健局 health_caseworker or 医保局 insurance_reconciler); 3: + admins; 4: + viewers. An item
   * whose 销号 waits for review is in its reviewers' hands: from level 1 they are told instead of
   * the sub-district's officers.
   */
  recipients(level: number, regionCode: string, dept: Department, pendingReview = false): number[] {
    const ids = pendingReview ? this.reviewers(dept) : [...(this.officers.get(regionCode) ?? [])];
    if (level >= 2) {
      ids.push(...this.reviewers(dept));
    }
    if (level >= 3) {
      ids.push(...(this.byRole.get('admin') ?? []));
    }
    if (level >= 4) {
      ids.push(...(this.byRole.get('viewer') ?? []));
    }
    return [...new Set(ids)];
  }

  /**
   * Who reviews a close request of the department (SPEC §6.2, item-policy's reviewsDepartment): its
   * caseworkers — 卫健局 health_caseworker or 医保局 insurance_reconciler. Admins may review too, but
   * are not told of every request.
   */
  reviewers(dept: Department): number[] {
    return [...(this.byRole.get(dept === 'insurance' ? 'insurance_reconciler' : 'health_caseworker') ?? [])];
  }

  /** The role of a recipient (how a digest's texts are redacted for them). */
  roleOf(userId: number): Role | undefined {
    return this.roles.get(userId);
  }

  regionName(code: string): string {
    return this.regionNames.get(code) ?? code;
  }
}
