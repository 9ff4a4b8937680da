import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { CreateRegionDto } from './dto/create-region.dto.js';
import { isCodeOfLevel, isWithin, PARENT_LEVEL } from './region-codes.js';
import { Region } from './region.entity.js';

export interface RegionNode extends Region {
  children: RegionNode[];
}

@Injectable()
export class RegionsService {
  constructor(@InjectRepository(Region) private readonly regions: Repository<Region>) {}

  async tree(): Promise<RegionNode[]> {
    const rows = await this.regions.find({ order: { code: 'ASC' } });
    const nodes = new Map(rows.map((r) => [r.code, { ...r, children: [] as RegionNode[] }]));
    const roots: RegionNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.parentCode ? nodes.get(node.parentCode) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  findByCode(code: string): Promise<Region | null> {
    return this.regions.findOneBy({ code });
  }

  async create(dto: CreateRegionDto): Promise<Region> {
    if (!isCodeOfLevel(dto.code, dto.level)) {
      throw new AppError(ErrorCode.Invalid, `code ${dto.code} is not the code of a ${dto.level}`, 'code');
    }
    const parentLevel = PARENT_LEVEL[dto.level];
    if (parentLevel) {
      const parent = dto.parentCode ? await this.regions.findOneBy({ code: dto.parentCode }) : null;
      if (!parent || parent.level !== parentLevel || !isWithin(dto.code, parent.code)) {
        throw new AppError(
          ErrorCode.Invalid,
          `parentCode must be the ${parentLevel} that contains ${dto.code}`,
          'parentCode',
        );
      }
    } else if (dto.parentCode) {
      throw new AppError(ErrorCode.Invalid, 'a district has no parentCode', 'parentCode');
    }
    if (await this.regions.existsBy({ code: dto.code })) {
      throw new AppError(ErrorCode.Duplicate, `region ${dto.code} exists already`, 'code');
    }
    return this.regions.save(this.regions.create({ ...dto, parentCode: dto.parentCode ?? null }));
  }
}
