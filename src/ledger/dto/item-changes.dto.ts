import { IntersectionType, PickType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import { Trim } from '../../common/trim.decorator.js';
import { CreateItemDto } from './create-item.dto.js';

/** What every manager's change of an item carries: an optional note, and the version the manager saw. */
class ItemChangeDto {
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @IsInt()
  @Min(1)
  version!: number;
}

/** Hands the item to another sub-district and/or department (the fields as an item is filed with them). */
export class ReassignItemDto extends IntersectionType(
  PickType(CreateItemDto, ['regionCode', 'responsibleDept'] as const),
  ItemChangeDto,
) {}

export class ChangeDeadlineDto extends ItemChangeDto {
  @IsCalendarDate()
  deadline!: string;
}
