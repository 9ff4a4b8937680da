import { IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { HasVisibleText } from '../../common/has-visible-text.js';
import { Trim } from '../../common/trim.decorator.js';

/** start: when a version is given, it must be the item's. */
export class StartItemDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class ProgressItemDto {
  @Trim()
  @IsString()
  @MinLength(2)
  @HasVisibleText(2)
  @MaxLength(2000)
  note!: string;
}

/** 销号: what was done, for the version the officer saw. */
export class CloseItemDto {
  @Trim()
  @IsString()
  @MinLength(4)
  @HasVisibleText(4)
  @MaxLength(2000)
  resolution!: string;

  @IsInt()
  @Min(1)
  version!: number;
}

export class ReopenItemDto {
  @Trim()
  @IsString()
  @MinLength(2)
  @HasVisibleText(2)
  @MaxLength(2000)
  reason!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}
