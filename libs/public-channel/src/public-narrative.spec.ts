import { describe, expect, it } from '@jest/globals';
import { publicStep, type PublicUnit } from './public-narrative.js';

const unit = (): PublicUnit => ({ name: '东关社区', level: 'community' });

describe('the public narrative of an adoption', () => {
  const adoption = { level: 'city', kind: 'annotated', body: '请王局长牵头办理', note: '内部备注', bulletinId: null };

  it('tells the resident the level and the kind, never what staff wrote', () => {
    const zh = publicStep('zh-CN', 'SuggestionAdopted', adoption, unit);
    const en = publicStep('en', 'SuggestionAdopted', adoption, unit);
    expect(zh).toBe('您反映的意见获市级批示');
    expect(en).toBe('A city leader gave instructions on your opinion');
    for (const text of [zh, en]) expect(text).not.toMatch(/王局长|内部备注/);
  });

  it('says an adoption above the org tree by its level', () => {
    expect(publicStep('zh-CN', 'SuggestionAdopted', { ...adoption, kind: 'adopted', level: 'province' }, unit)).toBe('您反映的意见获省级采用');
    expect(publicStep('en', 'SuggestionAdopted', { ...adoption, kind: 'adopted', level: 'national' }, unit)).toBe('Your opinion was adopted at national level');
  });
});
