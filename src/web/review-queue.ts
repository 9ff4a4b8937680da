import type { Role } from '../auth/roles.js';
import { ListItemsQuery } from '../ledger/dto/list-items.dto.js';
import { reviewedDepartments } from '../ledger/item-policy.js';
import { readQuery } from './page-query.js';

/**
 * The 待审核 working list's query (SPEC §6.2): items pending review of the departments the role
 * reviews (an admin's: all), the oldest request first — what `GET /api/items?status=pending_review
 * &responsibleDept=…&sort=requested` answers. `raw`: the page's paging parameters.
 */
export function reviewQueueQuery(role: Role, raw: Record<string, unknown> = {}): ListItemsQuery {
  const query = readQuery(ListItemsQuery, { page: raw.page, pageSize: raw.pageSize });
  const departments = reviewedDepartments(role);
  query.status = 'pending_review';
  query.sort = 'requested';
  query.responsibleDept = departments.length === 1 ? departments[0] : undefined;
  return query;
}
