/**
 * A glob on a relative key as a RegExp: `*` matches within one path segment, `**` across "/" (a
 * leading `**\/` also matches no folder at all), `?` one character of a segment; everything else is
 * literal. Anchored at both ends.
 */
export function globToRegExp (glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? ''
    if (char === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/'
      source += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** Keeps a key when it matches one of `include` (or include is empty) and none of `exclude`. */
export function globFilter (include: readonly string[], exclude: readonly string[]): (key: string) => boolean {
  const inc = include.map(globToRegExp)
  const exc = exclude.map(globToRegExp)
  return (key) => (inc.length === 0 || inc.some((re) => re.test(key))) && !exc.some((re) => re.test(key))
}
