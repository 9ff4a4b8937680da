import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListNotificationsQuery extends PageQuery {
  /** true: only unread notices; false: only read ones; absent: all. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}
