import { signHs256 } from '../src/auth/token.js'

export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

/** An HS256 token for the bench tenant whose registry is the stub on `registryUrl`. */
export function benchToken (registryUrl: string): string {
  return signHs256({ sub: 'bench', catalog_token: 'bench-catalog-token', registry_url: registryUrl, catalog_url: 'https://catalog.example.com', exp: Math.floor(Date.now() / 1000) + 3600 }, BENCH_SECRET)
}
