/**
 * Where the quilt3 Python client keeps its files: util.py sets
 * BASE_PATH = platformdirs.user_data_dir('Quilt', 'QuiltData'), holding config.yml and auth.json.
 */
import os from 'node:os'
import path from 'node:path'

export type Env = Readonly<Record<string, string | undefined>>

const APP_NAME = 'Quilt'
const APP_AUTHOR = 'QuiltData'

/** The value with surrounding white space removed; undefined when unset or blank. */
export function nonBlank (value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}

/**
 * Every directory some supported quilt3 install may use, most likely first. quilt3 accepts any
 * platformdirs >= 2, and newer platformdirs honour more overrides (XDG_DATA_HOME on macOS since 4.6.0,
 * WIN_PD_OVERRIDE_LOCAL_APPDATA on Windows since 4.8.0), so with such a variable set the older location
 * is still a candidate.
 */
export function quilt3DataDirCandidates (env: Env = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string[] {
  if (platform === 'win32') {
    // platformdirs asks Windows for FOLDERID_LocalAppData, which LOCALAPPDATA mirrors; then appauthor\appname.
    const localAppData = nonBlank(env.LOCALAPPDATA) ?? path.win32.join(home, 'AppData', 'Local')
    const override = nonBlank(env.WIN_PD_OVERRIDE_LOCAL_APPDATA)
    const bases = override !== undefined && override !== localAppData ? [override, localAppData] : [localAppData]
    return bases.map((base) => path.win32.join(base, APP_AUTHOR, APP_NAME))
  }
  const xdg = nonBlank(env.XDG_DATA_HOME)
  if (platform === 'darwin') {
    const macDefault = path.posix.join(home, 'Library', 'Application Support', APP_NAME)
    return xdg !== undefined ? [path.posix.join(xdg, APP_NAME), macDefault] : [macDefault]
  }
  // Linux and the other Unixes: platformdirs' Unix class, which has honoured XDG_DATA_HOME since 2.0.
  return [path.posix.join(xdg ?? path.posix.join(home, '.local', 'share'), APP_NAME)]
}
