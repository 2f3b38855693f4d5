import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { LoginService, type Principal } from '#accounts';
import { currentRequest } from '#platform';
import { CLOCK, type Clock } from '../platform/tokens.js';

const PUBLIC = 'minyi:public';

/** Marks a route that needs no token (login, health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Every route needs `Authorization: Bearer <token>` unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(LoginService) private readonly login: LoginService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new UnauthorizedException(header ? 'the Authorization header must be "Bearer <token>"' : 'no token: log in and send "Authorization: Bearer <token>"');
    const principal = this.login.authenticate(match[1]!, this.clock());
    request.principal = principal;
    const requestLog = currentRequest();
    if (requestLog) {
      requestLog.userId = principal.userId;
      requestLog.username = principal.username;
    }
    return true;
  }
}

/** The authenticated user of the request. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException('not authenticated');
  return principal;
});
