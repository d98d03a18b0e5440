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
    ['SELECT replace(name, \'a\', \'b\') FROM t', 'SELECT replace(name, \'a\', \'b\') FROM t'],
    // Issue 16: reads users need.
    ['SHOW CREATE TABLE wellplates_summary', 'SHOW CREATE TABLE wellplates_summary'],
    ['SHOW CREATE VIEW v', 'SHOW CREATE VIEW v'],
    ["SELECT key FROM t WHERE regexp_like(key, '\\d+')", "SELECT key FROM t WHERE regexp_like(key, '\\d+')"],
    ['EXPLAIN ANALYZE SELECT count(*) FROM t', 'EXPLAIN ANALYZE SELECT count(*) FROM t'],
    ['EXPLAIN ANALYZE VERBOSE SELECT 1', 'EXPLAIN ANALYZE VERBOSE SELECT 1'],
    ['EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) WITH a AS (SELECT 1) SELECT * FROM a', 'EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) WITH a AS (SELECT 1) SELECT * FROM a'],
    ['VALUES (1, \'a\'), (2, \'b\')', 'VALUES (1, \'a\'), (2, \'b\')'],
    ['TABLE wellplates_summary', 'TABLE wellplates_summary'],
    ['(SELECT 1) UNION ALL (SELECT 2)', '(SELECT 1) UNION ALL (SELECT 2)'],
    ["SELECT 'ınsert, ſ, ＤＲＯＰ, Ѕ' AS \"naïve\"", "SELECT 'ınsert, ſ, ＤＲＯＰ, Ѕ' AS \"naïve\""],
    ['SELECT 1 -- a comment in Deutsch: Größe\n', 'SELECT 1']
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
    ['EXPLAIN ANALYZE DELETE FROM t', /"DELETE" is not one/],
    ['SELECT delete FROM t', /Quote the word \("delete"\)/],
    ['CREATE TABLE x AS SELECT 1', /"CREATE" is not one/],
    ['UNLOAD (SELECT 1) TO \'s3://b/\' WITH (format = \'CSV\')', /"UNLOAD" is not one/],
    ['SELECT \'unterminated', /unterminated ' quote/],
    ['/* open', /unterminated \/\* comment/],
    ['  ;', /empty/],
    ['-- nothing', /empty/],
    // Issue 16: what Trino runs under EXPLAIN ANALYZE, besides DDL.
    ['EXPLAIN ANALYZE ANALYZE t', /"ANALYZE" is not one/],
    ['EXPLAIN ANALYZE REFRESH MATERIALIZED VIEW mv', /"REFRESH" is not one/],
    ['EXPLAIN (TYPE IO) INSERT INTO t VALUES (1)', /"INSERT" is not one/],
    ['EXPLAIN VERBOSE CALL system.flush_metadata_cache()', /"CALL" is not one/],
    ['ANALYZE t', /"ANALYZE" is not one/],
    ['SHOW TABLES; CREATE TABLE x (a int)', /Only one statement per call/],
    ['SELECT 1 FROM t WHERE EXISTS (SELECT 1) AND x IN (CREATE)', /contains CREATE/],
    // Pass-through table functions: the write sits in a string literal.
    ["SELECT * FROM TABLE(system.query(query => 'DELETE FROM customers'))", /Table functions \(TABLE\(\.\.\.\)\) are refused/],
    ["SELECT * FROM TABLE (postgres.system.query('DELETE FROM customers'))", /Table functions/],
    ["SELECT * FROM postgres.system.query('DELETE FROM customers')", /Pass-through queries/],
    ["SELECT * FROM x(query => 'DELETE FROM customers')", /Pass-through queries/],
    // Look-alike letters outside literals.
    ['ınsert into t values (1)', /non-ASCII character "ı" \(U\+0131\)/],
    ['inſert into t values (1)', /non-ASCII character "ſ" \(U\+017F\)/],
    ['ＤＲＯＰ TABLE t', /non-ASCII character "Ｄ" \(U\+FF24\)/],
    ['SELECT 1; Ѕelect 2', /non-ASCII character "Ѕ" \(U\+0405\)/],
    ['SELECT\u00a01', /non-ASCII character/],
    // One string to this check, two statements to a parser that honours backslash escapes.
    ["SHOW TABLES LIKE 'a\\'' ; DROP TABLE t --'", /backslash before a ' quote/],
    ["SELECT 'a\\' , x FROM t WHERE y = '; DROP TABLE t; --'", /backslash before a ' quote/]
  ] as const) {
    const result = checkReadOnlySql(sql)
    t.equal(result.ok, false, sql)
    t.match(result.ok ? '' : result.reason, reason, sql)
  }
})
