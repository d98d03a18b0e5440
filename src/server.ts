import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildOptions } from './app.js'
import type { Config } from './config/config.js'

/**
 * Builds the app, listens, and closes it gracefully on SIGTERM/SIGINT: stop accepting connections,
 * let in-flight requests finish within the deadline (ECS sends SIGKILL after the task's stopTimeout).
 */
export async function startServer (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(config, options)
  const graceful = closeWithGrace({ delay: config.shutdownTimeoutMs, logger: app.log }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an unexpected error')
    else app.log.info({ signal }, 'shutting down: finishing in-flight requests')
    await app.close()
  })
  app.addHook('onClose', async () => { graceful.uninstall() })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    // A port in use: close what was built (and the signal handlers) so the caller is left with nothing running.
    await app.close()
    throw err
  }
  return app
}
