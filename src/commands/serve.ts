import { loadConfig } from '../config/config.js'
import { startServer } from '../server.js'
import { startTracing } from '../telemetry/tracing.js'
import { explainListenError, parseCommand } from './flags.js'
import type { CommandIo } from './program.js'

export const SERVE_USAGE = `Usage: quilt-mcp-gateway serve

Runs the MCP gateway over HTTP. Configuration comes from the environment (see README and
.env.example): PORT, HOST, MCP_PATH, MCP_JWT_SECRET or MCP_JWT_SECRET_SSM_PARAMETER + AWS_REGION, ...`

export async function serve (args: string[], { stdout, env }: CommandIo): Promise<void> {
  if (parseCommand(args, {}, SERVE_USAGE, stdout) === undefined) return
  const config = loadConfig(env)
  // Before the app exists: @fastify/otel attaches to Fastify instances as they are created.
  await startTracing(env)
  await startServer(config).catch((err: unknown) => { throw explainListenError(err, 'PORT', config.port, config.host) })
}
