import { z } from 'zod'
import { MAX_ATHENA_ROWS, runAthenaQuery } from '../data/athena.js'
import { DataInputError } from '../data/errors.js'
import { checkReadOnlySql } from '../data/sql.js'
import { tabulatorTablesQuery } from '../platform/operations/data.js'
import { bucketArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, formatBytes } from './format.js'
import { ToolInputError } from './result.js'

// Athena names: letters, digits, underscores, hyphens (workgroups), within AWS's length limits.
const athenaName = (max: number) => z.string().trim().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only').max(max)

export const athenaTools = [
  defineTool({
    name: 'tabulator_tables_list',
    title: 'Tabulator tables of a bucket',
    description: 'Lists the tabulator tables configured for a bucket: each table\'s name and its YAML config (columns and types, which package files it reads). Tabulator tables can be queried with athena_query; read the quilt-platform://athena resource for how to name them in SQL.',
    inputSchema: z.object({ bucket: bucketArg }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ bucket }, ctx) {
      const { bucketConfig } = await ctx.registry.execute(tabulatorTablesQuery, { bucket }, ctx)
      if (bucketConfig === null) {
        throw new ToolInputError(`Bucket s3://${bucket} was not found in this catalog, or you have no access to it. Call bucket_list for the buckets you can use.`)
      }
      const tables = bucketConfig.tabulatorTables
      return {
        text: tables.length === 0
          ? `s3://${bucket} has no tabulator tables (an empty result, not an error).`
          : [`${tables.length} tabulator table(s) in s3://${bucket}:`, ...bulletList(tables, 50, (t) => t.name)].join('\n'),
        data: { bucket, tables }
      }
    }
  }),

  defineTool({
    name: 'athena_query',
    title: 'Run a read-only Athena query',
    description: `Runs one read-only SQL statement (SELECT, WITH … SELECT, VALUES, TABLE, SHOW, DESCRIBE, and EXPLAIN [ANALYZE] of those) in Amazon Athena with your own role and returns at most max_rows rows (default 100, up to ${MAX_ATHENA_ROWS}). Writes, DDL, table functions (TABLE(...), pass-through queries) and several statements at once are refused; this check keeps a read tool a read, but the real guard is your IAM role and the Athena workgroup, which decide what any query may touch. A query that runs too long is stopped. Read the quilt-platform://athena resource first for how tabulator tables and package data are named.`,
    inputSchema: z.object({
      sql: z.string().min(1).max(100_000).describe('One read-only statement, e.g. SELECT * FROM "db"."table" LIMIT 10'),
      database: athenaName(255).optional().describe('Default database for unqualified table names'),
      workgroup: athenaName(128).optional().describe('Athena workgroup to run in (its settings decide where results go); default: the account\'s "primary"'),
      max_rows: z.int().min(1).max(MAX_ATHENA_ROWS).default(100).describe(`Most rows to return, 1 to ${MAX_ATHENA_ROWS}`)
    }),
    annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
    async run ({ sql, database, workgroup, max_rows: maxRows }, ctx) {
      const checked = checkReadOnlySql(sql)
      if (!checked.ok) throw new DataInputError(checked.reason)
      const result = await runAthenaQuery(ctx.data, { sql: checked.sql, database, workgroup, maxRows })
      const header = result.columns.map((c) => c.name).join(' | ')
      return {
        text: [
          `${result.rows.length} row(s)${result.truncated ? ` (more exist; only the first ${maxRows} are shown)` : ''}${result.scanned_bytes === null ? '' : `, ${formatBytes(result.scanned_bytes)} scanned`}.`,
          header,
          ...result.rows.slice(0, 50).map((row) => row.map((cell) => cell ?? 'NULL').join(' | ')),
          ...(result.rows.length > 50 ? [`… ${result.rows.length - 50} more row(s) in the structured result`] : [])
        ].join('\n'),
        data: { ...result }
      }
    }
  })
]
