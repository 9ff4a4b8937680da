import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Permission, Role } from './roles.js';
import type { User } from './user.entity.js';

/** The caller, as the auth guard found it. */
export interface AuthUser {
  id: number;
  username: string;
  /** The name the ledger and the pages show (the username when none is set). */
  displayName: string;
  role: Role;
  /** Set for a subdistrict_officer: the 12-digit code of their sub-district. */
  regionCode: string | null;
}

/** The caller a user row makes: as the guard finds them, and as the demo loader acts for them. */
export function authUserOf(user: Pick<User, 'id' | 'username' | 'displayName' | 'role' | 'regionCode'>): AuthUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName || user.username,
    role: user.role,
    regionCode: user.regionCode,
  };
}

export type AuthedRequest = Request & { user?: AuthUser };

export const IS_PUBLIC = 'hpa:public';
export const REQUIRED_PERMISSION = 'hpa:permission';

/** The route needs no token (login, health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The route needs this permission (or, given several, one of them); see PERMISSION_HOLDERS for who has it. */
export const Require = (...permissions: [Permission, ...Permission[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permissions);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
  if (!user) {
    throw new Error('CurrentUser used on a public route');
  }
  return user;
});
