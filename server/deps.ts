import type { Deps } from '../api/deps.ts'

/**
 * The dependencies of this process, installed once, complete and frozen. This is the one
 * process-wide global: the Astro bundle the server imports (and the one `astro build` prerenders
 * with) carries its own copy of every module, so a module variable set here would be a different
 * variable there; a global symbol is the one place both copies see. Pages read it through
 * `serviceContext()` (site/lib/services.ts); everything else is handed its deps.
 */
const key: unique symbol = Symbol.for('lishui-metrology.deps')
type Holder = { [key]?: Readonly<Deps> | undefined }

/**
 * Installs `deps` for the pages of this process and returns the installed, frozen object: what
 * a page is given can no longer be added to or replaced, so it must be complete here.
 */
export function installDeps(deps: Deps): Readonly<Deps> {
  const holder = globalThis as Holder
  if (holder[key]) throw new Error('dependencies are already installed in this process')
  const installed = Object.freeze({ ...deps })
  holder[key] = installed
  return installed
}

/** Removes what installDeps installed (the product stopping, a test's end). */
export function uninstallDeps() {
  Reflect.deleteProperty(globalThis, key)
}

/** The installed dependencies; a page rendered in a process that installed none fails here. */
export function installedDeps(): Readonly<Deps> {
  const installed = (globalThis as Holder)[key]
  if (!installed) {
    throw new Error(
      '页面需要的服务未就绪：请用 `npm start` 或 `npm run build` 生成和提供页面，不要直接运行 astro。',
    )
  }
  return installed
}
