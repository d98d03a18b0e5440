import { runProgram, type CommandIo } from './program.js'

const USAGE = `Usage: quilt-mcp-gateway <command> [options]

Commands:
  serve            Run the HTTP gateway as configured by the environment (default)
  stdio            Serve the tools over MCP stdio to one local user (desktop MCP clients)
  token            Mint a gateway token for testing

Run "quilt-mcp-gateway <command> --help" for a command's options.`

/** The gateway's command line, run in this process with the given streams and environment: the exit code. */
export function run (argv: string[], io: CommandIo): Promise<number> {
  return runProgram({
    name: 'quilt-mcp-gateway',
    usage: USAGE,
    defaultCommand: 'serve',
    commands: {
      serve: async () => (await import('./serve.js')).serve,
      stdio: async () => (await import('./stdio.js')).stdio,
      token: async () => (await import('./token.js')).token
    }
  }, argv, io)
}
