import {
  AthenaClient, AthenaServiceException, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand,
  StopQueryExecutionCommand, type GetQueryResultsOutput
} from '@aws-sdk/client-athena'
import { setTimeout as delay } from 'node:timers/promises'
import type { DataAccess } from './data-access.js'
import { DataAccessDeniedError, DataInputError, DataUnavailableError, type DataError } from './errors.js'

export const MAX_ATHENA_ROWS = 1000
/** Longest text kept per cell; a wide JSON column would otherwise fill the answer alone. */
const MAX_CELL_CHARS = 2000
const POLL_START_MS = 100
const POLL_MAX_MS = 1000
/** How long stopping a query may take after the caller left or the deadline passed. */
const STOP_TIMEOUT_MS = 5000

export function athenaFailure (err: unknown): DataError | 'expired' {
  if (!(err instanceof AthenaServiceException)) {
    return new DataUnavailableError('Could not reach Athena (network error). Try again later.', { cause: err })
  }
  if (err.name === 'ExpiredTokenException' || err.name === 'ExpiredToken') return 'expired'
  if (err.name === 'AccessDeniedException' || err.name === 'UnrecognizedClientException' || err.$metadata.httpStatusCode === 403) {
    return new DataAccessDeniedError(`Athena refused the query for your role: ${err.message.slice(0, 300)}. Check the workgroup and database, or ask a catalog administrator for Athena access.`, { cause: err })
  }
  // MetadataException: an unknown catalog, database or table in the discovery calls.
  if (err.name === 'InvalidRequestException' || err.name === 'ResourceNotFoundException' || err.name === 'MetadataException') {
    return new DataInputError(`Athena rejected the request: ${err.message.slice(0, 500)}`, { cause: err })
  }
  return new DataUnavailableError(`Athena answered ${err.name}. Try again later.`, { cause: err })
}

export interface QueryResult {
  query_execution_id: string
  columns: Array<{ name: string, type: string | null }>
  rows: Array<Array<string | null>>
  /** More rows exist than were returned (max_rows reached). */
  truncated: boolean
  scanned_bytes: number | null
  execution_ms: number | null
}

type Client = AthenaClient

/** Tells Athena to stop a query nobody will read; best effort, with its own short deadline. */
async function stopQuery (client: Client, id: string): Promise<void> {
  await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: AbortSignal.timeout(STOP_TIMEOUT_MS) }).catch(() => {})
}

async function waitForQuery (client: Client, id: string, access: DataAccess, deadline: AbortSignal) {
  let pause = POLL_START_MS
  for (;;) {
    const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: access.callSignal() })
    const state = execution?.Status?.State
    if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') access.pool.cost.athenaScanned(execution?.Statistics?.DataScannedInBytes)
    if (state === 'SUCCEEDED') return execution!
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? 'no reason given'
      throw new DataInputError(`Athena ${state === 'FAILED' ? 'failed' : 'cancelled'} the query: ${reason.slice(0, 500)}`)
    }
    await delay(pause, undefined, { signal: AbortSignal.any([access.signal, deadline]) })
    pause = Math.min(pause * 2, POLL_MAX_MS)
  }
}

async function fetchRows (client: Client, id: string, access: DataAccess, skipHeader: boolean, maxRows: number) {
  const rows: Array<Array<string | null>> = []
  let columns: QueryResult['columns'] = []
  let token: string | undefined
  let skip = skipHeader ? 1 : 0
  let more = true
  while (more && rows.length <= maxRows) {
    const page: GetQueryResultsOutput = await client.send(new GetQueryResultsCommand({
      QueryExecutionId: id, NextToken: token, MaxResults: Math.min(1000, maxRows + 1 + skip)
    }), { abortSignal: access.callSignal() })
    if (columns.length === 0) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? c.Label ?? '', type: c.Type ?? null }))
    }
    for (const row of (page.ResultSet?.Rows ?? []).slice(skip)) {
      rows.push((row.Data ?? []).map((d) => d.VarCharValue === undefined ? null : d.VarCharValue.slice(0, MAX_CELL_CHARS)))
    }
    skip = 0
    token = page.NextToken
    more = token !== undefined
  }
  return { columns, rows: rows.slice(0, maxRows), truncated: rows.length > maxRows || more }
}

/**
 * Runs one (already checked, read-only) statement with the caller's role and returns at most
 * `maxRows` rows. The query is stopped in Athena when the caller goes away or the deadline passes,
 * so an abandoned query does not go on scanning (and billing) data.
 */
export async function runAthenaQuery (access: DataAccess, query: { sql: string, database?: string, workgroup?: string, catalog?: string, maxRows: number }): Promise<QueryResult> {
  const timeoutMs = access.options.athenaTimeoutMs
  return access.athena(athenaFailure, async (client) => {
    const started = await client.send(new StartQueryExecutionCommand({
      QueryString: query.sql,
      WorkGroup: query.workgroup,
      ...(query.database === undefined && query.catalog === undefined ? {} : { QueryExecutionContext: { Database: query.database, Catalog: query.catalog } })
    }), { abortSignal: access.callSignal() })
    const id = started.QueryExecutionId
    if (id === undefined) throw new DataUnavailableError('Athena accepted the query but returned no query id. Try again later.')
    const deadline = AbortSignal.timeout(timeoutMs)
    try {
      const execution = await waitForQuery(client, id, access, deadline)
      const { columns, rows, truncated } = await fetchRows(client, id, access, execution.StatementType === 'DML', query.maxRows)
      return {
        query_execution_id: id,
        columns,
        rows,
        truncated,
        scanned_bytes: execution.Statistics?.DataScannedInBytes ?? null,
        execution_ms: execution.Statistics?.TotalExecutionTimeInMillis ?? null
      }
    } catch (err) {
      if (access.signal.aborted || deadline.aborted) {
        await stopQuery(client, id)
        if (!access.signal.aborted) {
          throw new DataUnavailableError(`The query did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped. Narrow it (a LIMIT, a partition filter, fewer columns) and try again.`, { cause: err })
        }
      }
      throw err
    }
  })
}
