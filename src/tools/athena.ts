import { z } from 'zod'
import { MAX_ATHENA_ROWS, runAthenaQuery } from '../data/athena.js'
import { DataInputError } from '../data/errors.js'
import { checkReadOnlySql } from '../data/sql.js'
import { defineTool } from './define.js'
import { formatBytes } from './format.js'

// Athena names: letters, digits, underscores, hyphens (workgroups), within AWS's length limits.
export const athenaName = (max: number) => z.string().trim().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only').max(max)

export const athenaTools = [
  defineTool({
    name: 'athena_query',
    title: 'Run a read-only Athena query',
    description: `Runs one read-only SQL statement (SELECT, WITH … SELECT, VALUES, TABLE, SHOW, DESCRIBE, and EXPLAIN [ANALYZE] of those) in Amazon Athena with your own role and returns at most max_rows rows (default 100, up to ${MAX_ATHENA_ROWS}). Writes, DDL, table functions (TABLE(...), pass-through queries) and several statements at once are refused; this check keeps a read tool a read, but the real guard is your IAM role and the Athena workgroup, which decide what any query may touch. A query that runs too long is stopped. athena_databases_list, athena_tables_list and athena_table_schema show what to query; quilt-platform://athena explains tabulator tables.`,
    inputSchema: z.object({
      sql: z.string().min(1).max(100_000).describe('One read-only statement, e.g. SELECT * FROM "db"."table" LIMIT 10'),
      database: athenaName(255).optional().describe('Default database for unqualified table names'),
      workgroup: athenaName(128).optional().describe('Athena workgroup to run in (its settings decide where results go); default: the account\'s "primary"'),
      catalog: athenaName(255).optional().describe('Data catalog for unqualified names, e.g. a stack\'s "quilt-<stack>-tabulator"; default AwsDataCatalog'),
      max_rows: z.int().min(1).max(MAX_ATHENA_ROWS).default(100).describe(`Most rows to return, 1 to ${MAX_ATHENA_ROWS}`)
    }),
    annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
    async run ({ sql, database, workgroup, catalog, max_rows: maxRows }, ctx) {
      const checked = checkReadOnlySql(sql)
      if (!checked.ok) throw new DataInputError(checked.reason)
      const result = await runAthenaQuery(ctx.data, { sql: checked.sql, database, workgroup, catalog, maxRows })
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
