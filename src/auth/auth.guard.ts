import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AuthedRequest, IS_PUBLIC, REQUIRED_PERMISSION } from './auth-user.js';
import { AuthService } from './auth.service.js';
import { hasPermission, type Permission } from './roles.js';
import { sessionTokenOf } from './session-cookie.js';

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(), and the
 * permission named by @Require() when there is one (403 otherwise). The pages' session cookie
 * carries the same token (see sessionTokenOf for where it counts).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const [scheme, bearer] = (request.headers.authorization ?? '').split(' ');
    const token = scheme === 'Bearer' && bearer ? bearer : sessionTokenOf(request);
    if (!token) {
      throw new UnauthorizedException('请先登录（Authorization: Bearer，令牌由 POST /api/auth/login 签发）');
    }
    const user = await this.auth.verifyToken(token);
    if (!user) {
      throw new UnauthorizedException('登录令牌无效、已过期或已注销，请重新登录');
    }
    request.user = user;
    const permissions = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSION, targets);
    if (permissions && !permissions.some((p) => hasPermission(user.role, p))) {
      throw new ForbiddenException(`当前角色（${user.role}）无权执行此操作（${permissions.join('、')}）`);
    }
    return true;
  }
}
