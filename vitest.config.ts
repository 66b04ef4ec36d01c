import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts']}},
      // Services in-process against the memory toolbox: no process, no socket.
      {extends: true, test: {name: 'services', include: ['test/services/**/*.test.ts']}},
      // The chart suite drives the real Helm binaries; it needs no Docker engine.
      {extends: true, test: {name: 'chart', include: ['test/chart/**/*.test.ts']}},
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          // These bind fixed ports (the offset table) and share one dockerd: one file at a time.
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
})
