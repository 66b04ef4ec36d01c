import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    // Suites bind fixed ports (the offset table) and share one dockerd.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts']}},
      // The chart suite drives the real Helm binaries; it needs no Docker engine.
      {extends: true, test: {name: 'chart', include: ['test/chart/**/*.test.ts']}},
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
})
