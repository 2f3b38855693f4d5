import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#accounts';
import { hasRole } from '#domain';
import type { Engine } from '#platform';
import { CLOCK, ENGINE, type Clock } from '../platform/tokens.js';
import { CurrentUser } from '../auth/auth.guard.js';
import { presentCase } from '#cases';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/inbox')
export class InboxController {
  constructor(
    @Inject(ENGINE) private readonly engine: Engine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Open cases waiting on my unit, assigned to me, or (leaders) awaiting my annotation' })
  async inbox(@CurrentUser() user: Principal) {
    const { org, queries } = this.engine;
    const works = hasRole(user, 'clerk') || hasRole(user, 'coordinator');
    const items = await queries.inbox({
      userId: user.userId,
      unitIds: works ? [user.unitId] : [],
      annotationUnitIds: hasRole(user, 'leader') ? org.subtreeIds(user.unitId) : [],
      now: this.clock(),
    });
    return { items: items.map((item) => presentCase(item, user, org)), total: items.length };
  }
}
