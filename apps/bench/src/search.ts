/**
 * Search benchmark: Chinese search, similar cases, hotspots, the city ranking and a 10,000-case
 * spreadsheet, timed over HTTP against a real server process on a log of BENCH_SEARCH_CASES cases.
 *
 * The log: cases over 2025 and 2026 filed across the demo tree's grids and communities, their
 * titles and descriptions drawn from a vocabulary of everyday complaints (停车位纠纷, 夜间施工噪音,
 * 楼上漏水…), appended straight to the event store as `bench:rebuild` does; most are withdrawn
 * (closed for good), those of the last two months stay open. Then every read model is rebuilt
 * from the log, as `npm run cli -- rebuild` does, and the server started on it.
 *
 * What is timed (one request at a time, so each figure is a latency):
 * - `GET /api/v1/cases?q=` (a county coordinator, a word or two from the vocabulary): p99;
 * - `GET /api/v1/cases/similar` (a community clerk's draft, reworded from the vocabulary): p99;
 * - `GET /api/v1/stats/hotspots` for the county hd over 2026 (against 2025): the slowest of a few;
 * - `GET /api/v1/stats/units?parentId=sf` over 2026, and `GET /api/v1/cases?format=xlsx` of the
 *   10,000 cases of one grid, with the server's peak resident memory meanwhile: null when the
 *   route does not answer 200 (they come with other work).
 *
 * Env: BENCH_DATABASE_URL (else an embedded PostgreSQL), BENCH_SEARCH_CASES (1000000),
 * BENCH_WRITERS (16, while generating), BENCH_BATCH (5000, events per rebuild transaction),
 * BENCH_SEARCH_REQUESTS (300 per timed route, after 20 untimed), BENCH_KEEP_DATABASE (1: keep the
 * scratch database on BENCH_DATABASE_URL's server, to look into query plans), BENCH_SEARCH_DATABASE
 * (the name of a database kept so on BENCH_DATABASE_URL's server: time the routes on it again,
 * without generating and rebuilding; it is kept). The last line printed is the JSON summary.
 *
 * The figures depend on the server's shared buffers holding the search table and its index (a
 * common word's matches lie on most of its pages): the run prints both sizes, and warns when
 * `shared_buffers` is the smaller.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { CURRENT_SCHEMA_VERSION, DEFAULT_SLA_POLICY, type CaseEvent, type CaseKind } from '#domain';
import { migrateEventStore, PostgresEventStore, type NewEvent } from '#event-store';
import { ACCOUNT_VIEW } from '#accounts';
import { NOTIFICATION_REACTOR } from '#notifications';
import { PUBLIC_FILINGS_READ_MODEL } from '#public-channel';
import { readModels } from '#platform';
import { migrateCheckpoints, rebuildReadModel } from '#projections';
import { siblingDatabaseUrl } from '#database';
import { apiJson, log, openScratchDatabase, percentile, positiveInt, startApiServer, type ApiServer, type ScratchDatabase } from './support.js';

const CASES = positiveInt('BENCH_SEARCH_CASES', 1_000_000);
const WRITERS = positiveInt('BENCH_WRITERS', 16);
const BATCH = positiveInt('BENCH_BATCH', 5_000);
const REQUESTS = positiveInt('BENCH_SEARCH_REQUESTS', 300);
const PASSWORD = 'bench-password';
const WARMUP = 20;
/** A database kept by an earlier run, timed again as it is (and kept). */
const REUSED_DATABASE = process.env.BENCH_SEARCH_DATABASE || null;
/** Keep the scratch database after the run, to look into query plans (its name is printed). */
const KEEP_DATABASE = process.env.BENCH_KEEP_DATABASE === '1' || REUSED_DATABASE !== null;
/** The grid whose cases the spreadsheet exports: it receives this many of them, at most 1% of the log. */
const EXPORT_UNIT = 'hx-xh-1-g1';
const EXPORT_CASES = Math.min(10_000, Math.floor(CASES / 100));
/**
 * Set to the head of the log instead of replayed: the reactors, so that the server does not turn
 * the generated cases into timers and notifications, and the read models that hold nothing of
 * them (accounts, public filings), to save their rebuild's time.
 */
const SKIPPED = ['sla-timers', NOTIFICATION_REACTOR, ACCOUNT_VIEW, PUBLIC_FILINGS_READ_MODEL];

/** Where cases are filed (besides the export grid), most often at the grids and communities. */
const UNITS = ['hd-dg-1-g1', 'hd-dg-1-g2', 'hd-dg-1', 'hd-ll-1', 'hx-xh-1', 'hx-ty-1', 'hd-dg', 'hx-ty'];
const PLACES = ['幸福小区', '阳光花园', '东关新村', '柳林村', '湖滨社区', '桃园小区', '建设路', '人民街', '滨河路', '老旧小区', '3号楼', '农贸市场', '学校门口', '公交站旁'];

/** Topics of everyday complaints: the kind they are filed as, titles, and sentences of their descriptions. */
const TOPICS: readonly { kind: CaseKind; titles: string[]; details: string[] }[] = [
  { kind: 'dispute', titles: ['停车位纠纷', '车位被占用', '私装地锁占车位'], details: ['业主与物业因停车位分配发生争执', '外来车辆长期占用业主车位', '有人私自安装地锁占用公共车位'] },
  { kind: 'grievance', titles: ['夜间施工噪音扰民', '工地噪音扰民', '装修噪音扰民'], details: ['工地夜间施工噪音很大，影响休息', '楼上装修电钻声从早到晚不停', '渣土车夜间进出噪音大'] },
  { kind: 'grievance', titles: ['广场舞噪音扰民', '音响声音过大'], details: ['广场舞音响声音过大，影响老人孩子休息', '每晚八点后仍有人外放音乐'] },
  { kind: 'grievance', titles: ['餐馆油烟扰民', '烧烤油烟污染'], details: ['楼下餐馆油烟直排，窗户无法打开', '夜市烧烤油烟和噪音扰民'] },
  { kind: 'dispute', titles: ['楼上漏水纠纷', '卫生间渗水', '外墙渗水'], details: ['楼上卫生间漏水导致我家天花板发霉', '外墙渗水，物业与开发商互相推诿', '邻居拒绝维修漏水的水管'] },
  { kind: 'risk', titles: ['消防通道被堵', '楼道堆放杂物', '电动车楼道充电'], details: ['消防通道被车辆和杂物堵塞，存在安全隐患', '居民在楼道堆放杂物和纸箱', '有人从楼上拉电线给电动车充电'] },
  { kind: 'risk', titles: ['路面塌陷', '井盖破损', '危房隐患'], details: ['路面出现塌陷坑洞，夜间容易发生事故', '人行道井盖破损缺失', '老房墙体开裂，雨季有倒塌风险'] },
  { kind: 'suggestion', titles: ['建议增设路灯', '路灯损坏不亮'], details: ['背街小巷没有路灯，夜间出行不便', '小区路灯损坏半年无人维修'] },
  { kind: 'suggestion', titles: ['建议加装电梯', '老旧小区加装电梯'], details: ['老旧小区没有电梯，老人上下楼困难', '希望政府补贴加装电梯'] },
  { kind: 'suggestion', titles: ['增设充电桩', '建议建设停车场'], details: ['小区电动汽车多，充电桩严重不足', '周边缺少停车场，路边乱停严重'] },
  { kind: 'grievance', titles: ['垃圾清运不及时', '垃圾分类不规范', '垃圾桶满溢'], details: ['垃圾桶满溢无人清运，气味难闻', '垃圾分类投放点设置不合理', '建筑垃圾长期堆放在小区门口'] },
  { kind: 'grievance', titles: ['供暖温度不达标', '暖气不热'], details: ['冬季室内温度不到十六度', '暖气片不热，热力公司迟迟不来检修'] },
  { kind: 'grievance', titles: ['停水停电未通知', '自来水水质浑浊', '水压不足'], details: ['小区多次停水停电事先没有通知', '自来水发黄浑浊，有异味', '高层住户水压不足，用水困难'] },
  { kind: 'dispute', titles: ['物业服务纠纷', '物业费纠纷', '物业乱收费'], details: ['物业服务差却要求上涨物业费', '物业擅自收取停车管理费', '业主委员会与物业公司矛盾激化'] },
  { kind: 'dispute', titles: ['拖欠农民工工资', '工资被拖欠'], details: ['工程完工半年仍拖欠农民工工资', '包工头失联，二十多名工人工资无着落'] },
  { kind: 'dispute', titles: ['宅基地边界纠纷', '土地承包纠纷'], details: ['两户村民因宅基地边界发生争执', '土地流转合同到期后承包费产生纠纷'] },
  { kind: 'dispute', titles: ['邻里矛盾', '宠物扰民纠纷'], details: ['邻居饲养大型犬不拴绳，多次吓到孩子', '邻里因共用走廊使用发生口角'] },
  { kind: 'hardship', titles: ['困难家庭救助', '低保申请', '孤寡老人照料'], details: ['家中老人重病，医疗费用难以承担', '失业后生活困难，申请最低生活保障', '独居老人行动不便，无人照料'] },
  { kind: 'hardship', titles: ['残疾人就业困难', '大病医疗救助'], details: ['残疾人找工作屡屡碰壁', '孩子患白血病，家庭负担沉重'] },
  { kind: 'suggestion', titles: ['建议增加公交线路', '公交站点设置不合理'], details: ['新建小区周边没有公交线路', '公交站点离小区太远'] },
  { kind: 'suggestion', titles: ['增设老年食堂', '社区养老服务'], details: ['社区老人多，希望开设老年食堂', '建议建设日间照料中心'] },
  { kind: 'risk', titles: ['非法集资风险', '电信诈骗'], details: ['有人在小区推销高息理财产品', '老人接到冒充公检法的诈骗电话'] },
  { kind: 'visit', titles: ['走访独居老人', '节日慰问困难户'], details: ['春节前走访辖区独居老人', '中秋节慰问低保户和残疾人家庭'] },
  { kind: 'grievance', titles: ['违章搭建', '私搭乱建'], details: ['一楼住户私自扩建院子占用绿地', '楼顶违章搭建阳光房'] },
  { kind: 'grievance', titles: ['占道经营', '流动摊贩占道'], details: ['商户占用人行道摆摊经营', '早市摊贩堵塞道路，垃圾遍地'] },
];
const ASKS = ['希望有关部门尽快处理。', '请求社区协调解决。', '多次反映未果，希望尽快解决。', '建议相关部门加强管理。', ''];

/** A deterministic pseudo-random sequence, so that runs are comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const next = random(20_261_204);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

const PERIOD_START = Date.parse('2025-01-01T00:00:00+08:00');
const PERIOD_END = Date.parse('2026-12-01T00:00:00+08:00');
/** Cases filed from here on stay open. */
const OPEN_FROM = Date.parse('2026-10-01T00:00:00+08:00');

interface Draft {
  readonly kind: CaseKind;
  readonly title: string;
  readonly description: string;
}

function draft(): Draft {
  const topic = pick(TOPICS);
  const place = pick(PLACES);
  const first = pick(topic.details);
  const second = pick(topic.details);
  return { kind: topic.kind, title: `${place}${pick(topic.titles)}`, description: `${place}${first}${second === first ? '' : `，${second}`}。${pick(ASKS)}` };
}

/** A case's events: filed, and withdrawn a day later unless it is recent. */
function caseEvents(serial: number): NewEvent[] {
  const caseId = uuidv7();
  const unitId = serial % 100 === 0 && serial / 100 < EXPORT_CASES ? EXPORT_UNIT : pick(UNITS);
  const filedAt = PERIOD_START + Math.floor(next() * (PERIOD_END - PERIOD_START));
  const { kind, title, description } = draft();
  const clerk = { actorId: `${unitId}.clerk`, actorRole: 'clerk', unitId };
  const events: [CaseEvent, number][] = [
    [
      {
        type: 'CaseFiled',
        data: {
          caseId,
          number: `MY-${new Date(filedAt).getUTCFullYear()}-${String(serial + 1).padStart(7, '0')}`,
          kind,
          title,
          description,
          channel: serial % 2 === 0 ? 'walk_in' : 'hotline',
          unitId,
          urgency: 'normal',
          filer: { name: '张三', phone: '13812345678', anonymous: false },
          parties: [],
          visitReason: kind === 'visit' ? 'festival' : null,
          occurredAt: null,
          location: null,
        },
      },
      filedAt,
    ],
  ];
  if (filedAt < OPEN_FROM) events.push([{ type: 'CaseWithdrawn', data: { reason: '当事人已自行协商解决' } }, filedAt + 86_400_000]);
  const correlationId = uuidv7();
  return events.map(([event, at]) => ({
    id: uuidv7(),
    type: event.type,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    data: event.data,
    metadata: { ...clerk, at: new Date(at).toISOString(), correlationId, causationId: null },
  }));
}

async function generate(store: PostgresEventStore): Promise<number> {
  const began = performance.now();
  let appended = 0;
  let serial = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let own = serial++; own < CASES; own = serial++) {
        const events = caseEvents(own);
        await store.appendToStream(`case-${String(events[0]!.data.caseId)}`, events, { expectedRevision: 'no_stream' });
        appended += events.length;
        if ((own + 1) % 100_000 === 0) log(`generated ${(own + 1).toLocaleString('en-US')} cases`);
      }
    }),
  );
  log(`generated ${CASES.toLocaleString('en-US')} cases (${appended.toLocaleString('en-US')} events) in ${((performance.now() - began) / 1000).toFixed(0)} s`);
  return appended;
}

async function rebuild(pool: pg.Pool, store: PostgresEventStore): Promise<void> {
  for (const projection of readModels(DEFAULT_SLA_POLICY).filter((model) => !SKIPPED.includes(model.name))) {
    const began = performance.now();
    const result = await rebuildReadModel(pool, store, projection, { batchSize: BATCH });
    log(`rebuilt ${projection.name}: ${result.events.toLocaleString('en-US')} events in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  await pool.query(
    `INSERT INTO projection_checkpoints (projection, commit_position, prepare_position, global_position, version)
     SELECT s.skipped, c.commit_position, c.prepare_position, c.global_position, s.version FROM projection_checkpoints c, unnest($1::text[], $2::int[]) AS s(skipped, version)
      WHERE c.projection = 'cases'
     ON CONFLICT (projection) DO NOTHING`,
    [SKIPPED, SKIPPED.map(versionOf)],
  );
  await pool.query('VACUUM ANALYZE');
}

/** The version a projection runs at: 1 for the reactors, which this bench does not construct. */
function versionOf(name: string): number {
  return readModels(DEFAULT_SLA_POLICY).find((model) => model.name === name)?.version ?? 1;
}

/** Resident memory of a process now, in MB (null once it is gone). */
async function rssMB(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const match = status && /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : null;
}

/**
 * Times `count` requests made one after another, after `warmup` untimed ones (the first search
 * loads jieba's dictionary, once per process); null when the route does not answer 200 (not built yet).
 */
async function latencies(base: string, token: string, paths: () => string, count: number, warmup = 0): Promise<number[] | null> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const path = paths();
    const began = performance.now();
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) {
      log(`${path}: ${response.status}, not timed`);
      return null;
    }
    if (i >= warmup) samples.push(performance.now() - began);
  }
  return samples;
}

const round = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms));

/** Words a coordinator looks for: one or two words of the vocabulary. */
const QUERIES = ['停车位', '噪音扰民', '漏水', '油烟', '路灯', '消防通道', '物业 停车', '垃圾清运', '拖欠工资', '加装电梯', '宅基地', '低保', '充电桩', '井盖', '幸福小区 漏水', '广场舞', '诈骗', '违章搭建', '暖气', '水压'];

/** A database an earlier run kept, on BENCH_DATABASE_URL's server. */
function reusedDatabase(name: string): ScratchDatabase {
  const server = process.env.BENCH_DATABASE_URL;
  if (!server) throw new Error('BENCH_SEARCH_DATABASE names a database on BENCH_DATABASE_URL’s server: set both');
  return { url: siblingDatabaseUrl(server, name), name, close: async () => undefined };
}

/** Prints the server's shared buffers beside the search table and its index, which a common word's search reads most of. */
async function reportBuffers(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ buffers: string; hot: string; fits: boolean }>(
    `SELECT current_setting('shared_buffers') AS buffers,
            pg_size_pretty(pg_total_relation_size('case_search')) AS hot,
            pg_total_relation_size('case_search') <= (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers') AS fits`,
  );
  const { buffers, hot, fits } = rows[0]!;
  log(`shared_buffers ${buffers}; case_search with its indexes ${hot}${fits ? '' : ' (does not fit: searches read from the file system cache, several times slower)'}`);
}

async function main(): Promise<void> {
  const database = REUSED_DATABASE ? reusedDatabase(REUSED_DATABASE) : await openScratchDatabase('minyi_bench_search');
  const dataDir = await mkdtemp(join(tmpdir(), 'minyi-bench-search-'));
  const pool = new pg.Pool({ connectionString: database.url, max: WRITERS + 4 });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore({ pool, notify: false });
  let server: ApiServer | undefined;
  try {
    if (!REUSED_DATABASE) {
      await migrateEventStore(pool);
      await migrateCheckpoints(pool);
      await generate(store);
      await rebuild(pool, store);
    }
    await reportBuffers(pool);

    server = await startApiServer(database.url, dataDir, PASSWORD);
    const { base } = server;
    const login = async (username: string) => (await apiJson<{ accessToken: string }>(base, '/api/v1/auth/login', null, { username, password: PASSWORD })).accessToken;
    const county = await login('hd.coordinator');
    const clerk = await login('hd-dg-1.clerk');
    const city = await login('city.coordinator');
    const pid = server.process.pid;
    log(`server ${base}, ${(await rssMB(pid))?.toFixed(0)} MB resident`);

    let query = 0;
    const search = await latencies(base, county, () => `/api/v1/cases?q=${encodeURIComponent(QUERIES[query++ % QUERIES.length]!)}`, REQUESTS, WARMUP);
    const similar = await latencies(
      base,
      clerk,
      () => {
        const { title, description } = draft();
        return `/api/v1/cases/similar?${new URLSearchParams({ title, description }).toString()}`;
      },
      REQUESTS,
      WARMUP,
    );
    const hotspots = await latencies(base, county, () => '/api/v1/stats/hotspots?unitId=hd&from=2026-01-01&to=2027-01-01&limit=20', 5);
    const units = await latencies(base, city, () => '/api/v1/stats/units?parentId=sf&from=2026-01-01&to=2027-01-01', 5);

    let peakRss = (await rssMB(pid)) ?? 0;
    log(`server ${peakRss.toFixed(0)} MB resident before the export`);
    const sampling = setInterval(() => void rssMB(pid).then((mb) => (peakRss = Math.max(peakRss, mb ?? 0))), 20);
    const exported = await latencies(base, city, () => `/api/v1/cases?format=xlsx&unitId=${EXPORT_UNIT}`, 1);
    clearInterval(sampling);

    const summary = {
      cases: CASES,
      searchP99Ms: round(search && percentile(search, 0.99)),
      similarP99Ms: round(similar && percentile(similar, 0.99)),
      hotspotsMs: round(hotspots && Math.max(...hotspots)),
      unitsMs: round(units && Math.max(...units)),
      export10kMs: round(exported?.[0]),
      exportPeakRssMB: exported ? Math.round(peakRss) : null,
    };
    if (search) log(`q search: p50 ${percentile(search, 0.5).toFixed(1)} ms, p99 ${percentile(search, 0.99).toFixed(1)} ms over ${search.length}`);
    if (similar) log(`similar: p50 ${percentile(similar, 0.5).toFixed(1)} ms, p99 ${percentile(similar, 0.99).toFixed(1)} ms over ${similar.length}`);
    if (hotspots) log(`hotspots hd 2026: ${hotspots.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    if (units) log(`units sf 2026: ${units.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    if (exported) log(`xlsx export of ${EXPORT_CASES.toLocaleString('en-US')} cases: ${exported[0]!.toFixed(0)} ms, server peak RSS ${peakRss.toFixed(0)} MB`);
    log(JSON.stringify(summary));
  } finally {
    await server?.stop();
    await store.close();
    await pool.end();
    if (KEEP_DATABASE) log(`kept the database ${database.name}`);
    else await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
