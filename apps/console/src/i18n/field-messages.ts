import { hasMessage, type MessageKey, type Params, type Translate } from './messages.js';

/**
 * The API's field problems in the reader's language. The API names a bad field by its path and
 * says what is wrong in English; its messages are a fixed set (apps/api/src/http/fields.ts and
 * the domain's checks), recognised here by pattern.
 */
const FIELD_MESSAGES: readonly [RegExp, MessageKey, (match: RegExpMatchArray) => Params][] = [
  [/^is required$/, 'v.required', () => ({})],
  [/^must be text$/, 'v.text', () => ({})],
  [/must not be blank$/, 'v.blank', () => ({})],
  [/^must be at most (\d+) characters(?:$|, without control characters$)/, 'v.maxChars', (m) => ({ max: m[1]! })],
  [/^must not be empty$/, 'v.required', () => ({})],
  [/^must not be the username$/, 'v.notUsername', () => ({})],
  [/^must not be the demo password$/, 'v.notDemoPassword', () => ({})],
  [/^is not the current password$/, 'v.wrongCurrentPassword', () => ({})],
  [/^must differ from the current password$/, 'v.samePassword', () => ({})],
  [/^admin cannot be combined with another role$/, 'v.adminAlone', () => ({})],
  [/^must not repeat a role$/, 'v.repeatedRole', () => ({})],
  [/^(?:each )?must be one of: (.*)$/, 'v.oneOf', (m) => ({ values: m[1]! })],
  [/^must be a phone number/, 'v.phone', () => ({})],
  [/^must be true or false$/, 'v.boolean', () => ({})],
  [/^must be a whole number$/, 'v.wholeNumber', () => ({})],
  [/^must be at least (-?[\d.]+)$/, 'v.min', (m) => ({ min: m[1]! })],
  [/^must be at most (-?[\d.]+)$/, 'v.max', (m) => ({ max: m[1]! })],
  [/^must be a number$/, 'v.number', () => ({})],
  [/^must be an ISO 8601 time$/, 'v.isoTime', () => ({})],
  [/^must carry a time zone offset/, 'v.timeOffset', () => ({})],
  [/^must be a list/, 'v.list', () => ({})],
  [/^must have at most (\d+) entries$/, 'v.maxEntries', (m) => ({ max: m[1]! })],
  [/^unknown field$/, 'v.unknownField', () => ({})],
  [/^unknown user$/, 'v.unknownUser', () => ({})],
  [/^must be 2-64 letters, digits/, 'v.username', () => ({})],
  [/^must be (\d+)-(\d+) characters$/, 'v.passwordLength', (m) => ({ min: m[1]!, max: m[2]! })],
  [/^must name at least one role$|^must be a non-empty list of /, 'v.rolesRequired', () => ({})],
  [/^unknown unit /, 'v.unknownUnit', () => ({})],
  [/^a visit case needs the reason/, 'v.visitReasonNeeded', () => ({})],
  [/takes no visit reason/, 'v.visitReasonOnlyVisit', () => ({})],
  [/is not a coordinator/, 'v.notCoordinator', () => ({})],
  [/and cannot act on a case at/, 'v.assigneeCannotAct', () => ({})],
  [/cannot be transferred to the unit it is already at/, 'v.sameUnit', () => ({})],
  [/cannot be merged into itself/, 'v.mergeSelf', () => ({})],
  [/^an extension is a whole number of working days/, 'v.extensionDays', () => ({})],
  [/^give exactly one of revision or at$/, 'v.exactlyOne', () => ({})],
];

/** One field problem in the reader's language; a message not known here is shown as the API wrote it. */
export function fieldMessage(message: string, t: Translate): string {
  for (const [pattern, key, params] of FIELD_MESSAGES) {
    const match = message.match(pattern);
    if (match) return t(key, params(match));
  }
  return message;
}

/** A field path of the API (`filer.phone`, `parties.0.name`) as the form labels it. */
export function fieldLabel(field: string, t: Translate): string {
  const party = field.match(/^parties\.(\d+)\.(name|role)$/);
  if (party) return `${t('field.party', { n: Number(party[1]) + 1 })} · ${t(`field.party.${party[2] as 'name' | 'role'}`)}`;
  const key = `field.${field}`;
  return hasMessage(key) ? t(key) : field;
}
