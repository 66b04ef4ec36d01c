import {defineConfig} from 'vitest/config'

const TOOLS = [
  'test/integration/set-values-parity.test.ts',
  'test/integration/compose-config.test.ts',
  'test/integration/compose-files.test.ts',
  'test/integration/values-files.test.ts',
  'test/integration/help-class.test.ts',
  'test/integration/base-command.test.ts',
  'test/integration/exec.test.ts',
  'test/integration/host-ports.test.ts',
  'test/e2e/help.test.ts',
  'test/e2e/cli-surface.test.ts',
  'test/e2e/package.test.ts',
]

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
      // Real tools (Helm, the docker CLI offline, npm, processes) that need no engine and bind
      // no fixed port: safe to run beside the system project, and in parallel.
      {extends: true, test: {name: 'tools', include: TOOLS}},
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: TOOLS,
          // These bind fixed ports (the offset table) and share one dockerd: one file at a time.
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
})
