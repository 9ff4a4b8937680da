import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { HasVisibleText } from '../../common/has-visible-text.js';
import { Trim } from '../../common/trim.decorator.js';
import { RISK_OUTCOMES, type RiskOutcome } from '../risk-outcomes.js';

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

  /** 核实结果: required to close a risk_alert item (SPEC §6.6), refused on any other. */
  @IsOptional()
  @IsIn(RISK_OUTCOMES, { message: `outcome must be one of ${RISK_OUTCOMES.join(', ')}` })
  outcome?: RiskOutcome;

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

export const REVIEW_DECISIONS = ['approve', 'reject'] as const;
/** approve 审核通过 (销号), reject 退回. */
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** 销号审核 (SPEC §6.2): the decision on the pending request, for the version the reviewer saw. */
export class ReviewItemDto {
  @IsIn(REVIEW_DECISIONS, { message: 'decision must be approve or reject' })
  decision!: ReviewDecision;

  /** Why it goes back (required to reject: the requester reads it); a remark on an approval. */
  @ValidateIf(
    (dto: ReviewItemDto) =>
      dto.decision === 'reject' || (dto.comment !== undefined && dto.comment !== null && dto.comment !== ''),
  )
  @Trim()
  @IsString()
  @MinLength(2)
  @HasVisibleText(2)
  @MaxLength(2000)
  comment?: string | null;

  @IsInt()
  @Min(1)
  version!: number;
}

/** 批注: a note by anyone who may read the item. */
export class CommentItemDto {
  @Trim()
  @IsString()
  @MinLength(2)
  @HasVisibleText(2)
  @MaxLength(2000)
  note!: string;
}
