import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { startServer } from '../server.js'

export const SERVE_USAGE = `Usage: quilt-mcp-gateway serve

Runs the MCP gateway over HTTP. Configuration comes from the environment (see README and
.env.example): PORT, HOST, MCP_PATH, MCP_JWT_SECRET or MCP_JWT_SECRET_SSM_PARAMETER + AWS_REGION, ...`

export async function serve (args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write(`${SERVE_USAGE}\n`)
    return
  }
  await startServer(loadConfig())
}
