import closeWithGrace from 'close-with-grace'
import { ERAS, isEra, NEWEST_ERA } from './eras.js'
import { startSampleRegistry } from './server.js'
import { explainListenError, parseCommand, parsePort } from '../../../src/commands/flags.js'
import type { CommandIo } from '../../../src/commands/program.js'
import { UsageError } from '../../../src/commands/usage-error.js'

export const SAMPLE_REGISTRY_USAGE = `Usage: sample-stack sample-registry [--port 4000] [--host 127.0.0.1] [--era ${NEWEST_ERA}] [--secure-search]

Runs only the embedded sample Quilt registry: a GraphQL server at /graphql with demo tenants, buckets
and packages, kept in memory (changes are lost on exit). Point a gateway token at it with
"quilt-mcp-gateway token --registry-url <its URL> --catalog-token <a tenant token below>".
The gateway accepts a plain-http registry on loopback only.

Options:
  --port <port>     listen port; 0 picks a free one   default: 4000
  --host <address>  listen address                    default: 127.0.0.1
  --era <date>      registry schema to serve, one of ${ERAS.join(', ')}
                                                      default: ${NEWEST_ERA}
  --secure-search   answer searches as a secure-search stack does: total -1, hits behind cursors
  -h, --help        this text`

export async function sampleRegistry (args: string[], { stdout }: CommandIo): Promise<void> {
  const values = parseCommand(args, {
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
    era: { type: 'string', default: NEWEST_ERA },
    'secure-search': { type: 'boolean', default: false }
  }, SAMPLE_REGISTRY_USAGE, stdout)
  if (values === undefined) return
  const port = parsePort('--port', values.port)
  const { era } = values
  if (!isEra(era)) throw new UsageError(`--era must be one of ${ERAS.join(', ')} (got "${era}")`)
  const registry = await startSampleRegistry({ port, host: values.host, era, secureSearch: values['secure-search'] })
    .catch((err: unknown) => { throw explainListenError(err, '--port', port) })
  // SIGTERM (docker stop) and Ctrl-C close the listener and its keep-alive connections, then exit 0.
  closeWithGrace({ delay: 5000, logger: false }, () => registry.close())
  const tenants = Object.entries(registry.tenants).map(([token, tenant]) =>
    `  ${token.padEnd(22)}${tenant.me.email}, buckets ${tenant.buckets.map((bucket) => bucket.name).join(', ')}`)
  stdout.write(`Sample Quilt registry on ${registry.url}/graphql (schema ${era}${values['secure-search'] ? ', secure search' : ''})\nTenants (catalog token, user, buckets):\n${tenants.join('\n')}\n`)
}
