import { describe, expect, it } from '@jest/globals';
import { checkNewPassword, checkPasswordChange, CHOSEN_PASSWORD_MAX_LENGTH, DEMO_PASSWORD } from '../src/forms/password.js';
import { accountChanges, accountDraft, checkAccount, checkRoles, checkUser, emptyUserDraft, toggleRole } from '../src/forms/user.js';
import { fieldMessage } from '../src/i18n/field-messages.js';
import { translator } from '../src/i18n/messages.js';

const zh = translator('zh-CN');
const en = translator('en');
const SCOPE = ['hd', 'hd-dg', 'hd-dg-1'];
const ACCOUNT = { displayName: '东关社区信息员', roles: ['clerk', 'coordinator'] as const, unitId: 'hd-dg-1' };

describe('roles: admin stands alone, in the form and in its checks', () => {
  it('clears the other roles when admin is ticked, and admin when another is', () => {
    expect(toggleRole(['clerk', 'leader'], 'admin', true)).toEqual(['admin']);
    expect(toggleRole(['admin'], 'clerk', true)).toEqual(['clerk']);
    expect(toggleRole(['clerk'], 'leader', true)).toEqual(['clerk', 'leader']);
    expect(toggleRole(['clerk', 'leader'], 'clerk', false)).toEqual(['leader']);
    // Ticking a ticked role again does not repeat it.
    expect(toggleRole(['clerk'], 'clerk', true)).toEqual(['clerk']);
  });

  it('refuses no role, and admin with another, as the server does', () => {
    expect(checkRoles([])).toEqual({ key: 'v.rolesRequired' });
    expect(checkRoles(['admin', 'leader'])).toEqual({ key: 'v.adminAlone' });
    expect(checkRoles(['admin'])).toBeUndefined();
    expect(checkRoles(['clerk', 'coordinator'])).toBeUndefined();
    const mixed = { ...emptyUserDraft('hd'), username: 'mixed.admin', displayName: '混合', password: 'a-good-password', roles: ['admin', 'leader'] as const };
    expect(checkUser(mixed, SCOPE)).toEqual({ roles: { key: 'v.adminAlone' } });
  });
});

describe('the account edit form', () => {
  it('starts from the account and checks name, roles and a unit of the admin’s subtree', () => {
    const draft = accountDraft(ACCOUNT);
    expect(checkAccount(draft, SCOPE)).toEqual({});
    expect(checkAccount({ ...draft, displayName: ' ', roles: [], unitId: 'hx' }, SCOPE)).toEqual({
      displayName: { key: 'v.blank' },
      roles: { key: 'v.rolesRequired' },
      unitId: { key: 'v.oneOf', params: { values: SCOPE.join(', ') } },
    });
  });

  it('sends only what changed, roles in the API’s order', () => {
    const draft = accountDraft(ACCOUNT);
    expect(accountChanges(ACCOUNT, draft)).toEqual({});
    expect(accountChanges(ACCOUNT, { ...draft, roles: ['coordinator', 'clerk'] })).toEqual({});
    expect(accountChanges(ACCOUNT, { ...draft, displayName: ' 新名字 ', roles: ['leader', 'clerk'], unitId: 'hd-dg' })).toEqual({
      displayName: '新名字',
      roles: ['clerk', 'leader'],
      unitId: 'hd-dg',
    });
  });
});

describe('a password its holder chooses', () => {
  const draft = { currentPassword: 'temporary-one', newPassword: 'a-new-password', confirmPassword: 'a-new-password' };

  it('is 8–128 characters, not the username (in any case), not the demo password', () => {
    expect(checkNewPassword('a-new-password', 'forgetful')).toBeUndefined();
    expect(checkNewPassword('', 'forgetful')).toEqual({ key: 'v.required' });
    expect(checkNewPassword('short', 'forgetful')).toEqual({ key: 'v.passwordLength', params: { min: 8, max: 128 } });
    expect(checkNewPassword('x'.repeat(CHOSEN_PASSWORD_MAX_LENGTH), 'forgetful')).toBeUndefined();
    expect(checkNewPassword('x'.repeat(CHOSEN_PASSWORD_MAX_LENGTH + 1), 'forgetful')).toEqual({ key: 'v.passwordLength', params: { min: 8, max: 128 } });
    expect(checkNewPassword('Forgetful', 'forgetful')).toEqual({ key: 'v.notUsername' });
    expect(checkNewPassword(DEMO_PASSWORD, 'forgetful')).toEqual({ key: 'v.notDemoPassword' });
  });

  it('needs the current password, a different new one, and the same one twice', () => {
    expect(checkPasswordChange(draft, 'forgetful')).toEqual({});
    expect(checkPasswordChange({ currentPassword: '', newPassword: '', confirmPassword: '' }, 'forgetful')).toEqual({
      currentPassword: { key: 'v.required' },
      newPassword: { key: 'v.required' },
      confirmPassword: { key: 'v.required' },
    });
    expect(checkPasswordChange({ ...draft, currentPassword: 'a-new-password' }, 'forgetful')).toEqual({ newPassword: { key: 'v.samePassword' } });
    expect(checkPasswordChange({ ...draft, confirmPassword: 'a-new-passwort' }, 'forgetful')).toEqual({ confirmPassword: { key: 'v.passwordMismatch' } });
  });
});

describe('the accounts API’s field problems in both languages', () => {
  it.each([
    ['admin cannot be combined with another role', '管理员角色不能与其他角色同时授予', 'The administrator role cannot be combined with another role'],
    ['must not be the username', '不能与用户名相同', 'Must not be your username'],
    ['must not be the demo password', '不能使用演示密码', 'Must not be the demo password'],
    ['is not the current password', '当前密码不正确', 'This is not the current password'],
    ['must differ from the current password', '须与当前密码不同', 'Must differ from the current password'],
    ['must be 8-128 characters', '须为 8–128 个字符', 'Must be 8–128 characters'],
    ['must not be empty', '必填', 'Required'],
    ['must be at most 100 characters, without control characters', '最多 100 个字', 'At most 100 characters'],
  ])('%s', (message, chinese, english) => {
    expect(fieldMessage(message, zh)).toBe(chinese);
    expect(fieldMessage(message, en)).toBe(english);
  });
});
