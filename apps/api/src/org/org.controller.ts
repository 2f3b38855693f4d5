import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ORG_TREE, type OrgTree } from '#domain';
import { UnitDto } from './org.responses.js';

@ApiTags('org')
@ApiBearerAuth()
@Controller('api/v1')
export class OrgController {
  constructor(
    @Inject(ORG_TREE) private readonly org: OrgTree,
  ) {}

  @Get('units')
  @ApiOperation({ summary: 'Every unit of the org tree' })
  @ApiOkResponse({ type: [UnitDto], description: 'the units of the whole tree (any user may read it)' })
  units(): UnitDto[] {
    return this.org.units().map(({ id, name, level, parentId }) => ({ id, name, level, parentId }));
  }
}
