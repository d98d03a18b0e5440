import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process'
import { Readable, Writable } from 'node:stream'
import type { Test } from 'tap'
import type { CommandIo } from '../../src/commands/program.js'
import { run as runGateway } from '../../src/commands/run.js'

export interface CliResult { code: number, stdout: string, stderr: string }

/** The command line as `node` runs it from source (through tsx); append the command's own arguments. */
export const CLI_ARGS = ['--import', 'tsx', new URL('../../src/cli.ts', import.meta.url).pathname]
/** The sample stack's command line (demo, sample-registry), from packages/sample-stack. */
export const SAMPLE_STACK_ARGS = ['--import', 'tsx', new URL('../../packages/sample-stack/src/cli.ts', import.meta.url).pathname]

/** A clean environment (nothing inherited but PATH and HOME) plus the given variables. */
export const cliEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...env })

/** Runs the real command line (from source, through tsx) in a process of its own, and collects its output. */
export function spawnCli (args: string[], env: NodeJS.ProcessEnv = {}, entry = CLI_ARGS): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...entry, ...args], { env: cliEnv(env), timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      resolve({ code, stdout, stderr })
    })
  })
}

/** A stream collecting what a command writes, as text (synchronously: nothing is pending when it returns). */
function collector (): { stream: Writable, text: () => string } {
  let text = ''
  const stream = new Writable({
    write (chunk: Buffer | string, _encoding, done) {
      text += chunk.toString()
      done()
    }
  })
  return { stream, text: () => text }
}

/**
 * Runs a command line in this process, as its entry would with the given environment (clean, as
 * `cliEnv` makes it) and an empty stdin: the exit code and what it wrote. For commands that finish
 * (help, usage and configuration errors, token); a command that starts a server is spawned instead.
 */
export async function runCli (args: string[], env: NodeJS.ProcessEnv = {}, run: (argv: string[], io: CommandIo) => Promise<number> = runGateway): Promise<CliResult> {
  const stdout = collector()
  const stderr = collector()
  const code = await run(args, { stdin: Readable.from([]), stdout: stdout.stream, stderr: stderr.stream, env: cliEnv(env) })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}
export interface RunningCli {
  child: ChildProcessByStdio<Writable, Readable, Readable>
  stdout: () => string
  stderr: () => string
  /** Exit code, or the signal's name when a signal ended it. */
  exited: Promise<number | string>
  /** Resolves with the match once stdout matches; rejects if the process exits or 30 s pass first. */
  waitForStdout: (pattern: RegExp) => Promise<RegExpMatchArray>
}

/** Starts a long-running command (a server); killed at the end of the test if still running. */
export function startCli (t: Test, args: string[], env: NodeJS.ProcessEnv = {}, entry = CLI_ARGS): RunningCli {
  const child = spawn(process.execPath, [...entry, ...args], { env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => { resolve(code ?? signal ?? -1) }))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const waitForStdout = (pattern: RegExp) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(stdout)
      if (match === null) return
      cleanup()
      resolve(match)
    }
    const fail = (why: string) => () => {
      cleanup()
      reject(new Error(`${why} before stdout matched ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`))
    }
    const onExit = fail('the command exited')
    const timer = setTimeout(fail('30 s passed'), 30_000)
    const cleanup = () => {
      clearTimeout(timer)
      child.stdout.off('data', check)
      child.off('close', onExit)
    }
    child.stdout.on('data', check)
    child.once('close', onExit)
    check()
  })
  return { child, stdout: () => stdout, stderr: () => stderr, exited, waitForStdout }
}
