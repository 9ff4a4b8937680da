import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { Region } from '../regions/region.entity.js';
import type { AuthUser } from './auth-user.js';
import { toUserView, type UserView } from './auth.service.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { loginAccount, LoginThrottleService } from './login-throttle.service.js';
import { hashPassword, PASSWORD_RULES, passwordProblem, randomPassword, verifyPassword } from './passwords.js';
import type { Role } from './roles.js';
import { User } from './user.entity.js';
import { normalizeUsername } from './usernames.js';

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Region) private readonly regions: Repository<Region>,
    private readonly throttle: LoginThrottleService,
  ) {}

  async create(dto: CreateUserDto): Promise<UserView> {
    const username = normalizeUsername(dto.username);
    if (!username) {
      throw new AppError(ErrorCode.Invalid, 'username: 用户名须为 3–32 位字母、数字或 _ . -', 'username');
    }
    if (dto.role !== 'subdistrict_officer' && dto.regionCode) {
      throw new AppError(ErrorCode.Invalid, 'regionCode: 只有街道办事处人员填写所属街道', 'regionCode');
    }
    if (dto.regionCode && !(await this.regions.existsBy({ code: dto.regionCode, level: 'subdistrict' }))) {
      throw new AppError(ErrorCode.Invalid, `regionCode: ${dto.regionCode} 不是已登记的街道`, 'regionCode');
    }
    if (await this.users.existsBy({ username })) {
      throw new AppError(ErrorCode.Duplicate, `username: 用户名 ${username} 已被使用`, 'username');
    }
    const user = await this.users.save(
      this.users.create({
        username,
        passwordHash: await hashPassword(dto.password),
        role: dto.role,
        regionCode: dto.regionCode ?? null,
        displayName: dto.displayName ?? username,
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

  async get(id: number): Promise<UserView> {
    const user = await this.users.findOneBy({ id });
    if (!user) {
      throw new AppError(ErrorCode.NotFound, '用户不存在');
    }
    return toUserView(user);
  }

  /**
   * Changes an account (UpdateUserDto). Disabling or enabling it ends its tokens: a disabled user is
   * refused by the guard at once, and one enabled again signs in afresh. A role or sub-district
   * takes effect on the user's next request (the guard re-reads the user). An admin neither disables
   * nor demotes themselves: so the last active admin stays one (whoever acts is an active admin).
   */
  async update(actor: AuthUser, id: number, dto: UpdateUserDto): Promise<UserView> {
    if (Object.values(dto).every((v) => v === undefined)) {
      throw new AppError(ErrorCode.Invalid, '请至少修改一项：active、role、regionCode 或 displayName');
    }
    const user = await this.users.findOneBy({ id });
    if (!user) {
      throw new AppError(ErrorCode.NotFound, '用户不存在');
    }
    const role = dto.role ?? user.role;
    const active = dto.active ?? user.active;
    if (id === actor.id && !active) {
      throw new AppError(ErrorCode.Invalid, 'active: 不能停用自己的账号', 'active');
    }
    if (id === actor.id && role !== user.role) {
      throw new AppError(ErrorCode.Invalid, 'role: 不能修改自己的角色', 'role');
    }
    const regionCode = await this.regionFor(role, dto.regionCode, user.regionCode);
    const ending = active !== user.active;
    await this.users
      .createQueryBuilder()
      .update(User)
      .set({
        active,
        role,
        regionCode,
        displayName: dto.displayName ?? user.displayName,
        ...(ending ? { tokenVersion: () => 'tokenVersion + 1' } : {}),
      })
      .where('id = :id', { id })
      .execute();
    return toUserView(await this.users.findOneByOrFail({ id }));
  }

  /**
   * 重置密码: a new random password, answered once and stored only as its hash (never logged); the
   * user's tokens end, and their login lock-out is lifted.
   */
  async resetPassword(id: number): Promise<{ user: UserView; password: string }> {
    const password = randomPassword();
    const result = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ passwordHash: await hashPassword(password), tokenVersion: () => 'tokenVersion + 1' })
      .where('id = :id', { id })
      .execute();
    if (!result.affected) {
      throw new AppError(ErrorCode.NotFound, '用户不存在');
    }
    await this.throttle.unlock(loginAccount(id));
    this.logger.log(`password of user ${id} reset by an admin`);
    return { user: toUserView(await this.users.findOneByOrFail({ id })), password };
  }

  /** 解除锁定: lifts the account's login lock-out (from every address) after too many failed logins. */
  async unlock(id: number): Promise<UserView> {
    const user = await this.users.findOneBy({ id });
    if (!user) {
      throw new AppError(ErrorCode.NotFound, '用户不存在');
    }
    await this.throttle.unlock(loginAccount(id));
    return toUserView(user);
  }

  /** The sub-district a user of `role` keeps: an officer's (required, a registered one), nobody else's. */
  private async regionFor(
    role: Role,
    given: string | null | undefined,
    current: string | null,
  ): Promise<string | null> {
    if (role !== 'subdistrict_officer') {
      if (given) {
        throw new AppError(ErrorCode.Invalid, 'regionCode: 只有街道办事处人员填写所属街道', 'regionCode');
      }
      return null;
    }
    const regionCode = given === undefined ? current : given;
    if (!regionCode) {
      throw new AppError(ErrorCode.Invalid, 'regionCode: 街道办事处人员须选择所属街道', 'regionCode');
    }
    if (!(await this.regions.existsBy({ code: regionCode, level: 'subdistrict' }))) {
      throw new AppError(ErrorCode.Invalid, `regionCode: ${regionCode} 不是已登记的街道`, 'regionCode');
    }
    return regionCode;
  }

  /** Which of these active accounts still accept this password (the demo accounts' published one). */
  async acceptingPassword(usernames: readonly string[], password: string): Promise<string[]> {
    const users = await this.users.find({ where: { username: In([...usernames]), active: true } });
    const accepting = await Promise.all(users.map((u) => verifyPassword(password, u.passwordHash)));
    return users.filter((_u, i) => accepting[i]).map((u) => u.username);
  }

  /**
   * On an empty user table, creates `admin` with ADMIN_PASSWORD, or with a random password
   * that is printed once (it is not stored anywhere in clear).
   */
  async ensureAdmin(adminPassword: string | undefined): Promise<void> {
    if ((await this.users.count()) > 0) {
      return;
    }
    const problem = adminPassword === undefined ? null : passwordProblem(adminPassword, 'admin');
    if (problem) {
      throw new Error(`ADMIN_PASSWORD: ${PASSWORD_RULES[problem]}`);
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
