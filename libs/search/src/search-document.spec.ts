import { describe, expect, it } from '@jest/globals';
import { caseSearch, searchDocument, anyWordQuery } from './search-document.js';
import { isTopicTerm, topicTerms } from './segmenter.js';

describe('search words', () => {
  it('indexes the title at weight A and the description at weight B, with positions, and every Han character apart', () => {
    expect(searchDocument('小区停车位纠纷', '停车位不足')).toEqual({
      words: "'小区':1A '停车':2A,7B '车位':3A,8B '停车位':4A,9B '纠纷':5A '不足':10B",
      characters: "'小' '区' '停' '车' '位' '纠' '纷' '不' '足'",
    });
  });

  it('drops punctuation, lower-cases Latin letters and quotes what a literal must', () => {
    expect(searchDocument('【列表】WiFi', "O'Neil：")).toEqual({ words: "'列表':1A 'wifi':2A 'o':4B 'neil':5B", characters: "'列' '表'" });
  });

  it('searches every word of q, falling back to its characters and substrings', () => {
    expect(caseSearch('停车')).toEqual({ words: "'停车'", substring: { column: 'search_characters', query: "'停' & '车'", patterns: ['%停车%'] } });
    // One character is no word to search by: only the substring finds 堆 in 堆放.
    expect(caseSearch('堆')).toEqual({ words: null, substring: { column: 'search_characters', query: "'堆'", patterns: ['%堆%'] } });
    expect(caseSearch('50%_off x')).toMatchObject({ substring: { column: 'search', patterns: ['%50\\%\\_off%', '%x%'] } });
    // Nothing but punctuation: nothing to look for.
    expect(caseSearch('，。')).toEqual({ words: null, substring: null });
  });

  it('looks for similar cases by any distinctive word, the title’s first', () => {
    expect(anyWordQuery('小区里的停车位', '希望尽快解决')).toBe("'小区' | '停车' | '车位' | '停车位'");
    expect(anyWordQuery('的了', '')).toBeNull();
  });
});

describe('topic terms', () => {
  it('keeps whole words, once each, without stop words, single characters or numbers', () => {
    expect(topicTerms('反映小区停车位问题，3号楼停车位被占用了2026年')).toEqual(['小区', '停车位', '号楼', '占用']);
    expect(['安全', '噪音'].every(isTopicTerm)).toBe(true);
    expect(['问题', '水', '2026', '3.5'].some(isTopicTerm)).toBe(false);
  });
});
