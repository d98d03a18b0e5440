#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from './config.js'
import { startServer } from './server.js'

const USAGE = `Usage: quilt-mcp-gateway <command> [options]

Commands:
  serve    Run the HTTP gateway as configured by the environment (default)

Run "quilt-mcp-gateway <command> --help" for a command's options.`

const SERVE_USAGE = `Usage: quilt-mcp-gateway serve

Runs the MCP gateway over HTTP. Configuration comes from the environment (see README, .env.example):
PORT, HOST, MCP_PATH, MCP_JWT_SECRET or MCP_JWT_SECRET_SSM_PARAMETER + AWS_REGION, ...`

async function serve (args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write(`${SERVE_USAGE}\n`)
    return
  }
  await startServer(loadConfig())
}

const commands: Record<string, (args: string[]) => Promise<void>> = { serve }

async function main (argv: string[]): Promise<void> {
  const [first, ...rest] = argv
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const name = first === undefined || first.startsWith('-') ? 'serve' : first
  const command = commands[name]
  if (command === undefined) throw new UsageError(`unknown command "${name}"\n\n${USAGE}`)
  await command(first === name ? rest : argv)
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err: unknown) => {
  // One clear line for the person at the terminal; no stack for their mistakes.
  const known = err instanceof ConfigError || err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
  process.stderr.write(`quilt-mcp-gateway: ${known ? (err as Error).message : String((err as Error)?.stack ?? err)}\n`)
  process.exit(known ? 2 : 1)
})
