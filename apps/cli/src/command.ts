/**
 * One CLI command. `run` returns the process exit code; a `UsageError` thrown from it prints its
 * message and the command's help and exits 2, any other error prints its message and exits 1.
 */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The command's full `--help` text. */
  readonly help: string;
  run(args: readonly string[]): Promise<number>;
}

/** A mistake in how the command was called (unknown option, bad date, missing argument). */
export class UsageError extends Error {}

/** Splits `--name value`, `--name=value` and `--flag` options from positional arguments. */
export function parseArgs(args: readonly string[], known: { readonly values?: readonly string[]; readonly flags?: readonly string[] }): {
  positional: string[];
  values: Map<string, string>;
  flags: Set<string>;
} {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (known.flags?.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else if (known.values?.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, values, flags };
}
