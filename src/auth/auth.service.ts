import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { type AuthUser, authUserOf } from './auth-user.js';
import { loginAccount, LoginThrottleService } from './login-throttle.service.js';
import { PasswordGate } from './password-gate.js';
import { DUMMY_HASH } from './passwords.js';
import type { Role } from './roles.js';
import { User } from './user.entity.js';
import { normalizeUsername } from './usernames.js';

interface TokenPayload {
  sub: number;
  role: Role;
  /** The user's tokenVersion when the token was issued; a token without one is from before versions (0). */
  tv?: number;
}

const WRONG_CREDENTIALS = '用户名或密码错误';

const TOKEN_USER_COLUMNS = ['id', 'username', 'displayName', 'role', 'regionCode', 'active', 'tokenVersion'] as const;
/** The user as the token check reads it (`active` is 0/1 from both drivers). */
type TokenUserRow = Pick<User, Exclude<(typeof TOKEN_USER_COLUMNS)[number], 'active'>> & { active: boolean | number };

export interface LoginResult {
  accessToken: string;
  user: UserView;
}

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  regionCode: string | null;
  active: boolean;
}

export function toUserView(user: User): UserView {
  const { id, username, displayName, role, regionCode, active } = user;
  return { id, username, displayName, role, regionCode, active };
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  /** The token check's look-up of its user (tokenUserSql). */
  private readonly tokenUserSql: string;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottleService,
    private readonly gate: PasswordGate,
  ) {
    this.tokenUserSql = tokenUserSql(users);
  }

  /**
   * Checks, in this order, so that nothing costly happens for a caller who is refused: the
   * address's allowance (before any look-up or hash), the username's shape (a name that breaks the
   * rule cannot be anyone's: no look-up), the account's lock (by user id once found), then the
   * password through the gate that bounds concurrent hashing. An unknown user is compared against
   * a dummy hash, so that the answer takes as long as for a known one.
   */
  async login(rawUsername: string, password: string, address: string): Promise<LoginResult> {
    const addressWait = await this.throttle.admitAddress(address);
    if (addressWait > 0) {
      throw AppError.rateLimited(`该地址登录尝试过于频繁，请 ${addressWait} 秒后再试。`, addressWait);
    }
    const username = normalizeUsername(rawUsername);
    if (!username) {
      this.logger.warn(`failed login for ${JSON.stringify(rawUsername)} from ${address} (not a valid username)`);
      throw new AppError(ErrorCode.Unauthenticated, WRONG_CREDENTIALS);
    }
    const user = await this.users.findOneBy({ username });
    const account = user ? loginAccount(user.id) : `name:${username}`;
    const wait = await this.throttle.lockedFor(account, address);
    if (wait > 0) {
      throw AppError.rateLimited(`登录失败次数过多，该账号已暂时锁定，请 ${Math.ceil(wait / 60)} 分钟后再试。`, wait);
    }
    const ok = await this.gate.verify(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || !user.active) {
      await this.throttle.recordFailure(account, address);
      this.logger.warn(`failed login for ${JSON.stringify(rawUsername)} from ${address}`);
      throw new AppError(ErrorCode.Unauthenticated, WRONG_CREDENTIALS);
    }
    await this.throttle.reset(account, address);
    const payload: TokenPayload = { sub: user.id, role: user.role, tv: user.tokenVersion };
    return { accessToken: await this.jwt.signAsync(payload), user: toUserView(user) };
  }

  /** Signs the user out everywhere: every token issued to them so far stops working at once. */
  async revokeTokens(userId: number): Promise<void> {
    await this.users.increment({ id: userId }, 'tokenVersion', 1);
  }

  /** Signs out the holder of a token, if it is still valid (the pages' sign-out, whose session may have expired). */
  async revokeToken(token: string): Promise<void> {
    const user = await this.verifyToken(token);
    if (user) {
      await this.revokeTokens(user.id);
    }
  }

  /**
   * The user behind a token, re-read so that a deactivated user, a changed role or a sign-out
   * (a newer tokenVersion) takes effect at once.
   */
  async verifyToken(token: string): Promise<AuthUser | null> {
    let payload: TokenPayload;
    try {
      payload = await this.jwt.verifyAsync<TokenPayload>(token);
    } catch {
      return null;
    }
    const [user] = await this.users.query<TokenUserRow[]>(this.tokenUserSql, [payload.sub]);
    if (!user || !user.active || (payload.tv ?? 0) !== Number(user.tokenVersion)) {
      return null;
    }
    return authUserOf(user);
  }
}

/**
 * The columns the token check reads, by id: written once from the entity's metadata (the
 * repository's findOneBy composes its query anew on every request, more work than the look-up).
 */
function tokenUserSql(users: Repository<User>): string {
  const { metadata, manager } = users;
  const escape = (name: string) => manager.connection.driver.escape(name);
  const column = (property: string) => escape(metadata.findColumnWithPropertyName(property)!.databaseName);
  const columns = TOKEN_USER_COLUMNS.map((property) => `${column(property)} AS ${escape(property)}`);
  return `SELECT ${columns.join(', ')} FROM ${escape(metadata.tableName)} WHERE ${column('id')} = ?`;
}
