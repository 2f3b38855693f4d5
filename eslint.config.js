// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'apps/console/dist/**', 'apps/console/src/api/openapi.gen.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The domain is pure: no framework, no I/O. It is tested as given events / when command / then events.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*'], message: 'The domain library stays free of NestJS.' },
            { group: ['bullmq', 'bullmq/*', 'ioredis', 'pg', 'pg-*', '@eventstore/*', '@kurrent/*'], message: 'The domain library does no I/O.' },
            { group: ['node:*', 'fs', 'net', 'http', 'child_process'], message: 'The domain library does no I/O.' },
          ],
        },
      ],
    },
  },
);
