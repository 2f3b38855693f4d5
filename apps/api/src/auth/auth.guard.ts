import { applyDecorators, type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, SetMetadata, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { LoginService, type Principal } from '#accounts';
import { hasRole, type Role } from '#domain';
import { currentRequest } from '#platform';
import { CLOCK, type Now } from '#runtime';

const PUBLIC = 'minyi:public';
const ROLES = 'minyi:roles';
const BEFORE_PASSWORD_CHANGE = 'minyi:before-password-change';

/** Marks a route that needs no token (login, health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);

/** OpenAPI: the extension that marks such a route, so the document lists no 403 `password_change_required` for it. */
export const BEFORE_PASSWORD_CHANGE_EXTENSION = 'x-allowed-before-password-change';

/** Marks a route a token issued after a password reset may call: reading oneself, changing the password, logging out. */
export const AllowedBeforePasswordChange = () =>
  applyDecorators(SetMetadata(BEFORE_PASSWORD_CHANGE, true), ApiExtension(BEFORE_PASSWORD_CHANGE_EXTENSION, true));

/**
 * Marks a route (or every route of a controller) as open to these roles only: anyone else gets
 * 403. Rules that depend on the case or the unit stay with the domain; this is for whole routes.
 */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES, roles);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal; bearerToken?: string };

/** Every route needs `Authorization: Bearer <token>` unless marked @Public(), and one of its @Roles() if it names any. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(LoginService) private readonly login: LoginService,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new UnauthorizedException(header ? 'the Authorization header must be "Bearer <token>"' : 'no token: log in and send "Authorization: Bearer <token>"');
    const beforePasswordChange = this.reflector.getAllAndOverride<boolean>(BEFORE_PASSWORD_CHANGE, [context.getHandler(), context.getClass()]) === true;
    const principal = this.login.authorize(match[1]!, this.clock(), beforePasswordChange);
    request.bearerToken = match[1]!;
    request.principal = principal;
    const requestLog = currentRequest();
    if (requestLog) {
      requestLog.userId = principal.userId;
      requestLog.username = principal.username;
    }
    const roles = this.reflector.getAllAndOverride<readonly Role[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (roles && !roles.some((role) => hasRole(principal, role))) {
      throw new ForbiddenException({ message: `only ${roles.map(withArticle).join(' or ')} may do this`, code: 'forbidden' });
    }
    return true;
  }
}

/** The bearer token of the request (to log it out). */
export const CurrentToken = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const token = context.switchToHttp().getRequest<AuthenticatedRequest>().bearerToken;
  if (!token) throw new UnauthorizedException('not authenticated');
  return token;
});

/** The authenticated user of the request. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException('not authenticated');
  return principal;
});

function withArticle(role: Role): string {
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}
