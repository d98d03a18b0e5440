import type { IncomingMessage, ServerResponse } from 'node:http'

interface ObjectExistence { existsObject (bucket: string, key: string): Promise<boolean> }

export type WriteRefusal = { status: number, code: string, message: string }

/**
 * S3's conditional write, which s3rver lacks: a PUT with `If-None-Match: *` is refused with 412
 * PreconditionFailed when the key exists, and one that races another conditional write of the same
 * key gets 409 ConditionalRequestConflict, as S3 answers (so the refusal is race-free). Returns the
 * refusal, or undefined to let the write through; the key stays claimed until the response ends.
 */
export class ConditionalWrites {
  readonly #store: ObjectExistence
  readonly #inFlight = new Set<string>()

  constructor (store: ObjectExistence) {
    this.#store = store
  }

  async check (req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<WriteRefusal | undefined> {
    if (req.method !== 'PUT' || req.headers['if-none-match'] === undefined) return undefined
    if (req.headers['if-none-match'] !== '*') return { status: 501, code: 'NotImplemented', message: 'If-None-Match on PUT takes only "*".' }
    const id = `${bucket}/${key}`
    if (this.#inFlight.has(id)) return { status: 409, code: 'ConditionalRequestConflict', message: 'A conflicting conditional operation is currently in progress against this resource. Please try again.' }
    this.#inFlight.add(id)
    res.once('close', () => this.#inFlight.delete(id))
    if (await this.#store.existsObject(bucket, key)) return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' }
    return undefined
  }
}
