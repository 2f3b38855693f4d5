import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ORG_TREE, type OrgTree } from '#domain';

@ApiTags('org')
@ApiBearerAuth()
@Controller('api/v1')
export class OrgController {
  constructor(
    @Inject(ORG_TREE) private readonly org: OrgTree,
  ) {}

  @Get('units')
  units() {
    return this.org.units().map(({ id, name, level, parentId }) => ({ id, name, level, parentId }));
  }
}
