import { Body, Controller, Get, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LoginService, UserStore, type Principal } from '#accounts';
import { Text } from '../http/fields.js';
import { CLOCK, type Now } from '#runtime';
import { CurrentUser, Public } from './auth.guard.js';

export class LoginDto {
  @Text(64, { example: 'hd-dg-1.clerk' })
  username!: string;

  @Text(1024, { example: 'demo12345' })
  password!: string;
}

@ApiTags('accounts')
@Controller('api/v1')
export class AuthController {
  constructor(
    @Inject(LoginService) private readonly login: LoginService,
    @Inject(UserStore) private readonly users: UserStore,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: a bearer token for the other routes' })
  logIn(@Body() { username, password }: LoginDto, @Ip() clientAddress: string) {
    return this.login.login(username, password, this.clock(), clientAddress);
  }

  @Get('me')
  @ApiBearerAuth()
  async me(@CurrentUser() principal: Principal) {
    const user = await this.users.findById(principal.userId);
    return user ?? { id: principal.userId, username: principal.username, displayName: principal.username, roles: principal.roles, unitId: principal.unitId };
  }
}
