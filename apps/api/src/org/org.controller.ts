import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '#domain';
import { Text } from '../http/fields.js';
import type { Engine } from '#platform';
import { ENGINE } from '../platform/tokens.js';
import { Roles } from '../auth/auth.guard.js';

export class CreateUserDto {
  @Text(64, { example: 'hd-ll-1.clerk' })
  username!: string;

  @Text(100, { example: '柳林村信息员' })
  displayName!: string;

  @Text(1024, { description: 'at least 8 characters' })
  password!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray({ message: 'must be a list of roles' })
  @ArrayMinSize(1, { message: 'must name at least one role' })
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES as unknown as string[], { each: true, message: `each must be one of: ${ROLES.join(', ')}` })
  roles!: Role[];

  @Text(64, { example: 'hd-ll-1' })
  unitId!: string;
}

@ApiTags('org')
@ApiBearerAuth()
@Controller('api/v1')
export class OrgController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Get('units')
  units() {
    return this.engine.org.units().map(({ id, name, level, parentId }) => ({ id, name, level, parentId }));
  }

  @Get('users')
  @Roles('admin')
  users() {
    return this.engine.users.list();
  }

  @Post('users')
  @Roles('admin')
  createUser(@Body() body: CreateUserDto) {
    return this.engine.users.create(body);
  }
}
