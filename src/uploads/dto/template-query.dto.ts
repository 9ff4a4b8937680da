import { IsIn, IsOptional } from 'class-validator';

export class TemplateQuery {
  @IsOptional()
  @IsIn(['csv', 'xlsx'])
  format: 'csv' | 'xlsx' = 'csv';
}
