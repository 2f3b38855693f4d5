import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { LoginResult } from '#accounts';
import { AccountDto } from '../users/user.responses.js';

/** `GET /api/v1/me`: the account behind the token, as its stream says now. */
@ApiSchema({ name: 'Me' })
export class MeDto extends AccountDto {
  @ApiProperty({ description: 'the password was reset: this token may only read `/me`, change the password and log out' })
  mustChangePassword!: boolean;
}

/** `POST /api/v1/auth/login`: a bearer token for the other routes. */
@ApiSchema({ name: 'LoginAnswer' })
export class LoginAnswerDto implements LoginResult {
  @ApiProperty({ description: 'send it as `Authorization: Bearer <accessToken>`', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkxYzJhNC01YjZlIn0.c2lnbmF0dXJl' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ type: 'integer', minimum: 1, description: 'seconds until the token expires', example: 28800 })
  expiresIn!: number;

  @ApiProperty({ type: AccountDto, description: 'the account logged in' })
  user!: AccountDto;

  @ApiProperty({ description: 'the password was reset: this token may only change it (`POST /api/v1/me/password`), read `/me` or log out' })
  mustChangePassword!: boolean;
}
