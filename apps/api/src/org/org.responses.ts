import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ORG_LEVELS, type OrgLevel, type OrgUnit } from '#domain';

/** A unit of the org tree (`GET /api/v1/units`). */
@ApiSchema({ name: 'Unit' })
export class UnitDto implements OrgUnit {
  @ApiProperty({ description: 'a stable readable code', example: 'hd-dg-1' }) id!: string;
  @ApiProperty({ example: '东关社区' }) name!: string;
  @ApiProperty({ enum: ORG_LEVELS, description: 'from the top down: city, county, town, community, grid', example: 'community' }) level!: OrgLevel;
  @ApiProperty({ type: String, nullable: true, description: 'the unit above; null for the city at the top', example: 'hd-dg' }) parentId!: string | null;
}
