import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { SecretSource } from '../config/secret-source.js'
import { SecretStore, ssmSecretReader } from './secret-store.js'
import { StackDirectory } from './stacks-directory.js'
import type { Stack } from '../config/stacks.js'

declare module 'fastify' {
  interface FastifyInstance {
    secrets: SecretStore
    /** The Quilt stacks whose session tokens are accepted, each with its secret. */
    stacks: StackDirectory
  }
}

/**
 * How long start-up waits for the first read. Past it the gateway listens anyway and answers 503 until
 * the read (retried in the background) succeeds; waiting longer would trip Fastify's plugin timeout
 * and stop the process instead.
 */
const FIRST_READ_WAIT_MS = 3000

interface SecretsPluginOptions {
  source: SecretSource
  refreshSeconds: number
  /** Stacks with their own secret source get a store each; the default stack shares the gateway's. */
  stacks?: readonly Stack[]
}

export default fp(async function secrets (app: FastifyInstance, opts: SecretsPluginOptions) {
  function storeFor (source: SecretSource, log: FastifyBaseLogger, valueOrigin: string): SecretStore {
    const reader = source.kind === 'value' ? async () => source.value : ssmSecretReader(source.parameter, source.region)
    const store = new SecretStore(reader, { refreshMs: opts.refreshSeconds * 1000, log })
    log.info({ secretSource: source.kind === 'ssm' ? `ssm:${source.parameter}` : valueOrigin }, 'JWT secret source')
    // Awaited on ready so a healthy start is ready at once; a failing or hanging SSM does not block start-up.
    app.addHook('onReady', () => Promise.race([store.start(), delay(FIRST_READ_WAIT_MS, undefined, { ref: false })]))
    app.addHook('onClose', async () => { store.stop() })
    return store
  }
  const store = storeFor(opts.source, app.log, 'MCP_JWT_SECRET')
  app.decorate('secrets', store)
  app.decorate('stacks', new StackDirectory((opts.stacks ?? []).map((stack) => ({
    stack,
    secrets: stack.secretSource === undefined ? store : storeFor(stack.secretSource, app.log.child({ stack: stack.name }), 'MCP_STACKS_FILE')
  }))))
}, { name: 'secrets' })
