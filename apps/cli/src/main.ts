import 'reflect-metadata';
import { UsageError, type CliCommand } from './command.js';
import { addUser } from './commands/add-user.js';
import { exportCase } from './commands/export.js';
import { rebuild } from './commands/rebuild.js';
import { replay } from './commands/replay.js';
import { timersRebuild } from './commands/timers-rebuild.js';
import { verify } from './commands/verify.js';

/** Every command, in the order `help` lists them. */
const COMMANDS: readonly CliCommand[] = [timersRebuild, verify, replay, exportCase, rebuild, addUser];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `minyi — operator and auditor commands

Usage: npm run cli -- <command> [options]     (npm run cli -- <command> --help for one command)

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}`).join('\n')}

Configuration comes from the same environment as \`npm start\` (DATABASE_URL, REDIS_URL, ...).
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(overview());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`minyi: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`minyi ${command.name}: ${error.message}\n\n${command.help}`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`minyi: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
