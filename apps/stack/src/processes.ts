import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '#database';

/** True when an HTTP GET of `url` answers 2xx. */
export function answers(url: string): () => Promise<boolean> {
  return () => fetch(url).then((response) => response.ok, () => false);
}

/** True when something accepts TCP connections on the loopback port. */
export function listening(port: number): () => Promise<boolean> {
  return () =>
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.end() !== undefined));
      socket.once('error', () => resolve(false));
    });
}

export interface ProcessSpec {
  /** What it is, in messages: `api-1`, `worker`, `redis`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** True once the process is ready (asked every 200 ms); without it, a process is ready once spawned. */
  readonly ready?: () => Promise<boolean>;
  /** How long it may take to become ready (default 60 s). */
  readonly readyTimeoutMs?: number;
  /** Where its standard output goes (default: nowhere; its standard error is always shown). */
  readonly stdout?: 'ignore' | 'inherit';
  /** Told when the process exits without being killed or stopped through this handle. */
  readonly onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * A child process that can be killed with any signal and started again with the same command:
 * what the local stack runs, and what a fault schedule kills.
 */
export class ManagedProcess {
  #child: ChildProcess | null = null;
  /** The child being killed through this handle: its exit is expected. */
  #killing: ChildProcess | null = null;

  private constructor(readonly spec: ProcessSpec) {}

  /** Starts `spec` and waits until it is ready; a process that exits first, or is not ready in time, is an error naming it. */
  static async start(spec: ProcessSpec): Promise<ManagedProcess> {
    const managed = new ManagedProcess(spec);
    await managed.#start();
    return managed;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Sends `signal` and waits for the exit (a process that is gone already is left alone). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.#killing = child;
    child.kill(signal);
    await exited;
  }

  /** Stops it gracefully (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      await this.kill('SIGTERM');
    } finally {
      clearTimeout(killer);
    }
  }

  /** Starts it again (after a kill) with the same command and environment. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#start();
  }

  async #start(): Promise<void> {
    const { name, command, args, env, ready } = this.spec;
    const child = spawn(command, [...args], { env, stdio: ['ignore', this.spec.stdout ?? 'ignore', 'inherit'] });
    this.#child = child;
    child.once('exit', (code, signal) => {
      if (this.#killing !== child) this.spec.onUnexpectedExit?.(name, code, signal);
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`${name} could not start: ${error.message}`)));
    });
    failed.catch(() => undefined);
    if (!ready) return Promise.race([sleep(100), failed]).then(() => undefined);
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    try {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
        if (await Promise.race([ready().catch(() => false), failed])) return;
        if (Date.now() > deadline) throw new Error(`${name} was not ready within ${(this.spec.readyTimeoutMs ?? 60_000) / 1000} s`);
        await sleep(200);
      }
    } catch (error) {
      await this.stop(2_000);
      throw error;
    }
  }
}

/** The path of an executable on the PATH, or null. */
export async function onPath(command: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return null;
}

/**
 * A Redis of its own (`server`, the redis-server executable) on a free loopback port, with its
 * files in `dir`: configured as BullMQ requires (nothing evicted), keeping nothing on disk unless
 * `appendOnly` (an append-only file, as production runs it, so jobs outlive a restart).
 */
export async function startRedisServer(
  server: string,
  dir: string,
  options: { readonly appendOnly?: boolean; readonly onUnexpectedExit?: ProcessSpec['onUnexpectedExit'] } = {},
): Promise<{ process: ManagedProcess; url: string }> {
  const { appendOnly = false, onUnexpectedExit } = options;
  const port = await freePort();
  await mkdir(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', appendOnly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction', '--dir', dir];
  const redis = await ManagedProcess.start({ name: 'redis', command: server, args, env: process.env, ready: listening(port), readyTimeoutMs: 10_000, onUnexpectedExit });
  return { process: redis, url: `redis://127.0.0.1:${port}` };
}
