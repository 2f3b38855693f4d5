import { describe, expect, it } from '@jest/globals';
import { CASE_EVENT_TYPES, CASE_KINDS, CASE_STATUSES, CLOCK_STATES, LANGUAGES, labelsFor, SLA_CLOCKS, standalone } from '#domain';
import { translator } from '../src/i18n/messages.js';

describe("the console's labels of a case's values", () => {
  it.each(LANGUAGES)('are the label catalogue’s, in %s, as they stand alone', (language) => {
    const t = translator(language);
    const labels = labelsFor(language);
    for (const status of CASE_STATUSES) expect(t(`status.${status}`)).toBe(standalone(labels.status[status]));
    for (const kind of CASE_KINDS) expect(t(`kind.${kind}`)).toBe(standalone(labels.kind[kind]));
    for (const clock of SLA_CLOCKS) expect(t(`clock.${clock}`)).toBe(standalone(labels.deadline[clock]));
    for (const state of CLOCK_STATES) expect(t(`deadline.${state}`)).toBe(standalone(labels.clockState[state]));
    for (const type of CASE_EVENT_TYPES) expect(t(`event.${type}`)).toBe(standalone(labels.eventTitle[type]));
  });

  it('say each status as the reports do', () => {
    expect(translator('zh-CN')('status.in_coordination')).toBe('协调办理中');
    expect(translator('zh-CN')('status.awaiting_annotation')).toBe('待领导批示');
    expect(translator('en')('status.resolved')).toBe('Resolved, awaiting callback');
    expect(translator('zh-CN')('clock.resolve')).toBe('办理时限');
  });
});
