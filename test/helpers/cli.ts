import { execFile } from 'node:child_process'

export interface CliResult { code: number, stdout: string, stderr: string }

/** Runs the real command line (from source, through tsx) as a user would, and collects its output. */
export function runCli (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', new URL('../../src/cli.ts', import.meta.url).pathname, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      timeout: 30_000
    }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      resolve({ code, stdout, stderr })
    })
  })
}
