import { describe, expect, it } from '@jest/globals';
import { DEMO_ORG_UNITS, ForbiddenError, IllegalTransitionError, OrgTree, SYSTEM_ACTOR, type UserActor } from '#domain';
import { AccountNotFoundError, InvalidUserInputError } from '../errors.js';
import { NO_ACCOUNT, foldAccount, type AccountEvent } from './account.js';
import { decideAccount } from './decide-account.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const ID = '0190c1d2-0000-7000-8000-000000000001';
const countyAdmin: UserActor = { userId: '0190c1d2-0000-7000-8000-0000000000ad', roles: ['admin'], unitId: 'hd' };
const created: AccountEvent = { type: 'UserCreated', data: { userId: ID, username: 'hd-dg-1.clerk', displayName: '信息员', roles: ['clerk'], unitId: 'hd-dg-1' } };

describe('an account, folded', () => {
  it('is enabled once created, and its sessions end with each session-ending event only', () => {
    const state = foldAccount([created, { type: 'UserUpdated', data: { displayName: '新名' } }, { type: 'PasswordReset', data: {} }, { type: 'UserUpdated', data: { displayName: '又一名' } }]);
    expect(state).toMatchObject({ exists: true, enabled: true, displayName: '又一名', mustChangePassword: true, revision: 3, sessionsValidFrom: 2 });
    expect(foldAccount([created, { type: 'UserDisabled', data: { reason: '调离' } }])).toMatchObject({ enabled: false, sessionsValidFrom: 1 });
    expect(foldAccount([created, { type: 'UserUpdated', data: { roles: ['coordinator'] } }]).sessionsValidFrom).toBe(1);
  });
});

describe('deciding an account command', () => {
  const account = foldAccount([created]);

  it('lets an admin create only within their subtree, and admin only alone', () => {
    const create = (unitId: string, roles: ('admin' | 'clerk')[]) =>
      () => decideAccount({ type: 'CreateUser', actor: countyAdmin, userId: ID, username: 'new.one', displayName: '新人', roles, unitId }, NO_ACCOUNT, org);
    expect(create('hd-dg-1', ['clerk'])()).toEqual([{ type: 'UserCreated', data: { userId: ID, username: 'new.one', displayName: '新人', roles: ['clerk'], unitId: 'hd-dg-1' } }]);
    expect(create('sf', ['admin'])).toThrow(ForbiddenError);
    expect(create('hx-xh-1', ['clerk'])).toThrow(ForbiddenError);
    expect(create('hd', ['admin', 'clerk'])).toThrow(InvalidUserInputError);
  });

  it('records only what changed, and nothing for no change', () => {
    expect(decideAccount({ type: 'UpdateUser', actor: countyAdmin, userId: ID, displayName: '信息员', roles: ['clerk'] }, account, org)).toEqual([]);
    expect(decideAccount({ type: 'UpdateUser', actor: countyAdmin, userId: ID, unitId: 'hd-ll-1' }, account, org)).toEqual([{ type: 'UserUpdated', data: { unitId: 'hd-ll-1' } }]);
    expect(() => decideAccount({ type: 'UpdateUser', actor: countyAdmin, userId: ID, unitId: 'hx-ty-1' }, account, org)).toThrow(ForbiddenError);
  });

  it('refuses what the state forbids: disabling twice, enabling an enabled account, an admin disabling themselves, an unknown account', () => {
    const disabled = foldAccount([created, { type: 'UserDisabled', data: { reason: '调离' } }]);
    expect(() => decideAccount({ type: 'DisableUser', actor: countyAdmin, userId: ID, reason: '再次' }, disabled, org)).toThrow(IllegalTransitionError);
    expect(() => decideAccount({ type: 'EnableUser', actor: countyAdmin, userId: ID }, account, org)).toThrow(IllegalTransitionError);
    const self = foldAccount([{ type: 'UserCreated', data: { userId: countyAdmin.userId, username: 'hd.admin', displayName: '区管理员', roles: ['admin'], unitId: 'hd' } }]);
    expect(() => decideAccount({ type: 'DisableUser', actor: countyAdmin, userId: countyAdmin.userId, reason: '自己' }, self, org)).toThrow(IllegalTransitionError);
    expect(() => decideAccount({ type: 'EnableUser', actor: countyAdmin, userId: ID }, NO_ACCOUNT, org)).toThrow(AccountNotFoundError);
  });

  it('lets only the holder (or the engine) change a password, and no one but an admin reset it', () => {
    const holder: UserActor = { userId: ID, roles: ['clerk'], unitId: 'hd-dg-1' };
    expect(decideAccount({ type: 'ChangePassword', actor: holder, userId: ID }, account, org)).toEqual([{ type: 'PasswordChanged', data: {} }]);
    expect(() => decideAccount({ type: 'ChangePassword', actor: countyAdmin, userId: ID }, account, org)).toThrow(ForbiddenError);
    expect(() => decideAccount({ type: 'ResetPassword', actor: holder, userId: ID }, account, org)).toThrow(ForbiddenError);
    expect(decideAccount({ type: 'ResetPassword', actor: SYSTEM_ACTOR, userId: ID }, account, org)).toEqual([{ type: 'PasswordReset', data: {} }]);
  });
});
