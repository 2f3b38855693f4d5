import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { CurrentUser } from '../auth/auth.guard.js';
import { OneOf, WholeNumber } from '../http/fields.js';
import { answerWhenCaughtUp, MinPositionQuery } from '../http/read-your-writes.js';
import { InAppBacklog, InAppNotifications } from '#notifications';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const MAX_IDS = 500;

export class ListNotificationsQuery extends MinPositionQuery {
  @OneOf(['true', 'false'], { optional: true, description: 'only unread notifications' })
  unread?: 'true' | 'false';

  @WholeNumber(1, MAX_LIMIT, { optional: true, description: `at most this many (default ${DEFAULT_LIMIT})` })
  @Type(() => Number)
  limit?: number;

  @IsOptional()
  @IsUUID('all', { message: 'must be a notification id' })
  @ApiPropertyOptional({ format: 'uuid', description: 'the last id of the previous page: only older notifications follow' })
  before?: string;
}

export class MarkReadDto {
  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(MAX_IDS, { message: `must have at most ${MAX_IDS} entries` })
  @IsUUID('all', { each: true, message: 'each entry must be a notification id' })
  @ApiPropertyOptional({ type: [String], maxItems: MAX_IDS, description: 'the notifications to mark read; all of mine when left out' })
  ids?: string[];
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: InAppNotifications,
    private readonly inAppBacklog: InAppBacklog,
  ) {}

  @Get()
  @ApiOperation({ summary: 'My in-app notifications, newest first, with the number still unread' })
  async list(@CurrentUser() user: Principal, @Query() query: ListNotificationsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { notifications, inAppBacklog } = this;
    await answerWhenCaughtUp(query.minPosition, response, (position, timeoutMs) => inAppBacklog.waitFor(position, timeoutMs));
    return notifications.page(user.userId, { unreadOnly: query.unread === 'true', limit: query.limit ?? DEFAULT_LIMIT, before: query.before });
  }

  @Post('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark my notifications read: the listed ids, or all when `ids` is left out' })
  async markRead(@CurrentUser() user: Principal, @Body() body: MarkReadDto) {
    // Validation lets an optional field be null; null means "not given", as leaving it out does.
    const updated = await this.notifications.markRead(user.userId, body.ids ?? 'all');
    return { updated };
  }
}
