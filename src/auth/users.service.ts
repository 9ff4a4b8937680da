import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { Region } from '../regions/region.entity.js';
import { toUserView, type UserView } from './auth.service.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import { hashPassword, randomPassword } from './passwords.js';
import { User } from './user.entity.js';

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Region) private readonly regions: Repository<Region>,
  ) {}

  async create(dto: CreateUserDto): Promise<UserView> {
    if (dto.role !== 'subdistrict_officer' && dto.regionCode) {
      throw new AppError(ErrorCode.Invalid, 'regionCode is only for a subdistrict_officer', 'regionCode');
    }
    if (dto.regionCode && !(await this.regions.existsBy({ code: dto.regionCode, level: 'subdistrict' }))) {
      throw new AppError(ErrorCode.Invalid, `regionCode ${dto.regionCode} is not a known sub-district`, 'regionCode');
    }
    if (await this.users.existsBy({ username: dto.username })) {
      throw new AppError(ErrorCode.Duplicate, `username ${dto.username} is taken`, 'username');
    }
    const user = await this.users.save(
      this.users.create({
        username: dto.username,
        passwordHash: await hashPassword(dto.password),
        role: dto.role,
        regionCode: dto.regionCode ?? null,
        displayName: dto.displayName ?? dto.username,
      }),
    );
    return toUserView(user);
  }

  async list(query: PageQuery): Promise<Page<UserView>> {
    const [rows, total] = await this.users.findAndCount({
      order: { username: 'ASC' },
      skip: query.offset,
      take: query.pageSize,
    });
    return { items: rows.map(toUserView), total, page: query.page, pageSize: query.pageSize };
  }

  /**
   * On an empty user table, creates `admin` with ADMIN_PASSWORD, or with a random password
   * that is printed once (it is not stored anywhere in clear).
   */
  async ensureAdmin(adminPassword: string | undefined): Promise<void> {
    if ((await this.users.count()) > 0) {
      return;
    }
    const password = adminPassword ?? randomPassword();
    await this.users.save(
      this.users.create({
        username: 'admin',
        passwordHash: await hashPassword(password),
        role: 'admin',
        displayName: '系统管理员',
      }),
    );
    if (adminPassword) {
      this.logger.log('created the admin user with the password from ADMIN_PASSWORD');
    } else {
      this.logger.warn(`created the admin user; its password, shown only this once: ${password}`);
    }
  }
}
