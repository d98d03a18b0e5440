/** Statements athena_query runs: reads only. */
const READ_STATEMENTS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'EXPLAIN', 'VALUES', 'TABLE'])

// Words that make any statement a write, a DDL change or a side effect, wherever they appear as
// keywords (outside strings and quoted identifiers): e.g. `WITH x AS (...) INSERT`, `EXPLAIN ANALYZE DELETE`.
const FORBIDDEN = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'GRANT', 'REVOKE', 'CALL',
  'UNLOAD', 'MSCK', 'VACUUM', 'OPTIMIZE', 'PREPARE', 'EXECUTE', 'DEALLOCATE', 'SET', 'RESET', 'USE'
])

export type SqlCheck = { ok: true, sql: string } | { ok: false, reason: string }

/**
 * The SQL without comments, with string literals and quoted identifiers kept verbatim, plus the bare
 * keywords/identifiers and the semicolons found outside them.
 */
function scan (sql: string): { text: string, words: string[], semicolons: number[] } | { error: string } {
  let text = ''
  const words: string[] = []
  const semicolons: number[] = []
  let i = 0
  while (i < sql.length) {
    const char = sql.charAt(i)
    const next = sql.charAt(i + 1)
    if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? sql.length : end
      text += ' '
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2)
      if (end === -1) return { error: 'an unterminated /* comment' }
      i = end + 2
      text += ' '
    } else if (char === "'" || char === '"' || char === '`') {
      // A doubled quote inside is an escaped quote, not the end.
      let end = i + 1
      for (;;) {
        end = sql.indexOf(char, end)
        if (end === -1) return { error: `an unterminated ${char} quote` }
        if (sql.charAt(end + 1) === char) end += 2
        else break
      }
      text += sql.slice(i, end + 1)
      i = end + 1
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0]
      words.push(word.toUpperCase())
      text += word
      i += word.length
    } else {
      if (char === ';') semicolons.push(text.length)
      text += char
      i++
    }
  }
  return { text, words, semicolons }
}

/**
 * Accepts one read-only statement (SELECT, WITH … SELECT, SHOW, DESCRIBE, EXPLAIN, VALUES, TABLE) and
 * returns it without comments or a trailing semicolon; refuses everything else with a reason the
 * model can act on. Athena runs with the user's own role either way; this keeps a read tool a read.
 */
export function checkReadOnlySql (sql: string): SqlCheck {
  const scanned = scan(sql)
  if ('error' in scanned) return { ok: false, reason: `The SQL has ${scanned.error}.` }
  let text = scanned.text.trim()
  const trailing = text.endsWith(';')
  if (trailing) text = text.slice(0, -1).trim()
  if (scanned.semicolons.length > (trailing ? 1 : 0)) {
    return { ok: false, reason: 'Only one statement per call: remove the extra semicolons and run the statements one at a time.' }
  }
  const first = scanned.words[0]
  if (text === '' || first === undefined) return { ok: false, reason: 'The SQL is empty.' }
  if (!READ_STATEMENTS.has(first)) {
    return { ok: false, reason: `athena_query runs read-only statements (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN); "${first}" is not one. Writes and DDL are refused.` }
  }
  const forbidden = scanned.words.find((word) => FORBIDDEN.has(word))
  if (forbidden !== undefined) {
    return { ok: false, reason: `athena_query runs read-only statements; this one contains ${forbidden}. Quote the word ("${forbidden.toLowerCase()}") if it is a column or table name.` }
  }
  return { ok: true, sql: text }
}
