import { Body, Controller, Get, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountCommands, AccountNotFoundError, LoginLimits, LoginService, WrongCurrentPasswordError, publicAccount, readAccount, type Principal } from '#accounts';
import { EVENT_STORE, type EventStore } from '#event-store';
import { Text } from '../http/fields.js';
import { CLOCK, type Now } from '#runtime';
import { AllowedBeforePasswordChange, CurrentToken, CurrentUser, Public } from './auth.guard.js';
import { accountCommandContext } from '../users/users.controller.js';
import { Refuses } from '../openapi/refusals.js';
import { LoginAnswerDto, MeDto } from './auth.responses.js';

export class LoginDto {
  @Text(64, { example: 'hd-dg-1.clerk' })
  username!: string;

  @Text(1024, { example: 'demo12345' })
  password!: string;
}

export class ChangePasswordDto {
  @Text(1024)
  currentPassword!: string;

  @Text(1024, { description: '8-128 characters, not the username, not the demo password' })
  newPassword!: string;
}

/** Where logging in is (the early refusal of throttled logins in http-app.ts listens there too). */
export const LOGIN_PATH = '/api/v1/auth/login';

@ApiTags('accounts')
@Controller('api/v1')
export class AuthController {
  constructor(
    @Inject(LoginService) private readonly login: LoginService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AccountCommands) private readonly commands: AccountCommands,
    @Inject(LoginLimits) private readonly limits: LoginLimits,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: a bearer token for the other routes' })
  @ApiOkResponse({ type: LoginAnswerDto, description: 'the token, its lifetime and the account' })
  @Refuses(
    { 401: ['invalid_credentials'], 429: ['login_throttled'] },
    {
      401: 'a wrong username or password, or a disabled account: the same answer, to tell nothing',
      429: 'too many failed logins for this username, this address or the pair (checked before the password): wait for `Retry-After` seconds',
    },
  )
  logIn(@Body() { username, password }: LoginDto, @Ip() clientAddress: string): Promise<LoginAnswerDto> {
    return this.login.login(username, password, this.clock(), clientAddress);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @AllowedBeforePasswordChange()
  @ApiOperation({ summary: 'End this token’s session' })
  @ApiNoContentResponse({ description: 'the token is refused from now on' })
  async logOut(@CurrentToken() token: string): Promise<void> {
    await this.login.logout(token, this.clock());
  }

  @Get('me')
  @ApiBearerAuth()
  @AllowedBeforePasswordChange()
  @ApiOperation({ summary: 'The account behind the token, as it is now' })
  @ApiOkResponse({ type: MeDto, description: 'the account, read from its own stream' })
  @Refuses({ 404: ['not_found'] })
  async me(@CurrentUser() principal: Principal): Promise<MeDto> {
    // From the account's own stream, not the read model: what is true now, on every process.
    const { state } = await readAccount(this.store, principal.userId);
    if (!state.exists) throw new AccountNotFoundError(principal.userId);
    return { ...publicAccount(state), mustChangePassword: principal.mustChangePassword };
  }

  @Post('me/password')
  @HttpCode(204)
  @ApiBearerAuth()
  @AllowedBeforePasswordChange()
  @ApiOperation({ summary: 'Change one’s own password (every session of the account ends: log in again)' })
  @ApiNoContentResponse({ description: 'changed: log in again with the new password' })
  @Refuses(
    { 400: ['invalid_user'], 409: ['revision_conflict'], 429: ['login_throttled'] },
    {
      400: 'a new password that breaks the rules, or a wrong current one: `details` names the field',
      409: 'the account kept changing while the change was retried',
      429: 'too many failed logins (a wrong current password counts as one): wait for `Retry-After` seconds',
    },
  )
  async changePassword(@CurrentUser() principal: Principal, @Body() body: ChangePasswordDto, @Ip() clientAddress: string): Promise<void> {
    // Guessing the current password with a stolen token counts against the login limits too.
    const booking = await this.limits.book(principal.username, clientAddress, this.clock().getTime());
    try {
      await this.commands.changePassword(principal, body, accountCommandContext());
    } catch (error) {
      if (!(error instanceof WrongCurrentPasswordError)) await this.limits.withdraw(booking);
      throw error;
    }
    await this.limits.withdraw(booking);
  }
}
