import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { constants } from 'node:fs'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { freePort } from './ports.js'

/** The operator-facing nginx files, included as they are: the test proves what operators deploy. */
const NGINX_DEPLOY_DIR = fileURLToPath(new URL('../../deploy/nginx/', import.meta.url))

export interface NginxUpstream {
  host: string
  port: number
}

export interface NginxOptions {
  /** The gateway replicas, in round-robin order: they become `upstream quilt_mcp_gateway`. */
  upstreams: NginxUpstream[]
  /** 0 (the default) picks a free port. */
  listenPort?: number
}

export interface NginxHandle {
  /** e.g. http://127.0.0.1:PORT, no trailing slash. */
  url: string
  port: number
  /** The temporary prefix directory holding nginx.conf, logs and temp files. */
  prefix: string
  /** nginx's error log so far, for assertion messages. */
  errorLog: () => Promise<string>
  /** Stops nginx and removes the prefix directory; safe to call twice. Also registered as a teardown. */
  stop: () => Promise<void>
}

const INSTALL_HINT = 'install it with `apt-get install -y --no-install-recommends nginx` ' +
  '(Debian 12+/Ubuntu; `nginx-light` on older releases), or set NGINX_BIN to the nginx binary'
const START_TIMEOUT_MS = 5000
const STOP_TIMEOUT_MS = 3000
const PORT_ATTEMPTS = 3

async function isExecutable (file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** NGINX_BIN, then /usr/sbin/nginx (Debian's place, often not on a user's PATH), then PATH. */
async function findNginx (env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.NGINX_BIN !== undefined && env.NGINX_BIN !== '') {
    if (await isExecutable(env.NGINX_BIN)) return env.NGINX_BIN
    throw new Error(`NGINX_BIN=${env.NGINX_BIN} is not an executable file; unset it or ${INSTALL_HINT}`)
  }
  const candidates = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx',
    ...(env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, 'nginx'))]
  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return candidate
  }
  throw new Error(`nginx is not installed (looked in /usr/sbin, /usr/local/sbin and PATH): ${INSTALL_HINT}`)
}

/** nginx builds differ in which proxy modules they have; a *_temp_path of a missing module is a fatal error. */
function temporaryPathModules (binary: string): string[] {
  const version = spawnSync(binary, ['-V'], { encoding: 'utf8' })
  const configure = `${version.stdout}${version.stderr}`
  return ['fastcgi', 'uwsgi', 'scgi'].filter((module) => !configure.includes(`--without-http_${module}_module`))
}

const quote = (path: string) => JSON.stringify(path)

/**
 * The config: everything nginx writes (pid, logs, temp files) lives in the prefix directory, so it runs
 * as any user without touching /var. `master_process off` keeps nginx to one process: nothing changes
 * user when started as root, no lock file, and stopping that one pid stops it all. The http block adds
 * settings a catalog's server may well have (gzip for everything, intercepted errors): the included
 * locations must hold against them.
 */
function nginxConfig (options: { prefix: string, port: number, upstreams: NginxUpstream[], modules: string[] }): string {
  const { prefix, port, upstreams, modules } = options
  const servers = upstreams.map(({ host, port }) => `        server ${host.includes(':') ? `[${host}]` : host}:${port} max_fails=1 fail_timeout=10s;`)
  return `daemon off;
master_process off;
worker_processes 1;
pid ${quote(join(prefix, 'nginx.pid'))};
error_log ${quote(join(prefix, 'error.log'))} notice;

events {
    worker_connections 256;
}

http {
    access_log ${quote(join(prefix, 'access.log'))};
    client_body_temp_path ${quote(join(prefix, 'client_body_temp'))};
    proxy_temp_path ${quote(join(prefix, 'proxy_temp'))};
${modules.map((module) => `    ${module}_temp_path ${quote(join(prefix, `${module}_temp`))};`).join('\n')}

    include ${quote(join(NGINX_DEPLOY_DIR, 'mcp-http.conf'))};

    # Generated per test, in place of deploy/nginx/mcp-upstream.conf.
    upstream quilt_mcp_gateway {
${servers.join('\n')}
        keepalive 8;
        keepalive_timeout 60s;
    }

    # What a catalog may set for its own pages; the MCP locations override each of these.
    gzip on;
    gzip_types *;
    gzip_min_length 1;
    proxy_buffering on;

    server {
        listen 127.0.0.1:${port};
        server_name localhost;
        proxy_intercept_errors on;
        error_page 401 403 404 500 502 503 504 /catalog-error.html;

        include ${quote(join(NGINX_DEPLOY_DIR, 'mcp-location.conf'))};
        # The registry host's location (the catalog's assistant), in the same server: nginx sends every
        # Host here, so the gateway's choice of stack by Host is what the tests see.
        include ${quote(join(NGINX_DEPLOY_DIR, 'mcp-registry-location.conf'))};

        location = /catalog-error.html {
            internal;
            default_type text/html;
            return 200 '<html>catalog error page</html>';
        }

        location / {
            default_type text/plain;
            return 200 'catalog\\n';
        }
    }
}
`
}

async function accepts (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { resolve(false) })
  })
}

async function waitForExit (child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true
  return await Promise.race([
    new Promise<boolean>((resolve) => child.once('exit', () => resolve(true))),
    delay(ms, false)
  ])
}

/**
 * Starts a real nginx in front of the given upstreams with the project's deploy/nginx files included,
 * and stops it when the test ends. Fails with an install hint when nginx is missing.
 */
export async function startNginx (t: Test, options: NginxOptions): Promise<NginxHandle> {
  if (options.upstreams.length === 0) throw new Error('startNginx: give at least one upstream')
  const binary = await findNginx()
  const modules = temporaryPathModules(binary)
  const prefix = await mkdtemp(join(tmpdir(), 'quilt-mcp-nginx-'))
  const errorLog = async () => await readFile(join(prefix, 'error.log'), 'utf8').catch(() => '')
  let child: ChildProcess | undefined
  let stopped = false

  const stop = async () => {
    if (stopped) return
    stopped = true
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM') // fast shutdown; SIGQUIT would wait for open keep-alive clients
      if (!await waitForExit(child, STOP_TIMEOUT_MS)) {
        child.kill('SIGKILL')
        await waitForExit(child, STOP_TIMEOUT_MS)
      }
    }
    await rm(prefix, { recursive: true, force: true })
  }
  t.teardown(stop)

  const attempts = options.listenPort !== undefined && options.listenPort !== 0 ? 1 : PORT_ATTEMPTS
  for (let attempt = 1; ; attempt++) {
    const port = options.listenPort !== undefined && options.listenPort !== 0 ? options.listenPort : await freePort()
    await writeFile(join(prefix, 'nginx.conf'), nginxConfig({ prefix, port, upstreams: options.upstreams, modules }))
    let output = ''
    const started = spawn(binary, ['-e', 'stderr', '-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = started
    started.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    started.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    const spawnError = new Promise<Error>((resolve) => started.once('error', resolve))

    const deadline = Date.now() + START_TIMEOUT_MS
    while (Date.now() < deadline && started.exitCode === null && started.signalCode === null) {
      if (await accepts(port)) {
        return { url: `http://127.0.0.1:${port}`, port, prefix, errorLog, stop }
      }
      const failed = await Promise.race([spawnError, delay(25, undefined)])
      if (failed !== undefined) throw new Error(`could not run ${binary}: ${failed.message}`)
    }

    const exited = started.exitCode !== null || started.signalCode !== null
    if (!exited) started.kill('SIGKILL')
    await waitForExit(started, STOP_TIMEOUT_MS)
    const log = `${output}${await errorLog()}`.trim()
    if (exited && /Address already in use/.test(log) && attempt < attempts) continue
    throw new Error(exited
      ? `nginx exited at start (${started.exitCode ?? started.signalCode}):\n${log}`
      : `nginx did not accept connections on port ${port} within ${START_TIMEOUT_MS} ms:\n${log}`)
  }
}
