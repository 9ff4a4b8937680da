import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';

/** The multipart form of POST /api/items/batch beside its `file`: the campaign the findings are filed under. */
export class FindingsBatchDto {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  campaignId!: number;
}
