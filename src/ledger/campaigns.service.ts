import { DEFAULT_TREATMENT_START_DAYS } from '../health/treatment-rules.js';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { Campaign, DEFAULT_THRESHOLDS } from './campaign.entity.js';
import type { CreateCampaignDto, UpdateCampaignDto } from './dto/create-campaign.dto.js';

/** The work year ends with the May deadline (见底清零 by May 31). */
const DEADLINE_MONTH_DAY = '05-31';

@Injectable()
export class CampaignsService {
  constructor(
    @InjectRepository(Campaign) private readonly campaigns: Repository<Campaign>,
    private readonly clock: Clock,
  ) {}

  async create(dto: CreateCampaignDto): Promise<Campaign> {
    const year = dto.year ?? this.defaultYear();
    const thresholds = {
      reminderDays: dto.reminderDays ?? DEFAULT_THRESHOLDS.reminderDays,
      warningDays: dto.warningDays ?? DEFAULT_THRESHOLDS.warningDays,
      supervisedDays: dto.supervisedDays ?? DEFAULT_THRESHOLDS.supervisedDays,
    };
    const treatmentStartDays = dto.treatmentStartDays ?? DEFAULT_TREATMENT_START_DAYS;
    if (thresholds.reminderDays <= thresholds.warningDays) {
      throw new AppError(
        ErrorCode.Invalid,
        `reminderDays (${thresholds.reminderDays}) must be greater than warningDays (${thresholds.warningDays})`,
        'reminderDays',
      );
    }
    return this.campaigns.save(
      this.campaigns.create({
        name: dto.name,
        year,
        deadline: dto.deadline ?? `${year}-${DEADLINE_MONTH_DAY}`,
        ...thresholds,
        treatmentStartDays,
        closeReview: dto.closeReview ?? true,
        evidenceRequired: dto.evidenceRequired ?? true,
      }),
    );
  }

  /** Changes the 销号审核 settings (those given); at least one must be given. */
  async update(id: number, dto: UpdateCampaignDto): Promise<Campaign> {
    const changes = Object.fromEntries(
      (['closeReview', 'evidenceRequired'] as const).filter((k) => dto[k] !== undefined).map((k) => [k, dto[k]]),
    );
    if (Object.keys(changes).length === 0) {
      throw new AppError(ErrorCode.Invalid, 'give closeReview or evidenceRequired', 'closeReview');
    }
    const campaign = await this.get(id);
    await this.campaigns.update({ id: campaign.id }, changes);
    return this.get(id);
  }

  async list(query: PageQuery): Promise<Page<Campaign>> {
    const [items, total] = await this.campaigns.findAndCount({
      order: { year: 'DESC', id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  async get(id: number): Promise<Campaign> {
    const campaign = await this.campaigns.findOneBy({ id });
    if (!campaign) {
      throw AppError.notFound(`campaign ${id}`);
    }
    return campaign;
  }

  /** This year, or the next one once this year's May 31 has passed. */
  private defaultYear(): number {
    const year = this.clock.year();
    return this.clock.today() > `${year}-${DEADLINE_MONTH_DAY}` ? year + 1 : year;
  }
}
