import { describe, expect, it } from '@jest/globals';
import { DEMO_ORG_UNITS } from './demo-org-units.js';
import { InvalidError, NotFoundError } from './errors.js';
import { OrgTree, type OrgUnit } from './org-tree.js';
import { thrownBy } from './testing/scenario.js';

const tree = new OrgTree(DEMO_ORG_UNITS);
const ids = (units: readonly OrgUnit[]) => units.map((unit) => unit.id);

describe('OrgTree', () => {
  describe('built from the demo units', () => {
    it('has the city as its root and knows every unit', () => {
      expect(tree.root.id).toBe('sf');
      expect(tree.units()).toHaveLength(DEMO_ORG_UNITS.length);
      expect(tree.get('hd-dg-1')).toEqual({ id: 'hd-dg-1', name: '东关社区', level: 'community', parentId: 'hd-dg' });
      expect(tree.get('hd-dg-1-g2').name).toBe('东关社区第二网格');
      expect(tree.has('hx-ty-1')).toBe(true);
      expect(tree.has('nowhere')).toBe(false);
    });

    it('throws not_found for an unknown unit', () => {
      expect(() => tree.get('nowhere')).toThrow(NotFoundError);
      expect(() => tree.parentOf('nowhere')).toThrow(NotFoundError);
      expect(() => tree.isWithin('hd', 'nowhere')).toThrow(NotFoundError);
      expect(() => tree.isWithin('nowhere', 'hd')).toThrow(NotFoundError);
    });

    it('names parents and ancestors, nearest first', () => {
      expect(tree.parentOf('sf')).toBeNull();
      expect(tree.parentOf('hd-dg-1')?.id).toBe('hd-dg');
      expect(ids(tree.ancestors('hd-dg-1-g1'))).toEqual(['hd-dg-1', 'hd-dg', 'hd', 'sf']);
      expect(tree.ancestors('sf')).toEqual([]);
    });

    it.each([
      ['hd-dg-1-g1', 'hd', true],
      ['hd', 'hd', true],
      ['hx-xh-1', 'sf', true],
      ['hd', 'hd-dg', false],
      ['hx-xh-1', 'hd', false],
      ['hd-ll-1', 'hd-dg', false],
    ])('isWithin(%s, %s) is %s', (unitId, rootId, expected) => {
      expect(tree.isWithin(unitId, rootId)).toBe(expected);
    });

    it.each([
      ['hd', 'hx', true],
      ['hd-dg', 'hd-ll', true],
      ['hd-dg-1-g1', 'hd-dg-1-g2', true],
      ['hd-dg', 'hd-dg', false],
      ['hd-dg', 'hx-xh', false],
      ['hd-dg', 'hd-ll-1', false],
      ['sf', 'hd', false],
    ])('areSiblings(%s, %s) is %s', (a, b, expected) => {
      expect(tree.areSiblings(a, b)).toBe(expected);
    });

    it('lists siblings: same level, same parent, not the unit itself', () => {
      expect(ids(tree.siblingsOf('hd-dg'))).toEqual(['hd-ll']);
      expect(tree.siblingsOf('hd-dg-1')).toEqual([]);
      expect(tree.siblingsOf('sf')).toEqual([]);
    });

    it('lists a subtree, parents before children', () => {
      expect(tree.subtreeIds('hd-dg')).toEqual(['hd-dg', 'hd-dg-1', 'hd-dg-1-g1', 'hd-dg-1-g2']);
      expect(tree.subtreeIds('hx-ty-1')).toEqual(['hx-ty-1']);
      expect(tree.subtreeIds('sf')).toHaveLength(DEMO_ORG_UNITS.length);
    });
  });

  it('keeps only siblings at the same level when a parent has children at several levels', () => {
    const mixed = new OrgTree([
      { id: 'c', name: '市', level: 'city', parentId: null },
      { id: 't1', name: '镇一', level: 'town', parentId: 'c' },
      { id: 't2', name: '镇二', level: 'town', parentId: 'c' },
      { id: 'k1', name: '区一', level: 'county', parentId: 'c' },
    ]);
    expect(ids(mixed.siblingsOf('t1'))).toEqual(['t2']);
    expect(mixed.siblingsOf('k1')).toEqual([]);
  });

  describe('rejects a malformed tree, naming the unit at fault', () => {
    const city: OrgUnit = { id: 'sf', name: '示范市', level: 'city', parentId: null };
    const county: OrgUnit = { id: 'hd', name: '河东区', level: 'county', parentId: 'sf' };

    it.each<[string, OrgUnit[], string, RegExp]>([
      ['no units', [], 'parentId', /no root/],
      ['a duplicate id', [city, county, { ...county, name: '另一个' }], 'id', /hd is used by more than one unit/],
      ['an unknown level', [city, { ...county, level: 'province' as OrgUnit['level'] }], 'level', /hd has an unknown level "province"/],
      ['a missing parent', [city, { ...county, parentId: 'nowhere' }], 'parentId', /hd names parent nowhere/],
      ['two roots', [city, { ...county, parentId: null }], 'parentId', /more than one root unit: sf, hd/],
      [
        'a cycle',
        [city, { id: 'a', name: 'A', level: 'town', parentId: 'b' }, { id: 'b', name: 'B', level: 'town', parentId: 'a' }],
        'parentId',
        /a → b → a form a cycle/,
      ],
      ['a unit above its parent', [city, { ...county, level: 'city' }], 'level', /hd \(city\) cannot sit under sf \(city\)/],
      [
        'a community over a town',
        [city, county, { id: 'x', name: 'X', level: 'community', parentId: 'hd' }, { id: 'y', name: 'Y', level: 'town', parentId: 'x' }],
        'level',
        /y \(town\) cannot sit under x \(community\)/,
      ],
    ])('%s', (_case, units, field, message) => {
      const error = thrownBy(() => new OrgTree(units));
      expect(error).toBeInstanceOf(InvalidError);
      expect(error).toMatchObject({ code: 'invalid', field, message: expect.stringMatching(message) });
    });
  });
});
