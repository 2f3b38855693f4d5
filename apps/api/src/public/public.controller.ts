import { Body, Controller, Get, Headers, HttpCode, Ip, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Language } from '#domain';
import { PublicChannel, type PublicRequest } from '#public-channel';
import { currentRequest } from '#platform';
import { Public } from '../auth/auth.guard.js';
import { PublicFeedbackDto, PublicFilingDto, TrackQuery } from './public.dto.js';
import { idempotencyKeyOf } from '../http/idempotency-key.js';

/**
 * The resident's channel (API.md): no account, no staff token read or needed. Answers never
 * carry a name, phone, note text or user id; answers holding an access code are not cached.
 */
@ApiTags('public')
@Public()
@Controller('api/v1/public')
export class PublicController {
  constructor(private readonly channel: PublicChannel) {}

  @Get('units')
  @ApiOperation({ summary: 'The communities and grids a resident may file to, with their paths' })
  units() {
    return this.channel.units();
  }

  @Get('kinds')
  @ApiOperation({ summary: 'The kinds of case open to the public' })
  kinds() {
    return this.channel.kinds();
  }

  @Post('cases')
  @ApiOperation({ summary: 'File a case as a resident: answers the case number, a one-time access code and a receipt' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key and body returns the first answer' })
  async file(@Body() body: PublicFilingDto, @Headers('idempotency-key') key: string | undefined, @Ip() clientAddress: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const idempotencyKey = idempotencyKeyOf(key);
    const booking = await this.channel.bookFiling(clientAddress);
    try {
      const answer = await this.channel.file(body, [], { ...this.request(), idempotencyKey, idempotencyBody: body });
      void reply.status(answer.statusCode).header('Cache-Control', 'no-store');
      return answer.body;
    } catch (error) {
      await this.channel.withdraw(booking);
      throw error;
    }
  }

  @Get('cases/:number')
  @ApiOperation({ summary: 'Follow a case with its number and access code (an unknown number and a wrong code are the same 404)' })
  track(@Param('number') number: string, @Query() { code, lang }: TrackQuery, @Headers('accept-language') acceptLanguage: string | undefined, @Ip() clientAddress: string, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('Cache-Control', 'no-store');
    return this.channel.track(number, code, clientAddress, lang ?? languageOf(acceptLanguage));
  }

  @Post('cases/:number/feedback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rate the answer to a resolved case' })
  feedback(@Param('number') number: string, @Body() { code, satisfaction, comment }: PublicFeedbackDto, @Ip() clientAddress: string) {
    return this.channel.feedback(number, code, { satisfaction, comment }, clientAddress, this.request());
  }

  @Get('receipts/:hash')
  @ApiOperation({ summary: 'Check a receipt: the filing with this hash is still in the log as filed, and its stream verifies' })
  receipt(@Param('hash') hash: string) {
    return this.channel.receipt(hash);
  }

  private request(): PublicRequest {
    const request = currentRequest();
    return { correlationId: request?.requestId ?? randomUUID(), clientRequestId: request?.clientRequestId };
  }
}

/** English when the browser prefers it to Chinese, else Chinese. */
export function languageOf(acceptLanguage: string | undefined): Language {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh-CN';
}

