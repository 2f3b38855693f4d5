import { InvalidError, NotFoundError } from './errors.js';

/** From the top of the network down; a unit always sits at a lower level than its parent. */
export const ORG_LEVELS = ['city', 'county', 'town', 'community', 'grid'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

export interface OrgUnit {
  /** A stable readable code, e.g. `hd-dg-1`. */
  readonly id: string;
  readonly name: string;
  readonly level: OrgLevel;
  readonly parentId: string | null;
}

/** How messages name a unit: `东关社区 (hd-dg-1)`. */
export function unitLabel(unit: OrgUnit): string {
  return `${unit.name} (${unit.id})`;
}

/**
 * The org tree of the network, validated on construction: unique ids, known levels, parents
 * that exist, no cycles, a single root, and every unit at a lower level than its parent.
 */
export class OrgTree {
  readonly root: OrgUnit;
  private readonly unitsById: ReadonlyMap<string, OrgUnit>;
  private readonly childrenById: ReadonlyMap<string, readonly OrgUnit[]>;

  constructor(units: readonly OrgUnit[]) {
    this.unitsById = indexById(units);
    for (const unit of units) checkLevel(unit);
    for (const unit of units) checkParent(unit, this.unitsById);
    for (const unit of units) checkNoCycle(unit, this.unitsById);
    this.root = singleRoot(units);
    for (const unit of units) checkBelowParent(unit, this.unitsById);
    this.childrenById = groupChildren(units);
  }

  /** The unit with this id; throws NotFoundError for an unknown id. */
  get(id: string): OrgUnit {
    const unit = this.unitsById.get(id);
    if (!unit) throw new NotFoundError('unit', id);
    return unit;
  }

  has(id: string): boolean {
    return this.unitsById.has(id);
  }

  /** Every unit, in the order the tree was built from. */
  units(): OrgUnit[] {
    return [...this.unitsById.values()];
  }

  /** The parent, or null for the root. */
  parentOf(id: string): OrgUnit | null {
    const { parentId } = this.get(id);
    return parentId === null ? null : this.get(parentId);
  }

  /** The units above, nearest first, ending with the root. */
  ancestors(id: string): OrgUnit[] {
    const found: OrgUnit[] = [];
    for (let parent = this.parentOf(id); parent; parent = this.parentOf(parent.id)) found.push(parent);
    return found;
  }

  /** Whether `unitId` lies in the subtree of `rootId`, the root itself included. */
  isWithin(unitId: string, rootId: string): boolean {
    this.get(rootId);
    return unitId === rootId || this.ancestors(unitId).some((unit) => unit.id === rootId);
  }

  /** The other units at the same level under the same parent. */
  siblingsOf(id: string): OrgUnit[] {
    const unit = this.get(id);
    if (unit.parentId === null) return [];
    return this.children(unit.parentId).filter((other) => other.id !== id && other.level === unit.level);
  }

  areSiblings(a: string, b: string): boolean {
    return this.siblingsOf(a).some((unit) => unit.id === b);
  }

  /** The ids of `rootId` and every unit below it, parents before their children. */
  subtreeIds(rootId: string): string[] {
    this.get(rootId);
    return [rootId, ...this.children(rootId).flatMap((child) => this.subtreeIds(child.id))];
  }

  private children(id: string): readonly OrgUnit[] {
    return this.childrenById.get(id) ?? [];
  }
}

function indexById(units: readonly OrgUnit[]): Map<string, OrgUnit> {
  const byId = new Map<string, OrgUnit>();
  for (const unit of units) {
    if (byId.has(unit.id)) throw new InvalidError('id', `unit id ${unit.id} is used by more than one unit`);
    byId.set(unit.id, unit);
  }
  return byId;
}

function checkLevel(unit: OrgUnit): void {
  if (!ORG_LEVELS.includes(unit.level)) {
    throw new InvalidError('level', `unit ${unit.id} has an unknown level "${unit.level}"; levels are ${ORG_LEVELS.join(', ')}`);
  }
}

function checkParent(unit: OrgUnit, byId: ReadonlyMap<string, OrgUnit>): void {
  if (unit.parentId !== null && !byId.has(unit.parentId)) {
    throw new InvalidError('parentId', `unit ${unit.id} names parent ${unit.parentId}, which is not in the tree`);
  }
}

function checkNoCycle(unit: OrgUnit, byId: ReadonlyMap<string, OrgUnit>): void {
  const path = [unit.id];
  for (let parentId = unit.parentId; parentId !== null; parentId = byId.get(parentId)!.parentId) {
    if (path.includes(parentId)) {
      throw new InvalidError('parentId', `units ${[...path, parentId].join(' → ')} form a cycle`);
    }
    path.push(parentId);
  }
}

function singleRoot(units: readonly OrgUnit[]): OrgUnit {
  const roots = units.filter((unit) => unit.parentId === null);
  if (roots.length === 0) throw new InvalidError('parentId', 'the org tree has no root unit');
  if (roots.length > 1) {
    throw new InvalidError('parentId', `the org tree has more than one root unit: ${roots.map((unit) => unit.id).join(', ')}`);
  }
  return roots[0];
}

function checkBelowParent(unit: OrgUnit, byId: ReadonlyMap<string, OrgUnit>): void {
  if (unit.parentId === null) return;
  const parent = byId.get(unit.parentId)!;
  if (ORG_LEVELS.indexOf(unit.level) <= ORG_LEVELS.indexOf(parent.level)) {
    throw new InvalidError(
      'level',
      `unit ${unit.id} (${unit.level}) cannot sit under ${parent.id} (${parent.level}): a unit must be at a lower level than its parent`,
    );
  }
}

function groupChildren(units: readonly OrgUnit[]): Map<string, OrgUnit[]> {
  const children = new Map<string, OrgUnit[]>();
  for (const unit of units) {
    if (unit.parentId === null) continue;
    children.set(unit.parentId, [...(children.get(unit.parentId) ?? []), unit]);
  }
  return children;
}
