import { randomUUID } from 'node:crypto';
import { InvalidUserInputError, UsernameTakenError } from '#accounts';
import type { Role } from '#domain';
import { withCliContext } from '../cli-context.js';
import { UsageError, parseArgs, type CliCommand } from '../command.js';

/** Where the password comes from unless --password-stdin says otherwise. */
const PASSWORD_VARIABLE = 'MINYI_USER_PASSWORD';

export const addUser: CliCommand = {
  name: 'add-user',
  summary: 'create an account straight in the database (the first admin of a new installation)',
  help: `Usage: npm run cli -- add-user --username <name> --display-name <name> --roles <role,...> --unit <unitId> [--password-stdin]

Creates an account as POST /api/v1/users does (an event of its own stream, written by the
engine itself), but without the API: the way to the
first admin of an installation without demo data (only an admin may create users through the
API), or to an account while the API is down. The unit must be in the org tree in use
(MINYI_ORG_FILE); roles are clerk, coordinator, leader, auditor and admin.

The password comes from the environment variable ${PASSWORD_VARIABLE} or, with
--password-stdin, from the first line of standard input; never from the command line, where
the shell history and the process list would keep it.

  --username N          the login name (2-64 letters, digits, ".", "_" or "-")
  --display-name N      the name people see
  --roles R             one role or several, comma-separated
  --unit U              the unit the account works at (its scope is that unit's subtree)
  --password-stdin      read the password from standard input

Exit status: 0 when the account was created, 1 when the username is taken, 2 on a usage error
(a missing or invalid field included).
`,
  async run(args) {
    const { positional, values, flags } = parseArgs(args, { values: ['username', 'display-name', 'roles', 'unit'], flags: ['password-stdin'] });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    for (const name of ['username', 'display-name', 'roles', 'unit']) if (!values.has(name)) throw new UsageError(`--${name} is required`);
    const password = flags.has('password-stdin') ? await firstLineOfStdin() : process.env[PASSWORD_VARIABLE];
    if (password === undefined || password === '') {
      throw new UsageError(flags.has('password-stdin') ? 'standard input held no password' : `set the password in ${PASSWORD_VARIABLE}, or give --password-stdin`);
    }
    const input = {
      username: values.get('username')!,
      displayName: values.get('display-name')!,
      roles: values.get('roles')!.split(',').map((role) => role.trim()) as Role[],
      unitId: values.get('unit')!,
      password,
    };

    return withCliContext(async ({ accounts, org }) => {
      try {
        const { account: user } = await accounts.createAsSystem(input, { correlationId: `cli:add-user:${randomUUID()}` });
        process.stdout.write(`created ${user.username} (${user.displayName}), ${user.roles.join(', ')} at ${org.get(user.unitId).name} (${user.unitId}): id ${user.userId}\n`);
        return 0;
      } catch (error) {
        if (error instanceof InvalidUserInputError) throw new UsageError(error.details.map((d) => `${optionOf(d.field)}: ${d.message}`).join('; '));
        if (error instanceof UsernameTakenError) {
          process.stderr.write(`minyi add-user: ${error.message}\n`);
          return 1;
        }
        throw error;
      }
    });
  },
};

/** The option that sets a field of the new user, as the operator typed it. */
function optionOf(field: string): string {
  const options: Record<string, string> = { username: '--username', displayName: '--display-name', roles: '--roles', unitId: '--unit', password: 'the password' };
  return options[field] ?? field;
}

async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}
