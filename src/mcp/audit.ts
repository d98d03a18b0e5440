import { createHash } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Tenant } from '../platform/tenant.js'
import { activeTraceId } from '../telemetry/spans.js'

/**
 * The audit trail: one line per tool call on a child logger named "audit", in the same JSON stream as
 * the request log (ECS ships stdout to CloudWatch; filter with `{ $.name = "audit" }`). A separate
 * destination would need its own rotation and shipping; the name is enough to route it.
 *
 * Only the arguments that NAME things are recorded, from an allow-list: never file contents, metadata
 * values, commit messages or credentials. SQL is recorded as a digest (it can quote data).
 */
const NAMING_ARGUMENTS = [
  'bucket', 'buckets', 'other_bucket', 'package_name', 'other_package_name', 'path', 'prefix', 'key',
  'logical_key', 'hash', 'hash_a', 'hash_b', 'query', 'filter', 'workflow', 'database', 'workgroup', 'table'
] as const
/** Arguments recorded as a SHA-256 digest (first 16 hex digits): enough to match repeats, nothing to read. */
const DIGESTED_ARGUMENTS = ['sql'] as const
/** Arguments whose items are counted, not listed (a push can name hundreds of files; an upload carries their bytes). */
const COUNTED_ARGUMENTS = ['files', 'items', 'remove'] as const

const MAX_VALUE_CHARS = 256
const MAX_LIST_ITEMS = 20

export type AuditOutcome = 'ok' | 'error' | 'invalid_arguments'

export interface ToolAuditEntry {
  tool: string
  tenant: Tenant | undefined
  /** The parsed arguments when they were valid, else the raw ones (only allow-listed keys are read). */
  arguments: unknown
  outcome: AuditOutcome
  durationMs: number
  /** The trace id the client sent (traceparent), used when no span is active (tracing off). */
  clientTraceId?: string
  /** The HTTP request's id, as in its request log line. */
  requestId?: string
}

function namingValue (value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value.slice(0, MAX_VALUE_CHARS)
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string').slice(0, MAX_LIST_ITEMS).map((item) => item.slice(0, MAX_VALUE_CHARS))
  return undefined
}

export function sqlDigest (sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16)
}

/** The allow-listed naming arguments of a tool call; everything else is left out. */
export function namingArguments (args: unknown): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return {}
  const source = args as Record<string, unknown>
  const named: Record<string, unknown> = {}
  for (const name of NAMING_ARGUMENTS) {
    const value = namingValue(source[name])
    if (value !== undefined) named[name] = value
  }
  for (const name of DIGESTED_ARGUMENTS) {
    if (typeof source[name] === 'string') named[`${name}Digest`] = sqlDigest(source[name])
  }
  for (const name of COUNTED_ARGUMENTS) {
    if (Array.isArray(source[name])) named[`${name}Count`] = source[name].length
  }
  return named
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/

/** The trace id of a W3C traceparent header, if it is well formed. */
export function traceIdOf (traceparent: string | string[] | undefined): string | undefined {
  const value = Array.isArray(traceparent) ? traceparent[0] : traceparent
  const match = value === undefined ? null : TRACEPARENT.exec(value.trim().toLowerCase())
  return match === null || /^0+$/.test(match[1]!) ? undefined : match[1]
}

/**
 * The audit logger: always at info (unless logging is off), whatever LOG_LEVEL says. Made once per
 * app, not per request (a pino child with its own level costs about as much as the rest of a tool
 * call's logging); each line names its request id itself. Without the parent's redaction paths: an
 * audit line's keys are the fixed ones below and the allow-listed argument names, none of which a path
 * names, and walking 15 paths cost 6.5 µs a line. Values still pass the by-value redaction every
 * written line gets (src/telemetry/logger.ts).
 */
export function auditLogger (log: FastifyBaseLogger): FastifyBaseLogger {
  return log.child({ name: 'audit' }, { level: log.level === 'silent' ? 'silent' : 'info', redact: [] })
}

export function writeAuditLine (audit: FastifyBaseLogger, entry: ToolAuditEntry): void {
  const tenant = entry.tenant
  audit.info({
    reqId: entry.requestId,
    // Who, as limits count callers: (registry, kind of credential, subject); never a secret.
    user: tenant?.caller.subject,
    credential: tenant?.caller.kind,
    registryHost: tenant === undefined ? undefined : new URL(tenant.caller.registry).host,
    tool: entry.tool,
    args: namingArguments(entry.arguments),
    outcome: entry.outcome,
    durationMs: Math.round(entry.durationMs * 10) / 10,
    traceId: activeTraceId() ?? entry.clientTraceId
  }, 'tool call')
}
