/**
 * The read-only check of athena_query. It is a guard for a read tool, not a security boundary: the
 * user's IAM role and Athena workgroup decide what a statement may really do. It is an allow-list of
 * statement kinds, and where Athena's parser (Trino) and this scanner could read one text two ways
 * (look-alike letters, backslash escapes, SQL passed through as a string) it refuses.
 */

/** Statements athena_query runs, also after `EXPLAIN [ANALYZE] [VERBOSE] [(options)]`. */
const READ_STATEMENTS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'SHOW', 'DESCRIBE', 'DESC'])
const READ_LIST = 'SELECT, WITH, VALUES, TABLE, SHOW, DESCRIBE, and EXPLAIN [ANALYZE] of those'

// Words that make any statement a write, a DDL change or a side effect, wherever they appear as
// keywords (outside strings and quoted identifiers): e.g. `WITH x AS (...) INSERT`. ANALYZE is allowed
// only as EXPLAIN's option, CREATE only in `SHOW CREATE ...`.
const FORBIDDEN = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'GRANT', 'REVOKE', 'CALL',
  'UNLOAD', 'MSCK', 'VACUUM', 'OPTIMIZE', 'PREPARE', 'EXECUTE', 'DEALLOCATE', 'SET', 'RESET', 'USE',
  'ANALYZE', 'REFRESH'
])

export type SqlCheck = { ok: true, sql: string } | { ok: false, reason: string }

type Token = { kind: 'word', text: string } | { kind: 'literal' } | { kind: 'punct', text: string }

/**
 * The SQL without comments, with string literals and quoted identifiers kept verbatim, and its
 * tokens outside them (words upper-cased).
 */
function scan (sql: string): { text: string, tokens: Token[] } | { error: string } {
  let text = ''
  const tokens: Token[] = []
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
      if (end === -1) return { error: 'The SQL has an unterminated /* comment.' }
      i = end + 2
      text += ' '
    } else if (char === "'" || char === '"' || char === '`') {
      // A doubled quote inside is an escaped quote, not the end.
      let end = i + 1
      for (;;) {
        end = sql.indexOf(char, end)
        if (end === -1) return { error: `The SQL has an unterminated ${char} quote.` }
        // Athena's SQL escapes a quote by doubling it; engines that honour backslash escapes would
        // end (or not end) this literal elsewhere, and read a different statement.
        if (sql.charAt(end - 1) === '\\') {
          return { error: `The SQL has a backslash before a ${char} quote inside a quoted text (\\${char}). Write a quote inside a string by doubling it (${char}${char}); other backslashes, such as '\\d+' in a regular expression, are fine.` }
        }
        if (sql.charAt(end + 1) === char) end += 2
        else break
      }
      text += sql.slice(i, end + 1)
      tokens.push({ kind: 'literal' })
      i = end + 1
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0]
      tokens.push({ kind: 'word', text: word.toUpperCase() })
      text += word
      i += word.length
    } else if (char.charCodeAt(0) > 0x7f) {
      // Look-alike letters (ı U+0131, ſ U+017F, fullwidth, Cyrillic) that an engine might fold to keywords.
      return { error: `The SQL has the non-ASCII character "${char}" (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) outside a string or quoted name. Write keywords and names in ASCII, and quote names that need other characters ("name").` }
    } else {
      if (char === '=' && next === '>') {
        tokens.push({ kind: 'punct', text: '=>' })
        text += '=>'
        i += 2
        continue
      }
      if (!/\s/.test(char)) tokens.push({ kind: 'punct', text: char })
      text += char
      i++
    }
  }
  return { text, tokens }
}

const isWord = (token: Token | undefined, ...words: string[]): boolean => token?.kind === 'word' && words.includes(token.text)
const isPunct = (token: Token | undefined, punct: string): boolean => token?.kind === 'punct' && token.text === punct

/** Index of the statement kind's word: past leading parentheses and `EXPLAIN [ANALYZE] [VERBOSE] [(...)]`. */
function statementStart (tokens: Token[]): { at: number, explainAnalyze: number | undefined } | { error: string } {
  let at = 0
  let explainAnalyze: number | undefined
  if (isWord(tokens[at], 'EXPLAIN')) {
    at++
    if (isWord(tokens[at], 'ANALYZE')) explainAnalyze = at++
    if (isWord(tokens[at], 'VERBOSE')) at++
    if (isPunct(tokens[at], '(')) {
      // Options such as (TYPE DISTRIBUTED, FORMAT JSON): words and commas only.
      at++
      while (tokens[at] !== undefined && !isPunct(tokens[at], ')')) {
        if (tokens[at]!.kind !== 'word' && !isPunct(tokens[at], ',')) return { error: 'EXPLAIN takes options as words, e.g. EXPLAIN (TYPE DISTRIBUTED) SELECT ...' }
        at++
      }
      at++
    }
  }
  while (isPunct(tokens[at], '(')) at++
  return { at, explainAnalyze }
}

/**
 * Accepts one read-only statement (SELECT, WITH … SELECT, VALUES, TABLE, SHOW, DESCRIBE, and EXPLAIN
 * [ANALYZE] of those) and returns it without comments or a trailing semicolon; refuses everything
 * else with a reason the model can act on.
 */
export function checkReadOnlySql (sql: string): SqlCheck {
  const scanned = scan(sql)
  if ('error' in scanned) return { ok: false, reason: scanned.error }
  let text = scanned.text.trim()
  let tokens = scanned.tokens
  if (isPunct(tokens.at(-1), ';')) {
    tokens = tokens.slice(0, -1)
    text = text.slice(0, -1).trim()
  }
  if (tokens.some((token) => isPunct(token, ';'))) {
    return { ok: false, reason: 'Only one statement per call: remove the extra semicolons and run the statements one at a time.' }
  }
  if (tokens.length === 0) return { ok: false, reason: 'The SQL is empty.' }
  const start = statementStart(tokens)
  if ('error' in start) return { ok: false, reason: start.error }
  const kind = tokens[start.at]
  if (kind?.kind !== 'word' || !READ_STATEMENTS.has(kind.text)) {
    const what = kind?.kind === 'word' ? `"${kind.text}"` : 'what follows'
    return { ok: false, reason: `athena_query runs read-only statements (${READ_LIST}); ${what} is not one. Writes and DDL are refused.` }
  }
  for (const [index, token] of tokens.entries()) {
    if (isWord(token, 'TABLE') && isPunct(tokens[index + 1], '(')) {
      return { ok: false, reason: 'Table functions (TABLE(...)) are refused: they can pass SQL through to another engine. Query the tables directly.' }
    }
    if (isPunct(token, '=>') || (isWord(token, 'QUERY') && isPunct(tokens[index - 1], '.') && isPunct(tokens[index + 1], '('))) {
      return { ok: false, reason: 'Pass-through queries (system.query, named arguments with =>) are refused: they send SQL to another engine. Query the tables directly.' }
    }
    if (token.kind !== 'word' || !FORBIDDEN.has(token.text)) continue
    if (index === start.explainAnalyze) continue
    if (token.text === 'CREATE' && kind.text === 'SHOW' && index === start.at + 1) continue
    return { ok: false, reason: `athena_query runs read-only statements; this one contains ${token.text}. Quote the word ("${token.text.toLowerCase()}") if it is a column or table name.` }
  }
  return { ok: true, sql: text }
}
