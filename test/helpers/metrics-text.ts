/** A scrape of the gateway's GET /metrics, parsed from the Prometheus text format. */
export interface Scrape {
  text: string
  /** Metric family name → type (counter, gauge, histogram, ...), from the `# TYPE` lines. */
  families: Map<string, string>
  samples: Array<{ name: string, labels: Record<string, string>, value: number }>
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export async function scrape (gatewayUrl: string): Promise<Scrape> {
  const response = await fetch(`${gatewayUrl}/metrics`)
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
  const text = await response.text()
  const families = new Map<string, string>()
  const samples: Scrape['samples'] = []
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type !== null) families.set(type[1] ?? '', type[2] ?? '')
    const sample = SAMPLE.exec(line)
    if (sample === null || line.startsWith('#')) continue
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(LABEL)].map((m) => [m[1] ?? '', m[2] ?? '']))
    samples.push({ name: sample[1] ?? '', labels, value: Number(sample[3]) })
  }
  return { text, families, samples }
}

/** Sum of a metric's samples whose labels include `labels`. */
export function total (scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scrape.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
}

/**
 * Every series name a query may use: counters and gauges by their family name, histograms by their
 * _bucket, _sum and _count series. (prom-client names a counter's family with its _total suffix.)
 */
export function seriesNames (scrape: Scrape): Set<string> {
  const names = new Set<string>()
  for (const [family, type] of scrape.families) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(family + suffix)
    else names.add(family)
  }
  return names
}

/** Label names each series carries (with the histogram's `le` on _bucket only). */
export function labelsOf (scrape: Scrape, series: string): Set<string> {
  return new Set(scrape.samples.filter((s) => s.name === series).flatMap((s) => Object.keys(s.labels)))
}
