import { describe, expect, it } from '@jest/globals';
import { DEMO_ORG_UNITS } from '#domain';
import type { CaseDetail, Colleague, Me } from '../src/api/types.js';
import { actionBody, actionFields, checkAction, type ActionField } from '../src/forms/actions.js';
import { checkFiling, emptyDraft, filingBody, type FilingDraft } from '../src/forms/filing.js';
import { checkUser, emptyUserDraft, userBody } from '../src/forms/user.js';
import { problemText, serverProblems } from '../src/forms/problems.js';
import { fieldLabel, fieldMessage } from '../src/i18n/field-messages.js';
import { CATALOGUES, translator } from '../src/i18n/messages.js';
import { Units } from '../src/units.js';

const zh = translator('zh-CN');
const en = translator('en');
const UNITS = ['hd-dg-1', 'hd-dg-1-g1'];

function draft(change: Partial<FilingDraft> = {}): FilingDraft {
  return {
    ...emptyDraft('hd-dg-1'),
    kind: 'grievance',
    title: '路灯损坏',
    description: '背街小巷照明不足。',
    channel: 'hotline',
    filerName: '王五',
    ...change,
  };
}

const problems = (change: Partial<FilingDraft>) => Object.keys(checkFiling(draft(change), UNITS)).sort();

describe('the intake form checks what the API checks', () => {
  it('passes a complete filing and names every missing required field', () => {
    expect(checkFiling(draft(), UNITS)).toEqual({});
    expect(Object.keys(checkFiling(emptyDraft('hd-dg-1'), UNITS)).sort()).toEqual([
      'channel',
      'description',
      'filer.name',
      'kind',
      'title',
    ]);
  });

  it('limits text by characters as the API counts them, and refuses blank text', () => {
    expect(problems({ title: '长'.repeat(200) })).toEqual([]);
    expect(checkFiling(draft({ title: '长'.repeat(201) }), UNITS).title).toEqual({ key: 'v.maxChars', params: { max: 200 } });
    // A character outside the basic plane is one character, not two.
    expect(problems({ title: '𠀀'.repeat(200) })).toEqual([]);
    expect(checkFiling(draft({ description: '   ' }), UNITS).description).toEqual({ key: 'v.blank' });
    expect(problems({ filerName: '名'.repeat(51) })).toEqual(['filer.name']);
  });

  it('takes the phone pattern of the API', () => {
    for (const phone of ['13812345678', '+86 138-1234-5678', '']) expect(problems({ filerPhone: phone })).toEqual([]);
    for (const phone of ['138', 'call me', '-13812345678']) expect(problems({ filerPhone: phone })).toEqual(['filer.phone']);
  });

  it('lets an anonymous filer leave the name out', () => {
    expect(problems({ filerName: '', anonymous: true })).toEqual([]);
    expect(problems({ filerName: '' })).toEqual(['filer.name']);
  });

  it('needs a visit reason for a visit only, and a name and side for each party of a dispute only', () => {
    expect(problems({ kind: 'visit' })).toEqual(['visitReason']);
    expect(problems({ kind: 'visit', visitReason: 'hospital' })).toEqual([]);
    const parties = [
      { name: '李四', role: '' },
      { name: '', role: '物业' },
    ];
    expect(problems({ kind: 'dispute', parties })).toEqual(['parties.0.role', 'parties.1.name']);
    expect(problems({ kind: 'grievance', parties })).toEqual([]);
  });

  it('refuses a unit outside the filer’s scope and a kind or channel the API does not know', () => {
    expect(problems({ unitId: 'hx-xh-1' })).toEqual(['unitId']);
    expect(problems({ kind: 'complaint' as FilingDraft['kind'] })).toEqual(['kind']);
    expect(problems({ channel: 'fax' as FilingDraft['channel'] })).toEqual(['channel']);
  });

  it('sends only what applies: trimmed text, parties for disputes, the reason for visits, the place when given', () => {
    const dispute = draft({
      kind: 'dispute',
      title: ' 停车位 ',
      parties: [{ name: '李四', role: '业主' }],
      visitReason: 'hospital',
      filerPhone: '13812345678',
    });
    expect(filingBody(dispute)).toEqual({
      kind: 'dispute',
      title: '停车位',
      description: '背街小巷照明不足。',
      channel: 'hotline',
      unitId: 'hd-dg-1',
      urgency: 'normal',
      filer: { anonymous: false, name: '王五', phone: '13812345678' },
      parties: [{ name: '李四', role: '业主' }],
    });
    const visit = filingBody(draft({ kind: 'visit', visitReason: 'hospital', address: '幸福小区 3 号楼', anonymous: true, filerName: '' }));
    expect(visit).toMatchObject({ visitReason: 'hospital', location: { address: '幸福小区 3 号楼' }, filer: { anonymous: true } });
    expect(visit).not.toHaveProperty('parties');
    expect(visit.filer).not.toHaveProperty('name');
  });
});

describe('the new-account form checks what POST /api/v1/users checks', () => {
  const good = { username: 'hd-ll-1.clerk', displayName: '柳林村信息员', password: 'a-good-password', roles: ['clerk'], unitId: 'hd-ll-1' } as const;
  const units = ['sf', 'hd', 'hd-ll-1'];

  it('passes a complete account and names each missing field', () => {
    expect(checkUser(good, units)).toEqual({});
    expect(checkUser(emptyUserDraft(), units)).toEqual({
      username: { key: 'v.required' },
      displayName: { key: 'v.required' },
      password: { key: 'v.required' },
      roles: { key: 'v.rolesRequired' },
      unitId: { key: 'v.required' },
    });
  });

  it('takes the server’s username and password rules, and only units one may choose', () => {
    expect(checkUser({ ...good, username: '-x' }, units).username).toEqual({ key: 'v.username' });
    expect(checkUser({ ...good, username: 'Ａdmin.Two' }, units).username).toBeUndefined(); // NFKC and case, as the server compares
    expect(checkUser({ ...good, password: 'short' }, units).password).toEqual({ key: 'v.passwordLength', params: { min: 8, max: 1024 } });
    expect(checkUser({ ...good, displayName: '  ' }, units).displayName).toEqual({ key: 'v.blank' });
    expect(checkUser({ ...good, unitId: 'hx' }, units).unitId).toMatchObject({ key: 'v.oneOf' });
  });

  it('sends trimmed names and the roles in the API’s order', () => {
    expect(userBody({ ...good, username: ' hd-ll-1.clerk ', displayName: ' 柳林村信息员 ', roles: ['coordinator', 'clerk'] })).toEqual({
      username: 'hd-ll-1.clerk',
      displayName: '柳林村信息员',
      password: 'a-good-password',
      roles: ['clerk', 'coordinator'],
      unitId: 'hd-ll-1',
    });
  });
});

describe('action forms', () => {
  const fields: ActionField[] = [
    { name: 'clock', kind: 'select', required: true, choices: [{ value: 'resolve', label: { key: 'clock.resolve' } }] },
    { name: 'workingDays', kind: 'number', required: true, min: 1, max: 365 },
    { name: 'reason', kind: 'textarea', required: true, max: 2000 },
    { name: 'comment', kind: 'textarea', required: false, max: 2000 },
  ];

  const units = new Units(DEMO_ORG_UNITS);
  const me = (roles: Me['roles'], unitId: string) => ({ id: 'u', username: 'u', displayName: 'u', roles, unitId }) as Me;
  const at = (unitId: string) =>
    ({
      unitId,
      revision: 3,
      deadlines: [
        { clock: 'accept', dueAt: '2026-11-03T09:00:00+08:00', state: 'met' },
        { clock: 'resolve', dueAt: '2026-11-23T09:00:00+08:00', state: 'running' },
      ],
    }) as unknown as CaseDetail;
  const choices = (field: ActionField | undefined) =>
    field?.kind === 'select' ? field.choices.map((choice) => choice.value) : field?.kind;

  it('offer what the case and the reader allow', () => {
    const notes = (roles: Me['roles']) => choices(actionFields('notes', { view: at('hd-dg-1'), me: me(roles, 'hd-dg-1'), units })[0]);
    expect(notes(['clerk'])).toEqual(['contact']);
    expect(notes(['coordinator'])).toEqual(['contact', 'visit', 'mediation', 'note']);
    const transfer = (unitId: string) => choices(actionFields('transfer', { view: at(unitId), me: me(['coordinator'], 'hd'), units })[0]);
    expect(transfer('hd-dg')).toEqual(['hd-ll']);
    expect(transfer('hd-dg-1-g1')).toEqual(['hd-dg-1-g2']);
    const annotate = actionFields('annotate', { view: at('hd-dg'), me: me(['leader'], 'hd-dg'), units });
    expect(choices(annotate[1])).toEqual(['hd-dg', 'hd-dg-1', 'hd-dg-1-g1', 'hd-dg-1-g2']);
    expect(annotate[1]!.required).toBe(false);
    expect(choices(actionFields('extend-deadline', { view: at('hd-dg'), me: me(['leader'], 'hd-dg'), units })[0])).toEqual(['resolve']);
    // The coordinators who may take the case are chosen by name; until they are known, the assignee is typed as an id.
    const assign = (assignees?: Colleague[]) => actionFields('assign', { view: at('hd-dg-1'), me: me(['coordinator'], 'hd'), units, assignees })[0];
    expect(choices(assign())).toBe('text');
    const offered = assign([
      { id: 'u-1', username: 'hd-dg-1.coordinator', displayName: '东关社区联络员', unitId: 'hd-dg-1' },
      { id: 'u-2', username: 'hd.coordinator', displayName: '河东区联络员', unitId: 'hd' },
    ]);
    expect(offered).toMatchObject({ kind: 'select', required: true });
    expect(offered?.kind === 'select' && offered.choices).toEqual([
      { value: 'u-1', label: { text: `东关社区联络员 (${units.name('hd-dg-1')})` } },
      { value: 'u-2', label: { text: `河东区联络员 (${units.name('hd')})` } },
    ]);
  });

  it('check choices, whole numbers in range and text', () => {
    expect(checkAction(fields, { clock: 'resolve', workingDays: '3', reason: '案情复杂' })).toEqual({});
    expect(checkAction(fields, { clock: 'accept', workingDays: '0', reason: '' })).toEqual({
      clock: { key: 'v.oneOf', params: { values: 'resolve' } },
      workingDays: { key: 'v.min', params: { min: 1 } },
      reason: { key: 'v.required' },
    });
    expect(checkAction(fields, { clock: 'resolve', workingDays: '2.5', reason: 'x' }).workingDays).toEqual({ key: 'v.wholeNumber' });
  });

  it('send the revision the reader saw, numbers as numbers, and leave empty optional fields out', () => {
    expect(actionBody(fields, { clock: 'resolve', workingDays: '3', reason: ' 案情复杂 ', comment: '' }, 7)).toEqual({
      expectedRevision: 7,
      clock: 'resolve',
      workingDays: 3,
      reason: '案情复杂',
    });
  });
});

describe('the API’s field problems in both languages', () => {
  it.each([
    ['is required', '必填', 'Required'],
    ['must not be blank', '不能只有空白', 'Must not be blank'],
    ['must be at most 200 characters', '最多 200 个字', 'At most 200 characters'],
    ['must be one of: normal, urgent', '须为以下之一：normal, urgent', 'Must be one of: normal, urgent'],
    [
      'must be a phone number (digits, optionally with + - and spaces)',
      '须为电话号码（数字，可含 + - 和空格）',
      'Must be a phone number (digits, optionally with + - and spaces)',
    ],
    ['must be at least 1', '不能小于 1', 'Must be at least 1'],
    ['unknown field', '不认识的字段', 'Unknown field'],
    ['a visit case needs the reason for the visit', '走访案件须选择走访事由', 'A visit needs the reason for the visit'],
    [
      'user 0191 is not a coordinator; only coordinators take cases',
      '该用户不是协调员，只有协调员可以承办案件',
      'This user is not a coordinator; only coordinators take cases',
    ],
  ])('%s', (message, chinese, english) => {
    expect(fieldMessage(message, zh)).toBe(chinese);
    expect(fieldMessage(message, en)).toBe(english);
  });

  it('shows a message it does not know as the API wrote it, beside the field the API named', () => {
    expect(fieldMessage('must be something new', zh)).toBe('must be something new');
    expect(problemText(serverProblems([{ field: 'title', message: 'is required' }]).title, en)).toBe('Required');
    expect(fieldLabel('parties.1.role', zh)).toBe('当事人 2 · 身份或关系');
    expect(fieldLabel('filer.phone', en)).toBe('Phone');
    expect(fieldLabel('somethingElse', en)).toBe('somethingElse');
  });

  it('has every message in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, chinese] of Object.entries(CATALOGUES['zh-CN'])) {
      const english = CATALOGUES.en[key as keyof (typeof CATALOGUES)['en']];
      expect({ key, english: english !== undefined && english !== '' }).toEqual({ key, english: true });
      expect({ key, placeholders: placeholders(english) }).toEqual({ key, placeholders: placeholders(chinese) });
    }
    expect(Object.keys(CATALOGUES.en).sort()).toEqual(Object.keys(CATALOGUES['zh-CN']).sort());
  });
});
