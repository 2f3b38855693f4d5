import { en } from './en.js';
import { zhCN, type MessageKey } from './zh-CN.js';

/** The console's two languages and their message catalogues; Chinese is the default. */
export type { MessageKey };
export type Language = 'zh-CN' | 'en';
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export const CATALOGUES: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export function hasMessage(key: string): key is MessageKey {
  return key in zhCN;
}

/** Looks a key up in one language and fills in its `{name}` placeholders. */
export function translator(language: Language): Translate {
  const catalogue = CATALOGUES[language];
  return (key, params) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (params && name in params ? String(params[name]) : whole));
}
