import { defineConfig } from 'vitest/config'

// Tests that start a whole product or load 100,000 rows; they run alone, one at a time, so that
// timing-sensitive integration tests do not share the two cores with them. They run second,
// right after the unit tests: they leave much of a core idle while they wait on restarts,
// leases and idle connections (55 % of two cores busy on average), and CI runs `npm run check`
// beside the tests at idle priority (.ci/run), where it takes that idle time.
const heavy = [
  'test/integration/start-stop.test.ts',
  'test/integration/reindex.test.ts',
  'test/integration/complaints-durability.test.ts',
  'test/integration/site-rebuild.test.ts',
  'test/integration/site-replicas.test.ts',
  'test/integration/http-server.test.ts',
  'test/integration/open-data-stream.test.ts',
  'test/integration/nginx-site.test.ts',
  'test/integration/replicas.test.ts',
  // Keeps both cores busy for a few seconds on purpose.
  'test/integration/background-priority-waits.test.ts',
]

// Four groups, one command (`npm test`), run one group after another: unit tests need nothing;
// then the heavy tests above; integration tests run against a real PostgreSQL and a real
// Meilisearch started for the run; browser tests drive Debian's Chromium against the built site
// served by the real server, two files at a time.
// Vitest runs one file fewer at a time than the machine has cores: one file at a time on two.
// Integration files mostly wait on PostgreSQL and Meilisearch, and each has a database and index
// names of its own, so three run at once (the group took 306 s one at a time).
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: heavy,
          globalSetup: ['test/support/global-services.ts'],
          maxWorkers: 3,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-site.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
          // Two files at a time, each worker keeping its modules (a fresh worker per file loaded
          // Playwright and axe again, 2-4 s between files). One at a time the group took 339 s,
          // two at a time 260 s: a browser file waits on pages, the server and PostgreSQL as much
          // as it computes.
          maxWorkers: 2,
          isolate: false,
          sequence: { groupOrder: 3 },
        },
      },
      {
        test: {
          name: 'heavy',
          include: heavy,
          globalSetup: ['test/support/global-services.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
