import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SampleCredentials } from './credentials.js'
import type { TenantData } from './data.js'
import { answerCatalogCall, visibleTables } from './sample-athena-catalog.js'
import { sampleBody } from './sample-objects.js'
import { tabulatorColumns, type TabulatorTableData } from './tabulator.js'

interface Execution {
  id: string
  sql: string
  workgroup: string | null
  database: string | null
  catalog: string | null
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'
  reason?: string
  statementType: 'DML' | 'UTILITY'
  columns: string[]
  rows: string[][]
  readyAt: number
}

export interface SampleAthenaOptions {
  /** The issuers whose credentials this endpoint accepts. */
  credentials: SampleCredentials[]
  /** The registry's tenants, whose tabulator tables this Athena serves; the demo's seed tables when absent. */
  tenants?: Record<string, TenantData>
  port?: number
  host?: string
}

export interface SampleAthena {
  /** Endpoint for AWS_ENDPOINT_URL_ATHENA. */
  url: string
  /** How long each new query runs before it succeeds (a slow query). */
  queryDelayMs: number
  /** Every call received: its X-Amz-Target operation and JSON body. */
  calls: Array<{ operation: string, body: Record<string, unknown> }>
  executions: Map<string, Execution>
  close: () => Promise<void>
}

/** The table whose rows the sample has: the wellplates packages' summary.csv. */
const TABLE_WITH_ROWS = 'wellplates_summary'

/** That table's rows: the sample package's summary.csv, as the real tabulator reads it. */
function tableRows (): { columns: string[], rows: string[][] } {
  const [header = '', ...lines] = sampleBody('data/summary.csv', 20480).body.toString('utf8').split('\n')
  // The catalogued size cuts the file mid-line; a table holds whole rows only.
  const rows = lines.filter((line) => line.split(',').length === 4 && /\d$/.test(line)).map((line) => line.split(','))
  return { columns: header.split(','), rows }
}

/**
 * What the sample Athena can answer. It evaluates no SQL: `SHOW TABLES` lists the caller's tabulator
 * tables, a query that names one returns its rows (only wellplates_summary has any; a trailing
 * `LIMIT n` is honoured), and anything else fails as Athena fails an unknown table.
 */
function plan (sql: string, tables: TabulatorTableData[]): Pick<Execution, 'state' | 'reason' | 'statementType' | 'columns' | 'rows'> {
  if (/^\s*show\s+tables/i.test(sql)) return { state: 'SUCCEEDED', statementType: 'UTILITY', columns: ['tab_name'], rows: tables.map((t) => [t.name]) }
  const table = tables.find((t) => new RegExp(`\\b${t.name}\\b`, 'i').test(sql))
  if (table !== undefined) {
    const { columns, rows } = table.name === TABLE_WITH_ROWS ? tableRows() : { columns: tabulatorColumns(table.config).map((c) => c.name), rows: [] }
    const limit = /\blimit\s+(\d+)\s*$/i.exec(sql)?.[1]
    return { state: 'SUCCEEDED', statementType: 'DML', columns, rows: limit === undefined ? rows : rows.slice(0, Number(limit)) }
  }
  return { state: 'FAILED', reason: `TABLE_NOT_FOUND: the sample Athena knows only your tabulator tables (${tables.map((t) => t.name).join(', ') || 'none'})`, statementType: 'DML', columns: [], rows: [] }
}

async function readJson (req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : {}
  } catch {
    return {}
  }
}

function reply (res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** A local Athena endpoint speaking the AWS JSON 1.1 protocol, as the real @aws-sdk/client-athena calls it. */
export async function startSampleAthena (options: SampleAthenaOptions): Promise<SampleAthena> {
  const executions = new Map<string, Execution>()
  const calls: SampleAthena['calls'] = []
  const athena: SampleAthena = { url: '', queryDelayMs: 0, calls, executions, close: async () => {} }

  function status (execution: Execution) {
    if (execution.state === 'RUNNING' && Date.now() >= execution.readyAt) execution.state = 'SUCCEEDED'
    return execution
  }

  async function answer (req: IncomingMessage, res: ServerResponse) {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '')
    const body = await readJson(req)
    calls.push({ operation, body })
    const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const issued = options.credentials.map((issuer) => issuer.find(accessKeyId)).find((found) => found !== undefined)
    if (issued === undefined || req.headers['x-amz-security-token'] !== issued.sessionToken) {
      return reply(res, 400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' })
    }
    if (issued.stale || issued.expiration.getTime() <= Date.now()) {
      return reply(res, 400, { __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' })
    }
    const tables = visibleTables(issued, options.tenants)
    const catalogAnswer = answerCatalogCall(operation, body, tables)
    if (catalogAnswer !== undefined) return reply(res, catalogAnswer.status, catalogAnswer.body)
    const execution = executions.get(String(body.QueryExecutionId))
    switch (operation) {
      case 'StartQueryExecution': {
        const id = randomUUID()
        const context = body.QueryExecutionContext as { Database?: string, Catalog?: string } | undefined
        const sql = String(body.QueryString ?? '')
        const planned = plan(sql, [...tables.values()].flat())
        executions.set(id, {
          id,
          sql,
          workgroup: typeof body.WorkGroup === 'string' ? body.WorkGroup : null,
          database: context?.Database ?? null,
          catalog: context?.Catalog ?? null,
          ...planned,
          state: planned.state === 'FAILED' ? 'FAILED' : 'RUNNING',
          readyAt: Date.now() + athena.queryDelayMs
        })
        return reply(res, 200, { QueryExecutionId: id })
      }
      case 'GetQueryExecution':
        if (execution === undefined) return reply(res, 400, { __type: 'InvalidRequestException', Message: 'QueryExecution not found' })
        status(execution)
        return reply(res, 200, {
          QueryExecution: {
            QueryExecutionId: execution.id,
            Query: execution.sql,
            StatementType: execution.statementType,
            Status: { State: execution.state, ...(execution.reason === undefined ? {} : { StateChangeReason: execution.reason }) },
            Statistics: { DataScannedInBytes: 1024 * execution.rows.length, TotalExecutionTimeInMillis: 42 },
            WorkGroup: execution.workgroup ?? 'primary'
          }
        })
      case 'GetQueryResults': {
        if (execution === undefined || status(execution).state !== 'SUCCEEDED') {
          return reply(res, 400, { __type: 'InvalidRequestException', Message: 'Query has not yet finished.' })
        }
        // DML results repeat the column names as their first row, as Athena's do.
        const all = [...(execution.statementType === 'DML' ? [execution.columns] : []), ...execution.rows]
        const start = Number(body.NextToken ?? 0)
        const size = Number(body.MaxResults ?? 1000)
        const page = all.slice(start, start + size)
        return reply(res, 200, {
          ResultSet: {
            Rows: page.map((row) => ({ Data: row.map((value) => ({ VarCharValue: value })) })),
            ResultSetMetadata: { ColumnInfo: execution.columns.map((name) => ({ Name: name, Label: name, Type: 'varchar' })) }
          },
          ...(start + size < all.length ? { NextToken: String(start + size) } : {})
        })
      }
      case 'StopQueryExecution':
        if (execution !== undefined && execution.state === 'RUNNING') execution.state = 'CANCELLED'
        return reply(res, 200, {})
      default:
        return reply(res, 400, { __type: 'UnknownOperationException', message: `The sample Athena does not serve ${operation}` })
    }
  }

  const server = createServer((req, res) => { answer(req, res).catch(() => { if (!res.headersSent) reply(res, 500, { __type: 'InternalServerException' }) }) })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  athena.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  athena.close = () => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
  return athena
}
