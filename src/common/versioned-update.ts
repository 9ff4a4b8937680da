import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AppError, ErrorCode } from './app-error.js';

/**
 * Optimistic concurrency: `UPDATE … SET …, version = version + 1 WHERE id = ? AND version = ?`
 * (TypeORM's save() does not check versions). No row changed means someone else got there first: 409.
 */
export async function updateVersioned<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  id: number,
  version: number,
  changes: QueryDeepPartialEntity<T>,
  what: string,
): Promise<void> {
  const result = await em
    .createQueryBuilder()
    .update(entity)
    .set({ ...changes, version: () => 'version + 1' })
    .where('id = :id AND version = :version', { id, version })
    .execute();
  if (result.affected === 0) {
    throw new AppError(
      ErrorCode.VersionConflict,
      `${what} was changed by someone else (expected version ${version})`,
      'version',
    );
  }
}
