import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'

export type SsmMode = 'ok' | 'error' | 'throttle' | 'missing'

/**
 * A local SSM-compatible endpoint speaking the AWS JSON 1.1 protocol (`AmazonSSM.GetParameter`), so the
 * real @aws-sdk/client-ssm talks to it through AWS_ENDPOINT_URL_SSM exactly as it talks to AWS.
 */
export class FakeSsm {
  value: string
  mode: SsmMode = 'ok'
  /** Delay before each answer (a slow or hanging SSM). */
  delayMs = 0
  version = 1
  /** GetParameter calls received, including failed ones. */
  calls = 0
  lastRequest: { name?: string, withDecryption?: boolean } = {}
  url = ''
  readonly #server = createServer((req, res) => { this.#handle(req, res) })
  readonly #delayed = new Set<NodeJS.Timeout>()

  constructor (value: string) {
    this.value = value
  }

  async start (): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
    return this
  }

  async close (): Promise<void> {
    for (const timer of this.#delayed) clearTimeout(timer)
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #handle (req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const timer = setTimeout(() => { this.#delayed.delete(timer); this.#answer(req, res, chunks) }, this.delayMs)
      this.#delayed.add(timer)
    })
  }

  #answer (req: IncomingMessage, res: ServerResponse, chunks: Buffer[]): void {
    if (res.destroyed) return
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify(body))
    }
    if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter') {
      reply(400, { __type: 'UnknownOperationException', message: `unsupported ${String(req.headers['x-amz-target'])}` })
      return
    }
    this.calls++
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { Name?: string, WithDecryption?: boolean }
    this.lastRequest = { name: body.Name, withDecryption: body.WithDecryption }
    switch (this.mode) {
      case 'error': return reply(500, { __type: 'InternalServerError', message: 'injected outage' })
      case 'throttle': return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' })
      case 'missing': return reply(400, { __type: 'ParameterNotFound', message: 'not found' })
      case 'ok': return reply(200, {
        Parameter: { Name: body.Name, Type: 'SecureString', Value: this.value, Version: this.version, DataType: 'text', LastModifiedDate: Date.now() / 1000 }
      })
    }
  }
}

/**
 * Starts a fake SSM and points the AWS SDK at it through the standard environment variables. Each tap
 * file runs in its own process, so setting process.env here does not leak into other tests.
 */
export async function startFakeSsm (t: Test, value: string): Promise<FakeSsm> {
  const ssm = await new FakeSsm(value).start()
  process.env.AWS_ENDPOINT_URL_SSM = ssm.url
  process.env.AWS_ACCESS_KEY_ID = 'test'
  process.env.AWS_SECRET_ACCESS_KEY = 'test'
  t.teardown(() => ssm.close())
  return ssm
}
