import { LRUCache } from 'lru-cache'

/**
 * Failed credential checks per client address (clientAddress: the proxy's header counts only under
 * MCP_TRUST_PROXY), so the consent page cannot be used to guess login codes or API keys.
 */
export class FailureLimit {
  readonly #failures: LRUCache<string, number>
  readonly #max: number

  constructor (max = 10, windowMs = 60_000) {
    this.#max = max
    this.#failures = new LRUCache<string, number>({ max: 50_000, ttl: windowMs })
  }

  blocked (address: string): boolean {
    return (this.#failures.get(address) ?? 0) >= this.#max
  }

  fail (address: string): void {
    // The window starts at the first failure and is not extended by later ones.
    const count = this.#failures.get(address)
    if (count === undefined) this.#failures.set(address, 1)
    else this.#failures.set(address, count + 1, { noUpdateTTL: true })
  }
}
