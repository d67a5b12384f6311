import { ConfigError, loadConfig, type Config } from '../api/config.ts'

/**
 * The configuration for a command-line entry point. A wrong variable ends the process with exit
 * code 78 (EX_CONFIG) and the message naming it, before anything is started.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78)
    }
    throw error
  }
}
