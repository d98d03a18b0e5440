import { z } from 'zod'
import { tabulatorTablesQuery } from '../platform/operations/data.js'
import { tabulatorTableRenameMutation, tabulatorTableSetMutation } from '../platform/operations/tabulator.js'
import { unwrapArms } from '../platform/union-arms.js'
import { sharedAdminStatus } from './admin-status.js'
import { bucketArg } from './arguments.js'
import type { ToolContext } from './context.js'
import { defineTool } from './define.js'
import { bulletList } from './format.js'
import { ToolInputError } from './result.js'

// The registry decides what a valid name is; this only keeps control characters and essays out.
const tableNameArg = (what: string) => z.string().trim().min(1).max(255).regex(/^[^\s/\\]+$/, 'one word, no spaces or slashes')
  .describe(`${what}, e.g. "wellplates_summary"`)

/**
 * Before 2026-04-22 a registry changes tabulator tables only under `admin`: a non-admin's call is
 * refused here, with nothing sent, rather than reaching a registry that would answer "forbidden".
 */
async function checkMayChange (ctx: ToolContext): Promise<void> {
  const { topLevelTabulatorMutations } = await ctx.registry.capabilities()
  if (!topLevelTabulatorMutations && !(await sharedAdminStatus.isAdmin(ctx))) {
    throw new ToolInputError('This registry (older than 2026-04-22) lets only catalog administrators change tabulator tables, and it does not list you as one. Nothing was sent; ask an administrator.')
  }
}

const tableNames = (tables: Array<{ name: string }>) => tables.map((t) => t.name)

export const tabulatorTools = [
  defineTool({
    name: 'tabulator_tables_list',
    title: 'Tabulator tables of a bucket',
    description: 'Lists a bucket\'s tabulator tables with their YAML configs (columns, which package files they read). Query them with athena_query; quilt-platform://athena says how to name them.',
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
    name: 'tabulator_table_set',
    title: 'Create or replace a tabulator table',
    description: 'Creates a tabulator table in a bucket, or replaces its config. config is the table\'s YAML (schema, source, parser; see tabulator_tables_list for an example). The registry validates it and its message comes back as the error.',
    inputSchema: z.object({
      bucket: bucketArg,
      table_name: tableNameArg('Table name'),
      config: z.string().trim().min(1, 'the table\'s YAML config is required').max(65_536).describe('The table\'s YAML config: schema (columns), source (package_name and logical_key regexes), parser (csv or parquet)')
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ bucket, table_name: table, config }, ctx) {
      await checkMayChange(ctx)
      const answer = await ctx.registry.execute(tabulatorTableSetMutation, { bucket, table, config }, ctx)
      const result = unwrapArms('TabulatorTableSet', `set tabulator table ${table} in s3://${bucket}`, answer)
      return {
        text: `Tabulator table ${table} in s3://${bucket} is set. Query it with athena_query (its columns: athena_table_schema).`,
        data: { bucket, table_name: table, tables: tableNames(result.tabulatorTables) }
      }
    }
  }),

  defineTool({
    name: 'tabulator_table_rename',
    title: 'Rename a tabulator table',
    description: 'Renames a bucket\'s tabulator table (the registry checks the new name). SQL that names the old table stops working.',
    inputSchema: z.object({ bucket: bucketArg, table_name: tableNameArg('Current table name'), new_name: tableNameArg('New table name') }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run ({ bucket, table_name: table, new_name: newName }, ctx) {
      await checkMayChange(ctx)
      const answer = await ctx.registry.execute(tabulatorTableRenameMutation, { bucket, table, newName }, ctx)
      const result = unwrapArms('TabulatorTableRename', `rename tabulator table ${table} in s3://${bucket}`, answer)
      return {
        text: `Tabulator table ${table} in s3://${bucket} is now ${newName}.`,
        data: { bucket, table_name: newName, previous_name: table, tables: tableNames(result.tabulatorTables) }
      }
    }
  }),

  defineTool({
    name: 'tabulator_table_delete',
    title: 'Delete a tabulator table',
    description: 'Deletes a bucket\'s tabulator table (its config; the package files stay). Cannot be undone except by setting it again.',
    inputSchema: z.object({ bucket: bucketArg, table_name: tableNameArg('Table to delete') }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ bucket, table_name: table }, ctx) {
      await checkMayChange(ctx)
      const answer = await ctx.registry.execute(tabulatorTableSetMutation, { bucket, table, config: null }, ctx)
      const result = unwrapArms('TabulatorTableSet', `delete tabulator table ${table} in s3://${bucket}`, answer)
      return {
        text: `Tabulator table ${table} of s3://${bucket} is deleted.`,
        data: { bucket, deleted: table, tables: tableNames(result.tabulatorTables) }
      }
    }
  })
]
