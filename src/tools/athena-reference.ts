import type { ResourceDefinition } from './define.js'

/** The quilt-platform://athena reference text, which the catalog's assistant loads before writing SQL. */
const ATHENA_REFERENCE = `# Querying Quilt data with athena_query

athena_query runs ONE read-only statement (SELECT, WITH ... SELECT, SHOW, DESCRIBE, EXPLAIN) in Amazon
Athena with the caller's own role. Writes, DDL and several statements at once are refused. Results are
capped by max_rows; a query that runs too long is stopped.

## Finding what to query
- athena_databases_list (it also names the account's other data catalogs, the tabulator one among
  them), then athena_tables_list(database, catalog), then athena_table_schema(database, table, catalog)
  for the exact column names and types; athena_workgroups_list for workgroup=.
- tabulator_tables_list(bucket) lists a bucket's tabulator tables and their YAML configs (columns,
  types, which package files feed them).
- Pass workgroup= the stack's Quilt workgroup when the account's "primary" workgroup has no result
  location; pass database= to avoid qualifying every table name.

## Tabulator tables
Tabulator turns matching files (e.g. every data/summary.csv) of a bucket's packages into one table.
Athena reaches them through the stack's tabulator data catalog: the catalog name is
"quilt-<stack>-tabulator" (SHOW DATABASES IN CATALOG lists it), the database is the bucket name and
the table is the tabulator table's name. Besides the configured columns, each row names its source:
$pkg_name, $logical_key, $physical_key, $top_hash and $issue.

  SELECT plate, well, cell_count
  FROM "quilt-mystack-tabulator"."quilt-example"."wellplates_summary"
  WHERE cell_count > 300
  LIMIT 20

## Writing SQL Athena accepts
- Quote identifiers with double quotes ("my-bucket", "$pkg_name"); strings with single quotes ('a').
- Hyphens in names need quotes: "quilt-example", never quilt-example.
- Always add LIMIT while exploring; Athena bills by data scanned.
- Dates: date '2024-01-31', timestamp '2024-01-31 12:00:00'; CAST(x AS DOUBLE) for numbers stored as text.
`

export const athenaReferenceResource: ResourceDefinition = {
  name: 'athena_reference',
  uri: 'quilt-platform://athena',
  title: 'Writing Athena queries for Quilt',
  description: 'Reference for athena_query: how Quilt package data and tabulator tables are named in Athena SQL, with examples.',
  mimeType: 'text/markdown',
  read: async () => ({ text: ATHENA_REFERENCE, data: {} })
}
