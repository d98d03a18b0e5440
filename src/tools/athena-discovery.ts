import { z } from 'zod'
import {
  DEFAULT_CATALOG, getTableSchema, listDatabases, listDataCatalogs, listTables, listWorkgroups, MAX_COLUMNS, TABLES_PER_PAGE
} from '../data/athena-catalog.js'
import { athenaName } from './athena.js'
import { defineTool } from './define.js'
import { bulletList } from './format.js'

// Catalog names may hold hyphens ("quilt-<stack>-tabulator"), databases are often bucket names.
const catalogArg = athenaName(255).optional().describe(`Athena data catalog; default "${DEFAULT_CATALOG}". A stack's tabulator tables live in its "quilt-<stack>-tabulator" catalog`)
const databaseArg = athenaName(255).describe('Database name (athena_databases_list), e.g. "quilt-example"')
const readOnly = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const

export const athenaDiscoveryTools = [
  defineTool({
    name: 'athena_databases_list',
    title: 'List Athena databases',
    description: 'Lists the Athena databases of a data catalog you can see, and the account\'s other data catalogs. Start here before writing SQL.',
    inputSchema: z.object({ catalog: catalogArg }),
    annotations: readOnly,
    async run ({ catalog = DEFAULT_CATALOG }, ctx) {
      const [{ items, truncated }, catalogs] = await Promise.all([listDatabases(ctx.data, catalog), listDataCatalogs(ctx.data)])
      const others = catalogs.map((c) => c.name).filter((name) => name !== catalog)
      return {
        text: [
          `${items.length}${truncated ? '+' : ''} database(s) in catalog ${catalog}${truncated ? ' (only the first are listed)' : ''}:`,
          ...bulletList(items, 100, (d) => d.name),
          ...(others.length > 0 ? [`Other data catalogs: ${others.join(', ')} (pass catalog=).`] : []),
          'Next: athena_tables_list(database).'
        ].join('\n'),
        data: { catalog, databases: items, truncated, catalogs }
      }
    }
  }),
  defineTool({
    name: 'athena_tables_list',
    title: 'List Athena tables',
    description: `Lists the tables of an Athena database: name, type, column count; ${TABLES_PER_PAGE} per page (cursor for more). Then athena_table_schema for the columns.`,
    inputSchema: z.object({
      database: databaseArg,
      catalog: catalogArg,
      pattern: z.string().trim().min(1).max(256).optional().describe('Filter on table names, Athena\'s Expression: e.g. "well*"'),
      cursor: z.string().min(1).max(4096).optional().describe('The cursor of the previous page')
    }),
    annotations: readOnly,
    async run ({ database, catalog = DEFAULT_CATALOG, pattern, cursor }, ctx) {
      const page = await listTables(ctx.data, { catalog, database, pattern, cursor })
      return {
        text: [
          page.tables.length === 0 ? `No tables in ${catalog}.${database}${pattern === undefined ? '' : ` matching "${pattern}"`} (an empty result, not an error).` : `${page.tables.length} table(s) in ${catalog}.${database}:`,
          ...bulletList(page.tables, TABLES_PER_PAGE, (t) => `${t.name} (${t.columns} columns${t.partition_keys > 0 ? `, ${t.partition_keys} partition keys` : ''})`),
          ...(page.cursor === null ? [] : ['More tables: call again with the cursor.'])
        ].join('\n'),
        data: { catalog, database, ...page }
      }
    }
  }),
  defineTool({
    name: 'athena_table_schema',
    title: 'Show an Athena table\'s columns',
    description: 'Columns and types, partition keys and location of one Athena table, to write SQL without guessing names.',
    inputSchema: z.object({ database: databaseArg, table: athenaName(255).describe('Table name (athena_tables_list)'), catalog: catalogArg }),
    annotations: readOnly,
    async run ({ database, table, catalog = DEFAULT_CATALOG }, ctx) {
      const schema = await getTableSchema(ctx.data, { catalog, database, table })
      const quoted = `"${catalog}"."${database}"."${schema.name}"`
      return {
        text: [
          `${quoted}: ${schema.columns_total} column(s)${schema.columns_total > MAX_COLUMNS ? ` (first ${MAX_COLUMNS} shown)` : ''}${schema.location === null ? '' : `, at ${schema.location}`}:`,
          ...schema.columns.map((c) => `- "${c.name}" ${c.type ?? ''}`),
          ...(schema.partition_keys.length > 0 ? [`Partition keys (filter on them to scan less): ${schema.partition_keys.map((c) => `"${c.name}" ${c.type ?? ''}`).join(', ')}`] : []),
          `Example: SELECT ${schema.columns.slice(0, 3).map((c) => `"${c.name}"`).join(', ') || '*'} FROM ${quoted} LIMIT 10`
        ].join('\n'),
        data: { catalog, database, ...schema }
      }
    }
  }),
  defineTool({
    name: 'athena_workgroups_list',
    title: 'List Athena workgroups',
    description: 'Lists the enabled Athena workgroups; pass one as athena_query\'s workgroup when the default has no result location.',
    inputSchema: z.object({}),
    annotations: readOnly,
    async run (_args, ctx) {
      const { items, truncated } = await listWorkgroups(ctx.data)
      return {
        text: [`${items.length}${truncated ? '+' : ''} enabled workgroup(s):`, ...bulletList(items, 100, (w) => w.name)].join('\n'),
        data: { workgroups: items, truncated }
      }
    }
  })
]
