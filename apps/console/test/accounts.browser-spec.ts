import { beforeAll, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { describeInBrowser, SLOW, useConsole, type ConsoleHarness } from './support/browser.js';

async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

/** The field (label, control, hint, error) whose label reads `label`. */
function field(scope: Page | Locator, label: string): Locator {
  const page = 'page' in scope ? scope.page() : scope;
  return scope.locator('.field').filter({ has: page.locator('label', { hasText: label }) });
}

type Language = 'zh-CN' | 'en';

/** What the screens say, in each language. */
const TEXT = {
  'zh-CN': {
    loginHeading: '登录',
    find: '查找',
    q: '用户名或姓名',
    edit: '编辑',
    editForm: (username: string) => `编辑账号 ${username}`,
    admin: '管理员',
    clerk: '信息员',
    coordinator: '协调员',
    unit: '所在单位',
    save: '保存',
    saved: (username: string) => `已保存账号 ${username}`,
    rolesLegend: '角色',
    adminAlone: '管理员角色不能与其他角色同时授予',
    disable: '停用',
    reason: '理由',
    disableSubmit: '停用账号',
    disabledDone: (username: string) => `已停用账号 ${username}`,
    showDisabled: '显示已停用的账号',
    disabledBadge: '已停用',
    enable: '启用',
    enabledDone: (username: string) => `已启用账号 ${username}`,
    reset: '重置密码',
    resetSubmit: '生成临时密码',
    copyNow: '请现在复制并交给本人：此密码不会再次显示。',
    history: '历史',
    events: ['创建账号', '修改账号', '停用账号', '启用账号', '重置密码', '本人修改密码'],
    reasonShown: '原因：调离岗位',
    actor: '管理员 · ',
    revoked: '你的登录已结束',
    loggedOut: '你已退出登录。',
    cases: '案件查询',
    casesHeading: '案件查询',
    inboxHeading: '待办案件',
    forcedHeading: '请设置新密码',
    temporary: '临时密码',
    current: '当前密码',
    newPassword: '新密码',
    confirm: '再次输入新密码',
    changeSubmit: '修改密码',
    changeLink: '修改密码',
    rules: '8–128 个字符；不能与用户名相同；不能是演示密码',
    notUsername: '不能与用户名相同',
    notDemo: '不能使用演示密码',
    mismatch: '两次输入的新密码不一致',
    wrongCurrent: '当前密码不正确',
    changed: '密码已修改，已用新密码重新登录。',
    logout: '退出登录',
  },
  en: {
    loginHeading: 'Log in',
    find: 'Find',
    q: 'Username or name',
    edit: 'Edit',
    editForm: (username: string) => `Edit the account ${username}`,
    admin: 'Administrator',
    clerk: 'Intake clerk',
    coordinator: 'Coordinator',
    unit: 'Unit',
    save: 'Save',
    saved: (username: string) => `Saved the account ${username}`,
    rolesLegend: 'Roles',
    adminAlone: 'The administrator role cannot be combined with another role',
    disable: 'Disable',
    reason: 'Reason',
    disableSubmit: 'Disable the account',
    disabledDone: (username: string) => `Disabled the account ${username}`,
    showDisabled: 'Show disabled accounts',
    disabledBadge: 'Disabled',
    enable: 'Enable',
    enabledDone: (username: string) => `Enabled the account ${username}`,
    reset: 'Reset password',
    resetSubmit: 'Make a temporary password',
    copyNow: 'Copy it now and give it to the account holder: it will not be shown again.',
    history: 'History',
    events: ['Account created', 'Account changed', 'Account disabled', 'Account enabled', 'Password reset', 'Password changed by its holder'],
    reasonShown: 'reason: 调离岗位',
    actor: 'Administrator · ',
    revoked: 'Your session was ended',
    loggedOut: 'You have logged out.',
    cases: 'Cases',
    casesHeading: 'Cases',
    inboxHeading: 'Inbox',
    forcedHeading: 'Choose a new password',
    temporary: 'Temporary password',
    current: 'Current password',
    newPassword: 'New password',
    confirm: 'New password again',
    changeSubmit: 'Change password',
    changeLink: 'Change password',
    rules: '8–128 characters; not your username; not the demo password',
    notUsername: 'Must not be your username',
    notDemo: 'Must not be the demo password',
    mismatch: 'The two new passwords differ',
    wrongCurrent: 'This is not the current password',
    changed: 'Password changed; you are logged in again with the new one.',
    logout: 'Log out',
  },
} as const;

/** Fills what is given of the change-password form and submits it. */
async function submitPassword(page: Page, language: Language, passwords: { current?: string; next?: string; confirm?: string }): Promise<void> {
  const inputs = [
    ['currentPassword', passwords.current],
    ['newPassword', passwords.next],
    ['confirmPassword', passwords.confirm],
  ] as const;
  for (const [name, value] of inputs) if (value !== undefined) await page.locator(`input[name="${name}"]`).fill(value);
  // A re-render may land between fills: submit only once every input holds what was typed.
  for (const [name, value] of inputs) if (value !== undefined) expect(await page.locator(`input[name="${name}"]`).inputValue()).toBe(value);
  await page.getByRole('button', { name: TEXT[language].changeSubmit }).click();
}

describeInBrowser('console accounts')('the console: accounts, passwords and sessions', () => {
  let h: ConsoleHarness;
  useConsole((harness) => (h = harness));
  let adminToken: string;

  beforeAll(async () => {
    adminToken = await h.t.token('admin');
  });

  /** Creates a clerk of 东关社区 with the password `first-password`, through the API. */
  const createUser = async (username: string): Promise<string> => {
    const made = await h.t
      .http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username, displayName: `${username} 本人`, password: 'first-password', roles: ['clerk'], unitId: 'hd-dg-1' });
    expect(made.status).toBe(201);
    return made.body.id as string;
  };

  const apiLogin = (username: string, password: string) => h.t.http().post('/api/v1/auth/login').send({ username, password });

  /** A new tab in `language`, at the login page. */
  const openLogin = async (language: Language): Promise<Page> => {
    const page = await h.page();
    await page.goto(h.base);
    if (language === 'en') await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: TEXT[language].loginHeading }).waitFor();
    return page;
  };

  const logIn = async (page: Page, username: string, password: string): Promise<void> => {
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.locator('form button[type="submit"]').click();
  };

  it.each(['zh-CN', 'en'] as const)(
    'in %s, an admin edits, disables (the user is sent back to login), enables and resets an account; the user changes the temporary password and carries on',
    async (language) => {
      const say = TEXT[language];
      const username = `governed.${language === 'en' ? 'en' : 'zh'}`;
      const id = await createUser(username);

      const admin = await openLogin(language);
      await logIn(admin, 'admin', 'demo12345');
      await admin.locator('.account-name').waitFor();
      await admin.getByLabel(say.q).fill(username);
      await admin.getByRole('button', { name: say.find, exact: true }).click();
      const row = admin.locator(`tr[data-username="${username}"]`);
      // The search leaves the one account.
      await admin.locator('.users-table tbody tr[data-username]').nth(1).waitFor({ state: 'detached' });
      await row.waitFor();

      // Edit: admin stands alone in the form; the server's refusal is shown beside the roles too.
      await row.getByRole('button', { name: say.edit, exact: true }).click();
      const edit = admin.getByRole('form', { name: say.editForm(username) });
      await edit.locator('input[name="displayName"]').fill('东关街道协调员乙');
      await edit.getByLabel(say.coordinator, { exact: true }).check();
      await edit.getByLabel(say.admin, { exact: true }).check();
      expect(await edit.getByLabel(say.clerk, { exact: true }).isChecked()).toBe(false);
      expect(await edit.getByLabel(say.coordinator, { exact: true }).isChecked()).toBe(false);
      await edit.getByLabel(say.clerk, { exact: true }).check();
      expect(await edit.getByLabel(say.admin, { exact: true }).isChecked()).toBe(false);
      await edit.getByLabel(say.coordinator, { exact: true }).check();
      await edit.getByLabel(say.unit).selectOption({ label: '东关街道' });
      await admin.route(`**/api/v1/users/${id}`, (route) => route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), roles: ['admin', 'leader'] }) }));
      await edit.getByRole('button', { name: say.save, exact: true }).click();
      await shows(edit.locator('fieldset').filter({ hasText: say.rolesLegend }), say.adminAlone);
      await admin.unroute(`**/api/v1/users/${id}`);
      await edit.getByRole('button', { name: say.save, exact: true }).click();
      await shows(admin.getByRole('status'), say.saved(username));
      await shows(row, '东关街道协调员乙');
      await shows(row, '东关街道');
      const changed = await h.t.http().get(`/api/v1/users?q=${username}`).set('Authorization', `Bearer ${adminToken}`);
      expect(changed.body.items[0]).toMatchObject({ displayName: '东关街道协调员乙', roles: ['clerk', 'coordinator'], unitId: 'hd-dg', enabled: true });

      // The user is at work when the account is disabled: their next request sends them back to login.
      const user = await openLogin(language);
      await logIn(user, username, 'first-password');
      await user.getByRole('heading', { name: say.inboxHeading }).waitFor();

      await row.getByRole('button', { name: say.disable, exact: true }).click();
      const disable = admin.getByRole('form', { name: new RegExp(username) });
      await disable.getByRole('button', { name: say.disableSubmit }).click();
      await shows(field(disable, say.reason), language === 'en' ? 'Required' : '必填');
      await disable.getByLabel(say.reason).fill('调离岗位');
      await disable.getByRole('button', { name: say.disableSubmit }).click();
      await shows(admin.getByRole('status'), say.disabledDone(username));
      // Disabled accounts are listed only when asked for.
      await row.waitFor({ state: 'detached' });
      await admin.getByLabel(say.showDisabled).check();
      await admin.getByRole('button', { name: say.find, exact: true }).click();
      await shows(row, say.disabledBadge);
      await h.screenshot(admin, `accounts-disabled-${language}`);

      // The server refuses the token within 2 s: each navigation asks it again.
      const loginHeading = user.getByRole('heading', { name: say.loginHeading });
      for (let tries = 0; tries < 20 && !(await loginHeading.isVisible()); tries++) {
        await user
          .locator(`.app-nav a[href="${tries % 2 === 0 ? '/cases' : '/inbox'}"]`)
          .click({ timeout: 1_000 })
          .catch(() => undefined);
        await user.waitForTimeout(200);
      }
      await loginHeading.waitFor();
      await shows(user.getByRole('status'), say.revoked);
      expect(await user.evaluate("sessionStorage.getItem('minyi.token')")).toBeNull();
      expect(await user.getByRole('alert').count()).toBe(0);
      await h.screenshot(user, `accounts-session-ended-${language}`);
      expect((await apiLogin(username, 'first-password')).status).toBe(401);

      await row.getByRole('button', { name: say.enable, exact: true }).click();
      await shows(admin.getByRole('status'), say.enabledDone(username));
      await row.locator('.badge-disabled').waitFor({ state: 'detached' });

      // Reset: the temporary password is shown once.
      await row.getByRole('button', { name: say.reset, exact: true }).click();
      await admin.getByRole('button', { name: say.resetSubmit }).click();
      const shown = admin.getByTestId('temporary-password');
      await shown.waitFor();
      await shows(admin.locator('.temporary-password'), say.copyNow);
      const temporary = (await shown.innerText()).trim();
      expect(temporary).toMatch(/^[A-Za-z0-9_-]{16}$/);
      await h.screenshot(admin, `accounts-temporary-password-${language}`);
      await row.getByRole('button', { name: say.reset, exact: true }).click();
      expect(await admin.getByTestId('temporary-password').count()).toBe(0);

      // The user logs in with it and sees nothing but the change-password screen.
      await logIn(user, username, temporary);
      await user.getByRole('heading', { name: say.forcedHeading }).waitFor();
      expect(await user.locator('.app-nav').count()).toBe(0);
      await shows(field(user, say.newPassword), say.rules);
      await submitPassword(user, language, { current: temporary, next: username, confirm: username });
      await shows(field(user, say.newPassword), say.notUsername);
      await submitPassword(user, language, { next: 'demo12345' });
      await shows(field(user, say.newPassword), say.notDemo);
      // A wrong temporary password: the server's refusal is shown beside the field. (Waiting for
      // the answer itself, with room to spare: on a loaded machine it can take longer than a
      // locator's wait.)
      const refusal = user.waitForResponse((response) => response.url().endsWith('/api/v1/me/password'), { timeout: SLOW });
      await submitPassword(user, language, { current: 'not-the-temporary-one', next: 'a-chosen-password', confirm: 'a-chosen-password' });
      expect((await refusal).status()).toBe(400);
      await shows(field(user, say.temporary), say.wrongCurrent);
      await h.screenshot(user, `accounts-forced-change-${language}`);
      await submitPassword(user, language, { current: temporary });
      // Logged in again with the new password, the user carries on where they were.
      await shows(user.locator('.account-name'), '东关街道协调员乙');
      await user.locator('.app-nav').waitFor();
      await h.screenshot(user, `accounts-after-forced-change-${language}`);
      await user.getByRole('link', { name: say.cases, exact: true }).click();
      await user.getByRole('heading', { name: say.casesHeading, exact: true }).waitFor();
      expect((await apiLogin(username, 'a-chosen-password')).body.mustChangePassword).toBe(false);

      // Every change is in the account's history, in words, with who and when.
      await row.getByRole('button', { name: say.history, exact: true }).click();
      const entries = admin.locator('.account-history .timeline-type');
      await entries.nth(say.events.length - 1).waitFor();
      expect(await entries.allInnerTexts()).toEqual([...say.events]);
      await shows(admin.locator('.account-event-UserDisabled'), say.reasonShown);
      await shows(admin.locator('.account-event-UserDisabled'), say.actor);
      await shows(admin.locator('.account-event-PasswordChanged'), '东关街道协调员乙');
      await h.screenshot(admin, `accounts-history-${language}`);
    },
    SLOW * 2,
  );

  it.each(['zh-CN', 'en'] as const)(
    'in %s, a user changes their own password from the header, stays logged in, and logs out',
    async (language) => {
      const say = TEXT[language];
      const username = `self.${language === 'en' ? 'en' : 'zh'}`;
      await createUser(username);
      const page = await openLogin(language);
      await logIn(page, username, 'first-password');
      await page.locator('.account-name').waitFor();

      await page.getByRole('link', { name: say.changeLink }).click();
      await page.getByRole('heading', { name: say.changeLink }).waitFor();
      await shows(field(page, say.newPassword), say.rules);
      await submitPassword(page, language, { current: 'first-password', next: 'my-own-password', confirm: 'my-own-passwort' });
      await shows(field(page, say.confirm), say.mismatch);
      await submitPassword(page, language, { current: 'wrong-password', confirm: 'my-own-password' });
      await shows(field(page, say.current), say.wrongCurrent);
      await submitPassword(page, language, { current: 'first-password' });
      await shows(page.getByRole('status'), say.changed);
      await h.screenshot(page, `accounts-own-password-${language}`);
      // The old session ended; the console holds a new one, and works on.
      await page.getByRole('link', { name: say.cases, exact: true }).click();
      await page.getByRole('heading', { name: say.casesHeading, exact: true }).waitFor();
      expect((await apiLogin(username, 'first-password')).status).toBe(401);
      expect((await apiLogin(username, 'my-own-password')).status).toBe(200);

      // Logging out ends the session on the server before the token is dropped.
      const token = (await page.evaluate("sessionStorage.getItem('minyi.token')")) as string;
      const logout = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/auth/logout'));
      await page.getByRole('button', { name: say.logout }).click();
      expect((await logout).headers().authorization).toBe(`Bearer ${token}`);
      await page.getByRole('heading', { name: say.loginHeading }).waitFor();
      await shows(page.getByRole('status'), say.loggedOut);
      expect(await page.evaluate("sessionStorage.getItem('minyi.token')")).toBeNull();
      const refused = await h.t.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('session_revoked');
    },
    SLOW,
  );
});
