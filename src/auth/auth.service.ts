import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { type AuthUser, authUserOf } from './auth-user.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import type { Role } from './roles.js';
import { User } from './user.entity.js';

interface TokenPayload {
  sub: number;
  role: Role;
}

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

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottleService,
  ) {}

  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const wait = await this.throttle.lockedFor(username, address);
    if (wait > 0) {
      throw new AppError(ErrorCode.RateLimited, `too many failed logins; try again in ${wait} seconds`);
    }
    const user = await this.users.findOneBy({ username: username.toLowerCase() });
    // Compare even for an unknown user so that timing does not tell which usernames exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || !user.active) {
      await this.throttle.recordFailure(username, address);
      this.logger.warn(`failed login for "${username}" from ${address}`);
      throw new AppError(ErrorCode.Unauthenticated, 'wrong username or password');
    }
    await this.throttle.reset(username, address);
    const payload: TokenPayload = { sub: user.id, role: user.role };
    return { accessToken: await this.jwt.signAsync(payload), user: toUserView(user) };
  }

  /** The user behind a token, re-read so that a deactivated user or changed role takes effect at once. */
  async verifyToken(token: string): Promise<AuthUser | null> {
    let payload: TokenPayload;
    try {
      payload = await this.jwt.verifyAsync<TokenPayload>(token);
    } catch {
      return null;
    }
    const user = await this.users.findOneBy({ id: payload.sub });
    if (!user || !user.active) {
      return null;
    }
    return authUserOf(user);
  }
}
