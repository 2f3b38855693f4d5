import { labelsFor, standalone, type Labels, type Language } from '#domain';
import { en } from './en.js';
import { zhCN, type ConsoleMessageKey } from './zh-CN.js';

/** The console's two languages (the label catalogue's) and their message catalogues; Chinese is the default. */
export type { Language };
export type Params = Record<string, string | number>;

/**
 * Message keys whose text is the label catalogue's (#domain, labels.ts), by key prefix: `status.filed`
 * is the catalogue's `status.filed`, `clock.accept` its `deadline.accept`, and so on.
 */
const LABEL_TABLES = {
  status: 'status',
  kind: 'kind',
  channel: 'channel',
  urgency: 'urgency',
  visitReason: 'visitReason',
  noteType: 'noteType',
  outcome: 'outcome',
  satisfaction: 'satisfaction',
  attachmentKind: 'attachmentKind',
  adoptionLevel: 'adoptionLevel',
  adoptionKind: 'adoptionKind',
  bulletinStatus: 'bulletinStatus',
  role: 'role',
  clock: 'deadline',
  deadline: 'clockState',
  event: 'eventTitle',
} as const satisfies Record<string, keyof Labels>;
type LabelPrefix = keyof typeof LABEL_TABLES;
type LabelKey = { [P in LabelPrefix]: `${P}.${keyof Labels[(typeof LABEL_TABLES)[P]] & string}` }[LabelPrefix];

export type MessageKey = ConsoleMessageKey | LabelKey;
export type Translate = (key: MessageKey, params?: Params) => string;

/** The catalogue's labels under the console's keys, as they stand alone on a screen. */
function labelMessages(language: Language): Record<LabelKey, string> {
  const labels = labelsFor(language);
  return Object.fromEntries(
    Object.entries(LABEL_TABLES).flatMap(([prefix, table]) =>
      Object.entries(labels[table]).map(([value, text]) => [`${prefix}.${value}`, standalone(text)]),
    ),
  ) as Record<LabelKey, string>;
}

export const CATALOGUES: Record<Language, Record<MessageKey, string>> = {
  'zh-CN': { ...zhCN, ...labelMessages('zh-CN') },
  en: { ...en, ...labelMessages('en') },
};

export function hasMessage(key: string): key is MessageKey {
  return key in CATALOGUES['zh-CN'];
}

/** Looks a key up in one language and fills in its `{name}` placeholders. */
export function translator(language: Language): Translate {
  const catalogue = CATALOGUES[language];
  return (key, params) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (params && name in params ? String(params[name]) : whole));
}
