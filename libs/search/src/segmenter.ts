import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isStopWord } from './stop-words.js';

/** The part of @node-rs/jieba this module uses. */
interface Segmenter {
  cut(text: string, hmm: boolean): string[];
  cutForSearch(text: string, hmm: boolean): string[];
}

let segmenter: Segmenter | undefined;

/**
 * Jieba with its bundled dictionary, loaded on first use and kept for the life of the process:
 * loading costs about 50 MB and 180 ms, so only processes that segment text pay for it.
 */
function jieba(): Segmenter {
  if (!segmenter) {
    // The package is CommonJS with a native addon: required, not imported.
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): Segmenter } };
    // The dictionary file read here, not through the package's `dict` module: that one also reads
    // the IDF table (unused here) and keeps both buffers for the life of the process.
    const dictionary = join(dirname(require.resolve('@node-rs/jieba/dict')), 'dict.txt');
    segmenter = Jieba.withDict(readFileSync(dictionary));
  }
  return segmenter;
}

/** A token worth indexing holds at least one letter or digit (Han characters are letters). */
const WORDLIKE = /[\p{L}\p{N}]/u;
const HAN = /\p{Script=Han}/u;
const NUMBER = /^[\p{N}.,:%-]+$/u;

/**
 * The search words of a text: jieba's search mode (a long word also yields the shorter words
 * inside it: 停车位 gives 停车, 车位 and 停车位), Latin letters lower-cased, punctuation and
 * spaces dropped, in text order with repeats (their positions count for ranking).
 */
export function searchWords(text: string): string[] {
  if (text.trim() === '') return [];
  return jieba()
    .cutForSearch(text, true)
    .map((token) => token.trim().toLowerCase())
    .filter((token) => WORDLIKE.test(token));
}

/**
 * The words that say what a text is about: jieba's plain mode (停车位 stays one word), without
 * stop words, single characters and numbers. Distinct, in order of first appearance.
 */
export function topicTerms(text: string): string[] {
  if (text.trim() === '') return [];
  return distinct(
    jieba()
      .cut(text, true)
      .map((token) => token.trim().toLowerCase())
      .filter(isTopicTerm),
  );
}

/** The search words of a text that can tell one case from another (see isTopicTerm). Distinct. */
export function distinctiveSearchWords(text: string): string[] {
  return distinct(searchWords(text).filter(isTopicTerm));
}

/** Neither a stop word, nor a single character, nor a number. */
export function isTopicTerm(token: string): boolean {
  return WORDLIKE.test(token) && [...token].length > 1 && !NUMBER.test(token) && !isStopWord(token);
}

/** The distinct Han characters of a text, in order of first appearance. */
export function hanCharacters(text: string): string[] {
  return distinct([...text].filter((char) => HAN.test(char)));
}

function distinct(items: readonly string[]): string[] {
  return [...new Set(items)];
}
