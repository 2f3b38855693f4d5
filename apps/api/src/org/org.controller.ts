import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { ORG_TREE, ROLES, type OrgTree, type Role } from '#domain';
import { UserStore } from '#accounts';
import { Text } from '../http/fields.js';
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
  constructor(
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(UserStore) private readonly accounts: UserStore,
  ) {}

  @Get('units')
  units() {
    return this.org.units().map(({ id, name, level, parentId }) => ({ id, name, level, parentId }));
  }

  @Get('users')
  @Roles('admin')
  users() {
    return this.accounts.list();
  }

  @Post('users')
  @Roles('admin')
  createUser(@Body() body: CreateUserDto) {
    return this.accounts.create(body);
  }
}
