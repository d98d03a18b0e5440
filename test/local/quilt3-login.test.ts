import { readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import type { Test } from 'tap'
import { resolveLocalCredentials } from '../../src/local/credentials.js'
import { LocalCredentialsError, NotLoggedInError } from '../../src/local/errors.js'
import { quilt3DataDirCandidates } from '../../src/local/quilt3-data-dir.js'
import { readQuilt3Login } from '../../src/local/quilt3-login.js'

const quilt3DataDir = (...args: Parameters<typeof quilt3DataDirCandidates>) => quilt3DataDirCandidates(...args)[0]

const REGISTRY = 'https://registry.example.com'
const NOW_MS = Date.parse('2026-01-01T00:00:00Z')
const now = () => NOW_MS
const inAnHour = NOW_MS / 1000 + 3600

// What quilt3 writes after `quilt3 config https://catalog.example.com`: its template merged with the
// catalog's config.json, through PyYAML's yaml.dump (keys sorted, None as null; generated with PyYAML 6).
const CONFIG_YML = `apiGatewayEndpoint: https://abc123.execute-api.us-east-1.amazonaws.com/prod
binaryApiGatewayEndpoint: https://def456.execute-api.us-east-1.amazonaws.com/prod
default_install_location: null
default_local_registry: file:///home/alice/.local/share/Quilt/packages
default_registry_version: 1
default_remote_registry: null
navigator_url: https://catalog.example.com
region: us-east-1
registryUrl: https://registry.example.com
s3Proxy: https://catalog.example.com/__s3proxy
telemetry_disabled: false
`

// The template as written before any catalog is configured.
const EMPTY_CONFIG_YML = CONFIG_YML
  .replace(/^(apiGatewayEndpoint|binaryApiGatewayEndpoint|navigator_url|region|registryUrl|s3Proxy): .*$/gm, '$1: null')

// json.dump of {registryUrl: {refresh_token, access_token, expires_at}} (session.py `_save_auth`).
function authJson (entries: Record<string, { access_token: string, refresh_token?: string, expires_at: unknown }>): string {
  return JSON.stringify(entries)
}

const CREDENTIALS_JSON = JSON.stringify({ access_key: 'AKIA', secret_key: 'secret', token: 'session', expiry_time: '2026-01-01T01:00:00+00:00' })

function loggedIn (expiresAt: number = inAnHour) {
  return {
    'config.yml': CONFIG_YML,
    'auth.json': authJson({ [REGISTRY]: { refresh_token: 'refresh-secret', access_token: 'access-secret', expires_at: expiresAt } }),
    'credentials.json': CREDENTIALS_JSON
  }
}

async function caught (promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(() => undefined, (err: unknown) => err)
}

/** A LocalCredentialsError that is not about being logged out, matching `message`. */
async function rejectsConfigError (t: Test, promise: Promise<unknown>, message: RegExp, name: string): Promise<void> {
  const err = await caught(promise)
  t.ok(err instanceof LocalCredentialsError && !(err instanceof NotLoggedInError), `${name}: a LocalCredentialsError`)
  t.match(err instanceof Error ? err.message : '', message, name)
  t.notMatch(err instanceof Error ? err.message : '', /secret/, `${name}: never shows a token`)
}

async function rejectsNotLoggedIn (t: Test, promise: Promise<unknown>, reason: string, messages: RegExp[]): Promise<NotLoggedInError | undefined> {
  try {
    await promise
    t.fail('expected NotLoggedInError')
    return undefined
  } catch (err) {
    t.ok(err instanceof NotLoggedInError, 'is a NotLoggedInError')
    t.ok(err instanceof LocalCredentialsError, 'is a LocalCredentialsError')
    if (!(err instanceof NotLoggedInError)) return undefined
    t.equal(err.reason, reason)
    for (const message of messages) t.match(err.message, message)
    t.notMatch(err.message, /secret/, 'never shows a token')
    return err
  }
}

t.test('data dir per platform, with the overrides platformdirs honours', async (t) => {
  t.equal(quilt3DataDir({}, 'linux', '/home/alice'), '/home/alice/.local/share/Quilt')
  t.equal(quilt3DataDir({ XDG_DATA_HOME: '/data/xdg' }, 'linux', '/home/alice'), '/data/xdg/Quilt')
  t.equal(quilt3DataDir({ XDG_DATA_HOME: '  ' }, 'linux', '/home/alice'), '/home/alice/.local/share/Quilt', 'blank XDG_DATA_HOME is unset')
  t.equal(quilt3DataDir({ XDG_DATA_HOME: '/data/xdg' }, 'freebsd', '/home/alice'), '/data/xdg/Quilt')

  t.equal(quilt3DataDir({}, 'darwin', '/Users/alice'), '/Users/alice/Library/Application Support/Quilt')
  t.same(quilt3DataDirCandidates({ XDG_DATA_HOME: '/Users/alice/.xdg' }, 'darwin', '/Users/alice'),
    ['/Users/alice/.xdg/Quilt', '/Users/alice/Library/Application Support/Quilt'], 'platformdirs >= 4.6 first, older second')

  t.equal(quilt3DataDir({ LOCALAPPDATA: 'C:\\Users\\alice\\AppData\\Local', XDG_DATA_HOME: 'D:\\xdg' }, 'win32', 'C:\\Users\\alice'),
    'C:\\Users\\alice\\AppData\\Local\\QuiltData\\Quilt', 'Windows ignores XDG and nests appauthor\\appname')
  t.equal(quilt3DataDir({}, 'win32', 'C:\\Users\\alice'), 'C:\\Users\\alice\\AppData\\Local\\QuiltData\\Quilt')
  t.same(quilt3DataDirCandidates({ LOCALAPPDATA: 'C:\\Users\\alice\\AppData\\Local', WIN_PD_OVERRIDE_LOCAL_APPDATA: 'E:\\apps' }, 'win32', 'C:\\Users\\alice'),
    ['E:\\apps\\QuiltData\\Quilt', 'C:\\Users\\alice\\AppData\\Local\\QuiltData\\Quilt'], 'platformdirs >= 4.8 override first')
})

t.test('the saved quilt3 login is read', async (t) => {
  const dataDir = t.testdir(loggedIn())
  t.same(await readQuilt3Login({ dataDir, now }), {
    catalogToken: 'access-secret',
    registryUrl: REGISTRY,
    catalogUrl: 'https://catalog.example.com',
    expiresAt: inAnHour
  })
})

t.test('the data dir is found from env, platform and home like quilt3 does', async (t) => {
  const root = t.testdir({
    linux: { xdg: { Quilt: loggedIn() }, home: {} },
    mac: { xdg: {}, home: { Library: { 'Application Support': { Quilt: loggedIn() } } } }
  })
  const creds = await readQuilt3Login({ env: { XDG_DATA_HOME: path.join(root, 'linux', 'xdg') }, platform: 'linux', home: path.join(root, 'linux', 'home'), now })
  t.equal(creds.catalogToken, 'access-secret')

  const macRoot = path.join(root, 'mac')
  const mac = await readQuilt3Login({ env: { XDG_DATA_HOME: path.join(macRoot, 'xdg') }, platform: 'darwin', home: path.join(macRoot, 'home'), now })
  t.equal(mac.catalogToken, 'access-secret', 'an older platformdirs ignored XDG_DATA_HOME on macOS')
})

t.test('the registry URL keeps quilt3\'s exact key; trailing slashes go from the result', async (t) => {
  const dataDir = t.testdir({
    'config.yml': CONFIG_YML.replace('registryUrl: https://registry.example.com', 'registryUrl: \'https://registry.example.com/\''),
    'auth.json': authJson({
      [REGISTRY]: { access_token: 'wrong-secret', expires_at: inAnHour },
      [`${REGISTRY}/`]: { refresh_token: 'r', access_token: 'right-secret', expires_at: inAnHour }
    })
  })
  const creds = await readQuilt3Login({ dataDir, now })
  t.equal(creds.catalogToken, 'right-secret')
  t.equal(creds.registryUrl, REGISTRY)
})

t.test('missing data dir: NotLoggedInError naming the directory searched', async (t) => {
  const root = t.testdir({ empty: {} })
  const dataDir = path.join(root, 'nope', 'Quilt')
  const err = await rejectsNotLoggedIn(t, readQuilt3Login({ dataDir, now }), 'no_data_dir', [
    new RegExp(dataDir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')), /quilt3 login/, /quilt3\.login\(\)/, /QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL/
  ])
  t.equal(err?.dataDir, dataDir)

  await rejectsNotLoggedIn(t, readQuilt3Login({ env: { XDG_DATA_HOME: path.join(root, 'xdg') }, platform: 'darwin', home: path.join(root, 'empty'), now }),
    'no_data_dir', [/xdg.Quilt .*also searched: .*Application Support.Quilt/])
})

t.test('data dir without config.yml, or configured to no catalog', async (t) => {
  const navOnly = EMPTY_CONFIG_YML.replace('navigator_url: null', 'navigator_url: https://catalog.example.com')
  const root = t.testdir({ unconfigured: { packages: {} }, empty: { 'config.yml': EMPTY_CONFIG_YML }, navOnly: { 'config.yml': navOnly } })
  await rejectsNotLoggedIn(t, readQuilt3Login({ dataDir: path.join(root, 'unconfigured'), now }), 'no_config', [/config\.yml does not exist/, /quilt3 config https:/])
  await rejectsNotLoggedIn(t, readQuilt3Login({ dataDir: path.join(root, 'empty'), now }), 'no_catalog', [/navigator_url and registryUrl are empty/, /quilt3\.config\(/])
  await rejectsNotLoggedIn(t, readQuilt3Login({ dataDir: path.join(root, 'navOnly'), now }), 'no_catalog', [/navigator_url https:\/\/catalog\.example\.com but no registryUrl/])
})

t.test('no auth entry for the configured registry', async (t) => {
  const cases: Record<string, Record<string, string>> = {
    'no auth.json': { 'config.yml': CONFIG_YML },
    'after quilt3 logout': { 'config.yml': CONFIG_YML, 'auth.json': '{}', 'credentials.json': '{}' },
    'logged in elsewhere': { 'config.yml': CONFIG_YML, 'auth.json': authJson({ 'https://other.example.com': { refresh_token: 'r', access_token: 'other-secret', expires_at: inAnHour } }) }
  }
  const root = t.testdir(cases)
  for (const name of Object.keys(cases)) {
    await rejectsNotLoggedIn(t, readQuilt3Login({ dataDir: path.join(root, name), now }), 'no_auth', [
      /configured for https:\/\/catalog\.example\.com but not logged in/, /no login for the registry https:\/\/registry\.example\.com/, /`quilt3 login`/
    ])
    t.pass(name)
  }
})

t.test('an access token quilt3 would refresh is not used, and the files are left alone', async (t) => {
  const root = t.testdir({ expired: loggedIn(NOW_MS / 1000 - 10), soon: loggedIn(NOW_MS / 1000 + 30), later: loggedIn(NOW_MS / 1000 + 61) })
  const dataDir = path.join(root, 'expired')
  await rejectsNotLoggedIn(t, readQuilt3Login({ dataDir, now }), 'expired', [/expired at 2025-12-31T23:59:50\.000Z/, /quilt3\.session\.get_session\(\)/, /quilt3 login/])
  // quilt3 refreshes a token that expires within 60 s, so such a token is treated as expired too.
  await rejectsNotLoggedIn(t, readQuilt3Login({ dataDir: path.join(root, 'soon'), now }), 'expired', [])
  const later = await readQuilt3Login({ dataDir: path.join(root, 'later'), now })
  t.equal(later.catalogToken, 'access-secret')
  t.equal(await readFile(path.join(dataDir, 'auth.json'), 'utf8'), loggedIn(NOW_MS / 1000 - 10)['auth.json'], 'auth.json unchanged')
})

t.test('files not in quilt3\'s format are LocalCredentialsErrors, not guesses', async (t) => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['auth.json not JSON', { 'config.yml': CONFIG_YML, 'auth.json': '{"https://registry' }, /Cannot parse .*auth\.json/],
    ['auth.json a list', { 'config.yml': CONFIG_YML, 'auth.json': '[]' }, /not the JSON object/],
    ['auth entry without expiry', { 'config.yml': CONFIG_YML, 'auth.json': authJson({ [REGISTRY]: { access_token: 'x-secret', expires_at: 'soon' } }) }, /expires_at/],
    ['registryUrl not a URL', { 'config.yml': CONFIG_YML.replace('registryUrl: https://registry.example.com', 'registryUrl: registry') }, /registryUrl must be an http\(s\) URL/],
    ['registryUrl nested', { 'config.yml': CONFIG_YML.replace('registryUrl: https://registry.example.com', 'registryUrl:\n  url: https://registry.example.com') }, /registryUrl must be an http\(s\) URL/],
    ['registryUrl a list', { 'config.yml': CONFIG_YML.replace('registryUrl: https://registry.example.com', 'registryUrl: [https://registry.example.com]') }, /registryUrl must be an http\(s\) URL/],
    ['registryUrl a number', { 'config.yml': CONFIG_YML.replace('registryUrl: https://registry.example.com', 'registryUrl: 1.5') }, /registryUrl must be an http\(s\) URL/],
    ['not YAML key: value', { 'config.yml': 'just text\n' }, /Invalid .*config\.yml: \(file\) must be the "key: value" mapping/],
    ['a list, not a mapping', { 'config.yml': '- registryUrl: https://registry.example.com\n' }, /Invalid .*config\.yml: \(file\) must be the "key: value" mapping/],
    ['two documents', { 'config.yml': `${CONFIG_YML}---\nregistryUrl: https://other.example.com\n` }, /Cannot parse .*config\.yml \(.*multiple documents/],
    ['unterminated quote', { 'config.yml': 'registryUrl: \'https://registry.example.com\n' }, /Cannot parse .*config\.yml \(.*quote/]
  ]
  const root = t.testdir(Object.fromEntries(cases.map(([name, files]) => [name, files])))
  for (const [name, , message] of cases) {
    await rejectsConfigError(t, readQuilt3Login({ dataDir: path.join(root, name), now }), message, name)
  }
})

t.test('environment variables win over the saved login', async (t) => {
  const dataDir = t.testdir(loggedIn())
  const env = { QUILT_CATALOG_TOKEN: ' env-token\n', QUILT_REGISTRY_URL: 'https://env-registry.example.com/', QUILT_CATALOG_URL: 'https://env-catalog.example.com/' }
  t.same(await resolveLocalCredentials(env, { dataDir, now }), {
    catalogToken: 'env-token', registryUrl: 'https://env-registry.example.com', catalogUrl: 'https://env-catalog.example.com'
  })
  const noCatalog = await resolveLocalCredentials({ QUILT_CATALOG_TOKEN: 'qk_api_key', QUILT_REGISTRY_URL: 'http://localhost:3000' }, { dataDir, now })
  t.same(noCatalog, { catalogToken: 'qk_api_key', registryUrl: 'http://localhost:3000', catalogUrl: undefined })
})

t.test('without the environment variables the saved login is used', async (t) => {
  const root = t.testdir({ xdg: { Quilt: loggedIn() } })
  const dataDir = path.join(root, 'xdg', 'Quilt')
  t.equal((await resolveLocalCredentials({ QUILT_CATALOG_TOKEN: '', QUILT_REGISTRY_URL: ' ' }, { dataDir, now })).catalogToken, 'access-secret', 'blank counts as unset')
  const creds = await resolveLocalCredentials({ XDG_DATA_HOME: path.join(root, 'xdg') }, { platform: 'linux', home: root, now })
  t.equal(creds.catalogToken, 'access-secret', 'the env given is also the one the data dir is found from')
  await rejectsNotLoggedIn(t, resolveLocalCredentials({}, { dataDir: path.join(root, 'missing'), now }), 'no_data_dir', [/missing/])
})

t.test('a partial set of environment variables is a clear error', async (t) => {
  const dataDir = t.testdir(loggedIn())
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ QUILT_CATALOG_TOKEN: 'tok' }, /QUILT_CATALOG_TOKEN is set but QUILT_REGISTRY_URL is not/],
    [{ QUILT_REGISTRY_URL: REGISTRY }, /QUILT_REGISTRY_URL is set but QUILT_CATALOG_TOKEN is not/],
    [{ QUILT_CATALOG_URL: 'https://catalog.example.com' }, /QUILT_CATALOG_URL is set but QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL are not/],
    [{ QUILT_CATALOG_TOKEN: 'tok', QUILT_REGISTRY_URL: 'registry.example.com' }, /QUILT_REGISTRY_URL must be an http\(s\) URL/],
    [{ QUILT_CATALOG_TOKEN: 'tok', QUILT_REGISTRY_URL: REGISTRY, QUILT_CATALOG_URL: 'ftp://x' }, /QUILT_CATALOG_URL must be an http\(s\) URL/]
  ]
  for (const [env, message] of cases) {
    await rejectsConfigError(t, resolveLocalCredentials(env, { dataDir, now }), message, JSON.stringify(env))
  }
})

t.test('config.yml is read as the YAML PyYAML writes and reads, not only as flat lines', async (t) => {
  const registry = 'registryUrl: https://registry.example.com'
  const spellings: Array<[string, string]> = [
    ['single-quoted', CONFIG_YML.replace(registry, "registryUrl: 'https://registry.example.com'")],
    ['double-quoted with an escape', CONFIG_YML.replace(registry, 'registryUrl: "https://registry.example\\x2Ecom"')],
    ['on the next line, indented', CONFIG_YML.replace(registry, 'registryUrl:\n  https://registry.example.com')],
    ['a quoted value over two lines', CONFIG_YML.replace(registry, 'registryUrl: "https://registry.\\\n  example.com"')],
    ['a document marker, comments and CRLF', `--- # quilt3\r\n${CONFIG_YML.replace(registry, `${registry} # mine`).replaceAll('\n', '\r\n')}`],
    ['a flow mapping', '{navigator_url: https://catalog.example.com, registryUrl: https://registry.example.com}\n'],
    ['other keys nested or listed', `${CONFIG_YML}extra:\n  nested: [1, 2]\nlisted:\n- a\n- b\n`]
  ]
  const root = t.testdir(Object.fromEntries(spellings.map(([name, config]) => [name, { ...loggedIn(), 'config.yml': config }])))
  for (const [name] of spellings) {
    const creds = await readQuilt3Login({ dataDir: path.join(root, name), now })
    t.same(creds, { catalogToken: 'access-secret', registryUrl: REGISTRY, catalogUrl: 'https://catalog.example.com', expiresAt: inAnHour }, name)
  }
})
