import type { Unit } from './api/types.js';

/** The org tree as the console uses it: names, and who lies under whom. */
export class Units {
  private readonly byId: Map<string, Unit>;

  constructor(readonly all: readonly Unit[]) {
    this.byId = new Map(all.map((unit) => [unit.id, unit]));
  }

  get(id: string | null | undefined): Unit | undefined {
    return id ? this.byId.get(id) : undefined;
  }

  name(id: string | null | undefined): string {
    return (id && this.byId.get(id)?.name) || id || '';
  }

  /** The unit and every unit below it, in tree order. */
  subtree(rootId: string): Unit[] {
    const root = this.byId.get(rootId);
    if (!root) return [];
    const children = (id: string): Unit[] =>
      this.all.filter((unit) => unit.parentId === id).flatMap((unit) => [unit, ...children(unit.id)]);
    return [root, ...children(root.id)];
  }

  /** Other units with the same parent: where a case may be transferred. */
  siblings(id: string): Unit[] {
    const unit = this.byId.get(id);
    return unit ? this.all.filter((other) => other.parentId === unit.parentId && other.id !== unit.id && other.level === unit.level) : [];
  }
}
