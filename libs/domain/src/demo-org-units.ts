import type { OrgUnit } from './org-tree.js';

/** The org tree embedded mode seeds (API.md, "Demo data"). */
export const DEMO_ORG_UNITS: readonly OrgUnit[] = [
  { id: 'sf', name: '示范市', level: 'city', parentId: null },
  { id: 'hd', name: '河东区', level: 'county', parentId: 'sf' },
  { id: 'hd-dg', name: '东关街道', level: 'town', parentId: 'hd' },
  { id: 'hd-dg-1', name: '东关社区', level: 'community', parentId: 'hd-dg' },
  { id: 'hd-dg-1-g1', name: '东关社区第一网格', level: 'grid', parentId: 'hd-dg-1' },
  { id: 'hd-dg-1-g2', name: '东关社区第二网格', level: 'grid', parentId: 'hd-dg-1' },
  { id: 'hd-ll', name: '柳林镇', level: 'town', parentId: 'hd' },
  { id: 'hd-ll-1', name: '柳林村', level: 'community', parentId: 'hd-ll' },
  { id: 'hx', name: '河西区', level: 'county', parentId: 'sf' },
  { id: 'hx-xh', name: '西湖街道', level: 'town', parentId: 'hx' },
  { id: 'hx-xh-1', name: '湖滨社区', level: 'community', parentId: 'hx-xh' },
  { id: 'hx-xh-1-g1', name: '湖滨社区第一网格', level: 'grid', parentId: 'hx-xh-1' },
  { id: 'hx-ty', name: '桃园镇', level: 'town', parentId: 'hx' },
  { id: 'hx-ty-1', name: '桃园村', level: 'community', parentId: 'hx-ty' },
];
