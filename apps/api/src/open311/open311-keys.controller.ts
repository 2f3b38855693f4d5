import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { Open311Keys } from '#public-channel';
import { CLOCK, type Now } from '#runtime';
import { CurrentUser, Roles } from '../auth/auth.guard.js';
import { Text } from '../http/fields.js';
import { Refuses } from '../openapi/refusals.js';
import { Open311KeyCreatedDto, Open311KeyDto } from './open311.responses.js';

export class CreateOpen311KeyDto {
  @Text(100, { description: 'the client app the key is for', example: '城市服务小程序' })
  name!: string;
}

/** The api_keys Open311 clients file with (API.md): admins make, list and revoke them. */
@ApiTags('open311')
@ApiBearerAuth()
@Roles('admin')
@Refuses({ 403: ['forbidden'] })
@Controller('api/v1/open311/keys')
export class Open311KeysController {
  constructor(
    private readonly keys: Open311Keys,
    @Inject(CLOCK) private readonly now: Now,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Make an api_key for an Open311 client: the key is in this answer only' })
  @ApiCreatedResponse({ type: Open311KeyCreatedDto, description: 'the key, shown this once' })
  async create(@CurrentUser() admin: Principal, @Body() body: CreateOpen311KeyDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Open311KeyCreatedDto> {
    void reply.header('Cache-Control', 'no-store');
    const { id, name, apiKey, createdAt } = await this.keys.create(body.name.trim(), admin.userId, this.now());
    return { id, name, apiKey, createdAt };
  }

  @Get()
  @ApiOperation({ summary: 'The api_keys made, revoked ones too, without the keys themselves' })
  @ApiOkResponse({ type: [Open311KeyDto], description: 'every key made, oldest first' })
  list(): Promise<Open311KeyDto[]> {
    return this.keys.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an api_key: filing with it is refused from now on' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the key’s id' })
  @ApiNoContentResponse({ description: 'revoked' })
  @Refuses({ 404: ['not_found'] })
  async revoke(@Param('id') id: string): Promise<void> {
    await this.keys.revoke(id, this.now());
  }
}
