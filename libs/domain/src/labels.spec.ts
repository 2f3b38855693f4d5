import { describe, expect, it } from '@jest/globals';
import { ROLES } from './actor.js';
import { BULLETIN_STATUSES } from './bulletin/bulletin.js';
import { CASE_EVENT_TYPES } from './case/events.js';
import { CASE_STATUSES } from './case/state.js';
import { ADOPTION_KINDS, ADOPTION_LEVELS, ATTACHMENT_KINDS, CASE_KINDS, CHANNELS, NOTE_TYPES, RESOLUTION_OUTCOMES, SATISFACTION_LEVELS, SLA_CLOCKS, URGENCIES, VISIT_REASONS } from './case/vocabulary.js';
import { LANGUAGES, describeEvent, isLanguage, label, labelsFor, standalone, type Labels, type Naming } from './labels.js';
import { CLOCK_STATES } from './sla/clocks.js';

/** Each table of the catalogue beside the domain's own list of the values it names. */
const TABLES: readonly (readonly [keyof Labels, readonly string[]])[] = [
  ['status', CASE_STATUSES],
  ['kind', CASE_KINDS],
  ['channel', CHANNELS],
  ['urgency', URGENCIES],
  ['visitReason', VISIT_REASONS],
  ['noteType', NOTE_TYPES],
  ['outcome', RESOLUTION_OUTCOMES],
  ['satisfaction', SATISFACTION_LEVELS],
  ['attachmentKind', ATTACHMENT_KINDS],
  ['adoptionLevel', ADOPTION_LEVELS],
  ['adoptionKind', ADOPTION_KINDS],
  ['bulletinStatus', BULLETIN_STATUSES],
  ['role', [...ROLES, 'system', 'public']],
  ['clock', SLA_CLOCKS],
  ['deadline', SLA_CLOCKS],
  ['clockState', CLOCK_STATES],
  ['eventTitle', CASE_EVENT_TYPES],
  ['events', CASE_EVENT_TYPES],
];

const CHINESE = /\p{Script=Han}/u;

describe('the label catalogue', () => {
  it('speaks Chinese (zh-CN) and English (en)', () => {
    expect(LANGUAGES).toEqual(['zh-CN', 'en']);
    expect(isLanguage('zh-CN')).toBe(true);
    expect(isLanguage('zh')).toBe(false);
  });

  describe.each(LANGUAGES)('in %s', (language) => {
    const labels = labelsFor(language);

    it.each(TABLES)('names every %s the domain has, and nothing else', (table, values) => {
      const entries = labels[table] as Readonly<Record<string, unknown>>;
      expect(Object.keys(entries).sort()).toEqual([...values].sort());
      for (const value of values) {
        const entry = entries[value];
        if (typeof entry === 'function') continue; // event sentences: said below
        expect({ value, entry }).toEqual({ value, entry: expect.stringMatching(/\S/) });
        expect({ value, chinese: CHINESE.test(entry as string) }).toEqual({ value, chinese: language === 'zh-CN' });
      }
    });

    it.each(TABLES.filter(([table]) => table !== 'events'))('gives each %s a label of its own', (table) => {
      const entries = Object.values(labels[table] as Readonly<Record<string, string>>);
      expect(new Set(entries).size).toBe(entries.length);
    });

    it('says every event type in a sentence of this language', () => {
      const naming: Naming = { unit: (id) => `unit ${id}`, person: (id) => `person ${id}`, time: (iso) => iso, text: (value) => value };
      for (const type of CASE_EVENT_TYPES) {
        // Field values the sentences read: enough of each event's data for every type.
        const data = {
          kind: 'dispute', channel: 'hotline', urgency: 'normal', title: 't', unitId: 'u', filer: { name: 'n', anonymous: false }, visitReason: null,
          note: null, reason: 'r', assigneeId: 'a', assigneeUnitId: 'u', noteType: 'note', text: 'x', fromUnitId: 'f', toUnitId: 'g', summary: 's',
          instruction: 'i', assignToUnitId: null, outcome: 'resolved', satisfaction: 'satisfied', comment: null, intoCaseId: 'c', clock: 'resolve',
          workingDays: 3, dueAt: '2026-03-16T09:00:00+08:00', sha256: 'f'.repeat(64), name: 'n.jpg', description: null,
          level: 'county', body: 'b',
        };
        const sentence = describeEvent(language, type, data, naming);
        expect({ type, sentence }).toEqual({ type, sentence: expect.stringMatching(/\S/) });
        expect(sentence).not.toMatch(/undefined|null|\[object/);
        expect({ type, chinese: CHINESE.test(sentence) }).toEqual({ type, chinese: language === 'zh-CN' });
      }
    });
  });

  it('has one wording for each status, where the reports and the console used to differ', () => {
    expect(labelsFor('zh-CN').status).toMatchObject({ in_coordination: '协调办理中', awaiting_annotation: '待领导批示', resolved: '已办结待回访' });
    expect(labelsFor('en').status).toMatchObject({ in_coordination: 'in coordination', awaiting_annotation: 'awaiting annotation' });
  });

  it('shows a value it has no label for as it is, and capitalises a label that stands alone', () => {
    expect(label(labelsFor('en').status, 'archived')).toBe('archived');
    expect(label(labelsFor('en').status, null)).toBe('');
    expect(standalone(labelsFor('en').status.in_coordination)).toBe('In coordination');
    expect(standalone(labelsFor('zh-CN').status.in_coordination)).toBe('协调办理中');
    expect(describeEvent('en', 'CaseTeleported', {}, { unit: String, person: String, time: String, text: String })).toBe('unknown event type CaseTeleported');
  });
});
