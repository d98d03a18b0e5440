import t from 'tap'
import { checkReadOnlySql } from '../../src/data/sql.js'

t.test('read-only statements pass, cleaned of comments and a trailing semicolon', async (t) => {
  for (const [sql, cleaned] of [
    ['SELECT 1', 'SELECT 1'],
    ['  select * from "db"."t" limit 5 ;  ', 'select * from "db"."t" limit 5'],
    ['-- first line\nWITH a AS (SELECT 1 AS x) SELECT x FROM a', 'WITH a AS (SELECT 1 AS x) SELECT x FROM a'],
    ['/* note */ SHOW TABLES', 'SHOW TABLES'],
    ['DESCRIBE "quilt-example"."wellplates_summary"', 'DESCRIBE "quilt-example"."wellplates_summary"'],
    ['EXPLAIN SELECT 1', 'EXPLAIN SELECT 1'],
    ["SELECT 'a -- not a comment; nor a statement' AS s", "SELECT 'a -- not a comment; nor a statement' AS s"],
    ['SELECT "delete", \'it\'\'s\' FROM t', 'SELECT "delete", \'it\'\'s\' FROM t'],
    ['SELECT replace(name, \'a\', \'b\') FROM t', 'SELECT replace(name, \'a\', \'b\') FROM t']
  ]) {
    t.same(checkReadOnlySql(sql!), { ok: true, sql: cleaned }, sql)
  }
})

t.test('writes, DDL, several statements and broken SQL are refused with a reason', async (t) => {
  for (const [sql, reason] of [
    ['DROP TABLE t', /"DROP" is not one/],
    ['insert into t values (1)', /"INSERT" is not one/],
    ['SELECT 1; SELECT 2', /Only one statement per call/],
    ['SELECT 1;;', /Only one statement per call/],
    ['WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a', /contains INSERT/],
    ['EXPLAIN ANALYZE DELETE FROM t', /contains DELETE/],
    ['SELECT delete FROM t', /Quote the word \("delete"\)/],
    ['CREATE TABLE x AS SELECT 1', /"CREATE" is not one/],
    ['UNLOAD (SELECT 1) TO \'s3://b/\' WITH (format = \'CSV\')', /"UNLOAD" is not one/],
    ['SELECT \'unterminated', /unterminated ' quote/],
    ['/* open', /unterminated \/\* comment/],
    ['  ;', /empty/],
    ['-- nothing', /empty/]
  ] as const) {
    const result = checkReadOnlySql(sql)
    t.equal(result.ok, false, sql)
    t.match(result.ok ? '' : result.reason, reason, sql)
  }
})
