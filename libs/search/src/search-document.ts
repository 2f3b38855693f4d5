import { distinctiveSearchWords, hanCharacters, searchWords } from './segmenter.js';

/** PostgreSQL keeps word positions up to this; later ones are stored as it. */
const MAX_POSITION = 16_383;

/**
 * What a case's search columns hold, as `tsvector` literals (cast with `::tsvector`; configuration
 * `simple` applies no stemming, and building the literal here keeps PostgreSQL's parser, which
 * drops Han characters under the C locale, out of the way):
 * - `words`: the title's search words at weight A, the description's at weight B, with positions;
 * - `characters`: every Han character of either, so that a query jieba does not segment as the
 *   case was segmented (one character, or a rare split) is still found by substring.
 */
export interface SearchDocument {
  readonly words: string;
  readonly characters: string;
}

export function searchDocument(title: string, description: string): SearchDocument {
  const positions = new Map<string, string[]>();
  let position = 0;
  const add = (text: string, weight: 'A' | 'B') => {
    for (const word of searchWords(text)) {
      position = Math.min(position + 1, MAX_POSITION);
      const list = positions.get(word);
      if (list) list.push(`${position}${weight}`);
      else positions.set(word, [`${position}${weight}`]);
    }
  };
  add(title, 'A');
  // A gap, so that the title's last word and the description's first are not read as a phrase.
  position = Math.min(position + 1, MAX_POSITION);
  add(description, 'B');
  return {
    words: [...positions].map(([word, at]) => `${lexeme(word)}:${at.join(',')}`).join(' '),
    characters: hanCharacters(`${title}${description}`).map(lexeme).join(' '),
  };
}

/**
 * How `q` searches the case list:
 * - `words`: every search word of `q` (a `tsquery` literal), matched against `search` and ranked;
 *   null when `q` has no word of two or more characters (one Han character is not a word to
 *   jieba: 水 would miss 水管 and 停水), or nothing to search at all;
 * - `substring`: the fallback when `words` is null or finds nothing: cases holding every Han
 *   character of `q` (index `search_characters`; for a `q` without Han characters, its words as
 *   prefixes against `search`), then each space-separated part of `q` checked as a substring of
 *   the title or description (`patterns`, ILIKE patterns).
 */
export interface CaseSearch {
  readonly words: string | null;
  readonly substring: { readonly column: 'search' | 'search_characters'; readonly query: string; readonly patterns: readonly string[] } | null;
}

export function caseSearch(q: string): CaseSearch {
  const words = [...new Set(searchWords(q))];
  const characters = hanCharacters(q);
  const wordQuery = words.some((word) => [...word].length > 1) ? words.map(lexeme).join(' & ') : null;
  const patterns = q.split(/\s+/).filter((part) => part !== '').map((part) => `%${escapeLike(part)}%`);
  if (characters.length > 0) return { words: wordQuery, substring: { column: 'search_characters', query: characters.map(lexeme).join(' & '), patterns } };
  if (words.length > 0) return { words: wordQuery, substring: { column: 'search', query: words.map((word) => `${lexeme(word)}:*`).join(' & '), patterns } };
  return { words: null, substring: null };
}

/**
 * The words a similarity search looks for, as a `tsquery` literal matching any of them (null when
 * the text has none): the distinctive search words of the title first, then the description's,
 * at most `max` in all.
 */
export function anyWordQuery(title: string, description: string, max = 32): string | null {
  const words = [...new Set([...distinctiveSearchWords(title), ...distinctiveSearchWords(description)])].slice(0, max);
  return words.length > 0 ? words.map(lexeme).join(' | ') : null;
}

/** A lexeme quoted for a tsvector or tsquery literal. */
function lexeme(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
