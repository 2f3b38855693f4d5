import type { Config } from 'jest';

const libs = [
  'domain',
  'event-store',
  'database',
  'projections',
  'accounts',
  'cases',
  'notifications',
  'jobs',
  'sla',
  'platform',
  'audit',
  'reporting',
  'runtime',
  'testing',
  'attachments',
  'public-channel',
  'bulletins',
  'exports',
  'demo-data',
  'search',
];

/** Shared by every project: TypeScript as ESM, `.js` suffixes stripped, `#lib` imports mapped to source. */
const common: Config = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: {
    ...Object.fromEntries(libs.map((lib) => [`^#${lib}$`, `<rootDir>/libs/${lib}/src/index.ts`])),
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static requires content-disposition 3, which is ESM only: Node 20 loads it, Jest's
    // module system on Node 20 cannot. Version 2 is CommonJS with the same functions.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
  },
  testEnvironment: 'node',
};

/** Projects whose tests use real servers (and wait on them: see server-test-timeout.ts). */
const withServers: Config = {
  ...common,
  setupFilesAfterEnv: ['<rootDir>/libs/testing/src/server-test-timeout.ts'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.mjs',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.mjs',
};

const config: Config = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...withServers, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...withServers, displayName: 'e2e', testMatch: ['<rootDir>/apps/**/*.e2e-spec.ts'] },
    // The web console in headless Chromium against the whole app over HTTP (needs dist/console).
    { ...withServers, displayName: 'browser', testMatch: ['<rootDir>/apps/console/test/*.browser-spec.ts'] },
  ],
};

export default config;
