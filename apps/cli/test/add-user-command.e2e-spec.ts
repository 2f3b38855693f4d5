import { describe, expect, it, jest } from '@jest/globals';
import type { TestApp } from '../../api/test/support/test-app.js';
import { useCliApp, type CliApp } from './support/run-cli.js';

jest.setTimeout(120_000);

/** `add-user`: the first admin of an installation without demo data, created as an operator would. */
describe('the add-user command', () => {
  let t: TestApp;
  let cli: CliApp['cli'];
  let cliWith: CliApp['cliWith'];
  useCliApp((app) => void ({ t, cli, cliWith } = app));

  const login = (username: string, password: string) => t.http().post('/api/v1/auth/login').send({ username, password });
  const userCount = async () => (await t.engine.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM account_credentials')).rows[0]!.n;

  it('creates an account whose password comes from the environment, and the account can log in with its role and unit', async () => {
    const run = await cliWith({ env: { MINYI_USER_PASSWORD: 'a-long-admin-password' } }, 'add-user', '--username', 'ops.admin', '--display-name', '运维管理员', '--roles', 'admin', '--unit', 'sf');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^created ops\.admin \(运维管理员\), admin at .+ \(sf\): id [0-9a-f-]{36}\n$/);
    const session = await login('ops.admin', 'a-long-admin-password');
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ username: 'ops.admin', displayName: '运维管理员', roles: ['admin'], unitId: 'sf' });
    // An admin, so it may now create users through the API.
    const users = await t.http().get('/api/v1/users').set('Authorization', `Bearer ${session.body.accessToken}`);
    expect(users.status).toBe(200);
  });

  it('reads the password from standard input with --password-stdin, and takes several roles', async () => {
    const run = await cliWith({ input: 'stdin-password-123\n' }, 'add-user', '--username', 'dg.both', '--display-name', '东关兼职', '--roles', 'clerk,coordinator', '--unit', 'hd-dg', '--password-stdin');
    expect(run.code).toBe(0);
    expect((await login('dg.both', 'stdin-password-123')).body.user).toMatchObject({ roles: ['clerk', 'coordinator'], unitId: 'hd-dg' });
  });

  it.each([
    [['--unit', 'nowhere'], /--unit: unknown unit "nowhere"/],
    [['--roles', 'mayor'], /--roles: each role must be one of/],
    [['--username', '-x'], /--username: must be 2-64 letters/],
  ])('refuses a bad field (%j) with exit 2, naming the option, and creates nothing', async (change, message) => {
    const args = { '--username': 'bad.one', '--display-name': '某人', '--roles': 'clerk', '--unit': 'hd-dg-1' } as Record<string, string>;
    args[change[0]!] = change[1]!;
    const before = await userCount();
    const run = await cliWith({ env: { MINYI_USER_PASSWORD: 'good-password-1' } }, 'add-user', ...Object.entries(args).flat());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(await userCount()).toBe(before);
  });

  it('refuses a short password, a missing one, one on the command line, and a missing option, with exit 2', async () => {
    const args = ['add-user', '--username', 'x.user', '--display-name', '某人', '--roles', 'clerk', '--unit', 'hd-dg-1'];
    const before = await userCount();
    const short = await cliWith({ env: { MINYI_USER_PASSWORD: 'short' } }, ...args);
    expect({ code: short.code, stderr: short.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/the password: must be 8-1024 characters/) });
    const none = await cliWith({ env: { MINYI_USER_PASSWORD: '' } }, ...args);
    expect({ code: none.code, stderr: none.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/set the password in MINYI_USER_PASSWORD, or give --password-stdin/) });
    const inline = await cli(...args, '--password', 'in-the-history');
    expect({ code: inline.code, stderr: inline.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown option --password/) });
    const noUnit = await cliWith({ env: { MINYI_USER_PASSWORD: 'good-password-1' } }, ...args.slice(0, -2));
    expect({ code: noUnit.code, stderr: noUnit.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/--unit is required/) });
    expect(await userCount()).toBe(before);
  });

  it('answers exit 1 when the username is taken, and leaves that account as it was', async () => {
    const run = await cliWith({ env: { MINYI_USER_PASSWORD: 'another-password' } }, 'add-user', '--username', 'hd-dg-1.clerk', '--display-name', '冒名', '--roles', 'admin', '--unit', 'sf');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/username "hd-dg-1.clerk" is taken/);
    expect((await login('hd-dg-1.clerk', 'another-password')).status).toBe(401);
  });
});
