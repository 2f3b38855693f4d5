/**
 * Attachments benchmark: uploads through the HTTP API, then a whole-store verification that
 * re-hashes every file.
 *
 *   (a) BENCH_ATTACHMENTS_UPLOADS uploads (200) of a JPEG photo of about BENCH_ATTACHMENTS_MB MB
 *       (2; made from noise with EXIF and GPS, each one different so that each is a blob of its
 *       own), BENCH_ATTACHMENTS_CONCURRENCY (8) at a time, by a clerk, spread over enough cases
 *       to stay under the 50-a-case limit; every upload is sniffed, re-encoded without metadata,
 *       hashed and stored by the server
 *   (b) `GET /api/v1/audit/verify` as the auditor: every chain checked and every file re-hashed
 *
 * The server runs in a child process (as in bench:http) on the file store under its data dir;
 * its peak resident memory is read from /proc/<pid>/status (VmHWM) after the run. uploadMBps is
 * the bytes sent over the wall time of (a); verifyMBps the stored bytes over the time of (b).
 *
 * Env: BENCH_DATABASE_URL (else an embedded PostgreSQL), BENCH_ATTACHMENTS_UPLOADS,
 * BENCH_ATTACHMENTS_CONCURRENCY, BENCH_ATTACHMENTS_MB, BENCH_SERVER_NODE_ARGS, MALLOC_ARENA_MAX
 * (default 2, as the Docker image sets it: libvips' threads then do not each hold on to freed memory). The last line is JSON.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { apiJson, log, openScratchDatabase, percentile, positiveInt, positiveNumber, startApiServer, type ApiServer } from './support.js';

const UPLOADS = positiveInt('BENCH_ATTACHMENTS_UPLOADS', 200);
const CONCURRENCY = positiveInt('BENCH_ATTACHMENTS_CONCURRENCY', 8);
const PHOTO_MB = positiveNumber('BENCH_ATTACHMENTS_MB', 2);
const PASSWORD = 'bench-password';
const CLERK = 'hd-dg-1.clerk';
const PER_CASE = 50;

const TARGETS = { serverPeakRssMB: 300, verifyMBps: 150 } as const;

/** Noise pixels, 4:3, about `megapixels` of them. */
function noise(megapixels: number): { pixels: Buffer; width: number; height: number } {
  const width = Math.round(Math.sqrt((megapixels * 1_000_000 * 4) / 3));
  const height = Math.round((width * 3) / 4);
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.random() * 256) | 0;
  return { pixels, width, height };
}

/** Noise as large as a JPEG of about `megabytes` at quality 90 needs: one trial encoding sets the scale. */
async function noiseFor(megabytes: number): Promise<ReturnType<typeof noise>> {
  const trial = noise(0.5);
  const bytesPerPixel = (await photo(trial)).length / (trial.width * trial.height);
  return noise((megabytes * 1024 * 1024) / bytesPerPixel / 1_000_000);
}

/** A photo as a phone sends it: EXIF with GPS; fresh noise in its top rows makes each one a blob of its own. */
async function photo(source: ReturnType<typeof noise>): Promise<Buffer> {
  const pixels = Buffer.from(source.pixels);
  for (let i = 0; i < Math.min(pixels.length, source.width * 3 * 16); i++) pixels[i] = (Math.random() * 256) | 0;
  return sharp(pixels, { raw: { width: source.width, height: source.height, channels: 3 } })
    .withExif({
      IFD0: { Make: 'BenchCam', Model: 'Noise 1', DateTime: '2026:12:04 10:00:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 2700/100', GPSLongitudeRef: 'E', GPSLongitude: '116/1 23/1 3000/100' },
    })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The server's peak resident memory (VmHWM) or its resident memory now (VmRSS), in MB. */
async function rssMB(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/** Samples the server's resident memory every 50 ms until stopped; the highest seen, in MB. */
function sampleRss(pid: number): () => number {
  let highest = 0;
  const timer = setInterval(() => {
    rssMB(pid, 'VmRSS').then(
      (mb) => (highest = Math.max(highest, mb)),
      () => undefined,
    );
  }, 50);
  return () => {
    clearInterval(timer);
    return highest;
  };
}

/**
 * Starts the peak over (Linux: writing 5 to clear_refs resets VmHWM), so that it measures the
 * attachment work and not the start-up and logins before it (scrypt takes 128 MB a hash).
 */
async function resetPeak(pid: number): Promise<boolean> {
  return writeFile(`/proc/${pid}/clear_refs`, '5').then(
    () => true,
    () => false,
  );
}

async function upload(base: string, token: string, caseId: string, bytes: Buffer, name: string): Promise<{ sha256: string; size: number }> {
  const form = new FormData();
  form.append('kind', 'photo');
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), name);
  const response = await fetch(`${base}/api/v1/cases/${caseId}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (response.status !== 201) throw new Error(`upload ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { sha256: string; size: number };
}

async function main(): Promise<void> {
  const database = await openScratchDatabase('minyi_bench_attachments');
  const dataDir = await mkdtemp(join(tmpdir(), 'minyi-bench-attachments-'));
  let server: ApiServer | undefined;
  try {
    server = await startApiServer(database.url, dataDir, PASSWORD);
    const { base } = server;
    const pid = server.process.pid!;
    const login = async (username: string) => (await apiJson<{ accessToken: string }>(base, '/api/v1/auth/login', null, { username, password: PASSWORD })).accessToken;
    const clerk = await login(CLERK);
    const auditor = await login('auditor');

    const cases: string[] = [];
    for (let i = 0; i < Math.ceil(UPLOADS / PER_CASE); i++) {
      const filed = await apiJson<{ id: string }>(base, '/api/v1/cases', clerk, {
        kind: 'dispute',
        title: `附件基准 ${i + 1}`,
        description: '现场照片较多的案件。',
        channel: 'walk_in',
        unitId: 'hd-dg-1',
        filer: { name: '基准', phone: '13812345678' },
      });
      cases.push(filed.id);
    }

    const source = await noiseFor(PHOTO_MB);
    const photos: Buffer[] = [];
    for (let n = 0; n < UPLOADS; n++) photos.push(await photo(source));
    const startupPeakMB = await rssMB(pid);
    const idleMB = await rssMB(pid, 'VmRSS');
    const peakReset = await resetPeak(pid);
    const sentBytes = photos.reduce((sum, bytes) => sum + bytes.length, 0);
    log(`uploads: ${UPLOADS} JPEG photos of ${(sentBytes / UPLOADS / 1024 / 1024).toFixed(2)} MB average (${source.width}x${source.height}, EXIF with GPS), ${CONCURRENCY} at a time`);

    const latencies: number[] = [];
    const stored = new Map<string, number>();
    let next = 0;
    const uploadSampler = sampleRss(pid);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let n = next++; n < UPLOADS; n = next++) {
          const began = performance.now();
          const { sha256, size } = await upload(base, clerk, cases[Math.floor(n / PER_CASE)]!, photos[n]!, `photo-${n}.jpg`);
          latencies.push(performance.now() - began);
          stored.set(sha256, size);
        }
      }),
    );
    const uploadSeconds = (performance.now() - started) / 1000;
    const uploadRssMB = uploadSampler();
    photos.length = 0;
    const storedBytes = [...stored.values()].reduce((sum, size) => sum + size, 0);
    const uploadMBps = sentBytes / 1024 / 1024 / uploadSeconds;
    log(
      `  ${UPLOADS} uploads in ${uploadSeconds.toFixed(1)} s: ${uploadMBps.toFixed(1)} MB/s sent, p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms; ` +
        `${stored.size} blobs, ${(storedBytes / 1024 / 1024).toFixed(1)} MB stored`,
    );

    const verifySampler = sampleRss(pid);
    const verifyStarted = performance.now();
    const verified = await apiJson<{ ok: boolean; events: number; files: number }>(base, '/api/v1/audit/verify', auditor);
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    const verifyRssMB = verifySampler();
    if (!verified.ok || verified.files !== UPLOADS) throw new Error(`verification: ${JSON.stringify(verified)}`);
    const verifyMBps = storedBytes / 1024 / 1024 / verifySeconds;
    log(`verify: ${verified.events} events and ${verified.files} files in ${verifySeconds.toFixed(2)} s: ${verifyMBps.toFixed(0)} MB/s re-hashed (target ≥ ${TARGETS.verifyMBps}: ${verifyMBps >= TARGETS.verifyMBps ? 'met' : 'MISSED'})`);

    const serverPeakRssMB = await rssMB(pid);
    log(
      `server peak RSS during uploads and verify: ${serverPeakRssMB.toFixed(0)} MB${peakReset ? '' : ' (since start: clear_refs could not reset the peak)'} ` +
        `(target < ${TARGETS.serverPeakRssMB}: ${serverPeakRssMB < TARGETS.serverPeakRssMB ? 'met' : 'MISSED'}); ${idleMB.toFixed(0)} MB resident before the uploads, ` +
        `at most ${uploadRssMB.toFixed(0)} MB sampled during them and ${verifyRssMB.toFixed(0)} MB during the verification; ${startupPeakMB.toFixed(0)} MB peak over start-up and logins`,
    );
    log(
      JSON.stringify({
        uploads: UPLOADS,
        uploadMBps: round(uploadMBps),
        uploadP99Ms: round(percentile(latencies, 0.99)),
        verifyMBps: round(verifyMBps),
        serverPeakRssMB: round(serverPeakRssMB),
      }),
    );
  } finally {
    await server?.stop();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
