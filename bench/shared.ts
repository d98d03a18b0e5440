import { createHmac } from 'node:crypto'

export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

/** An HS256 token for the bench tenant whose registry is the stub on `registryUrl`. */
export function benchToken (registryUrl: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bench', catalog_token: 'bench-catalog-token', registry_url: registryUrl, catalog_url: 'https://catalog.example.com', exp: Math.floor(Date.now() / 1000) + 3600 })}`
  return `${input}.${createHmac('sha256', BENCH_SECRET).update(input).digest('base64url')}`
}
