import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parse as parseYaml, stringify as toYaml } from 'yaml'
import { AlarmTemplate, CloudWatchDashboard, CollectorConfig, GrafanaDashboard, type CollectorConfigShape } from '../helpers/dashboard-schemas.js'
import { promqlMismatches, promqlUse, scrapeAfterTraffic } from '../helpers/metric-references.js'
import { labelsOf, type Scrape } from '../helpers/metrics-text.js'
import { promtool } from '../helpers/promtool.js'

/** envsubst placeholders, as the operator fills them in. */
const placeholder = (name: string) => '${' + name + '}'
const read = async (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8')

/** Grafana's variables, as a query runs with them: a range and "every job". */
const withVariables = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', '.+')

interface CloudWatchUse { where: string, namespace: string, metric: string, dimensions: string[] }

/** Metrics a CloudWatch dashboard or alarm reads: metric rows and SEARCH expressions. */
function cloudWatchUses (where: string, metrics: unknown[]): CloudWatchUse[] {
  const uses: CloudWatchUse[] = []
  for (const entry of metrics) {
    if (Array.isArray(entry)) {
      const strings = entry.filter((x): x is string => typeof x === 'string')
      uses.push({ where, namespace: strings[0] ?? '', metric: strings[1] ?? '', dimensions: strings.slice(2).filter((_, i) => i % 2 === 0) })
    } else if (typeof entry === 'object' && entry !== null && 'expression' in entry && typeof entry.expression === 'string') {
      for (const search of entry.expression.matchAll(/SEARCH\('\{([^}]*)\} MetricName="([^"]+)"/g)) {
        const [namespace = '', ...dimensions] = (search[1] ?? '').split(',')
        uses.push({ where, namespace, metric: search[2] ?? '', dimensions })
      }
    }
  }
  return uses
}

/**
 * What reaches CloudWatch: the metric must be exported, kept by the collector's relabelling, and
 * declared to awsemf with exactly these dimensions, each a label the metric has (or one the collector adds).
 */
function cloudWatchMismatches (use: CloudWatchUse, exported: Scrape, collector: CollectorConfigShape): string[] {
  if (use.namespace === 'AWS/ECS') return []
  const problems: string[] = []
  const { awsemf } = collector.exporters
  if (use.namespace !== awsemf.namespace) problems.push(`${use.where}: namespace ${use.namespace} is not the collector's ${awsemf.namespace}`)
  if (!exported.families.has(use.metric)) problems.push(`${use.where}: ${use.metric} is not exported`)
  const relabel = collector.receivers.prometheus.config.scrape_configs[0]?.metric_relabel_configs ?? []
  const keep = relabel.find((r) => r.action === 'keep')
  // Relabelling sees series: a histogram's _bucket, _sum and _count.
  const histogram = exported.families.get(use.metric) === 'histogram'
  const series = histogram ? ['_bucket', '_sum', '_count'].map((suffix) => use.metric + suffix) : [use.metric]
  for (const name of series) {
    if (keep?.regex === undefined || !new RegExp(`^(?:${keep.regex})$`).test(name)) problems.push(`${use.where}: the collector drops ${name}`)
  }
  const own = labelsOf(exported, histogram ? `${use.metric}_count` : use.metric)
  // A relabelling rule adds its label to the series that carry all its source labels (status -> status_class).
  const added = relabel.flatMap((r) => r.target_label !== undefined && (r.source_labels ?? []).every((l) => own.has(l)) ? [r.target_label] : [])
  const labels = new Set([...own, ...added])
  for (const dimension of use.dimensions) if (!labels.has(dimension)) problems.push(`${use.where}: ${use.metric} has no label "${dimension}"`)
  const wanted = [...use.dimensions].sort().join(',')
  const declared = awsemf.metric_declarations.some((d) => d.metric_name_selectors.some((s) => new RegExp(s).test(use.metric)) &&
    d.dimensions.some((set) => [...set].sort().join(',') === wanted))
  if (!declared) problems.push(`${use.where}: awsemf declares no dimension set [${wanted}] for ${use.metric}`)
  return problems
}

t.test('the dashboards, alarms and collector name only metrics and labels the gateway exports', async (t) => {
  const exported = await scrapeAfterTraffic(t)
  const grafana = GrafanaDashboard.parse(JSON.parse(await read('deploy/grafana/dashboards/quilt-mcp-gateway.json')))
  const cloudwatch = CloudWatchDashboard.parse(JSON.parse(await read('deploy/cloudwatch-dashboard.json')))
  const alarms = AlarmTemplate.parse(JSON.parse(await read('deploy/cloudwatch-alarms.json')))
  const collector = CollectorConfig.parse(parseYaml(await read('deploy/otel-collector.yaml')))

  const problems: string[] = []
  for (const panel of grafana.panels) {
    if (panel.type === 'row') continue
    for (const target of panel.targets) {
      const use = promqlUse(`Grafana "${panel.title}" ${target.refId}`, target.expr)
      t.ok(use.metrics.length > 0, `${use.where} names a metric`)
      problems.push(...promqlMismatches(use, exported))
      // A legend shows labels the query's result keeps.
      for (const legend of target.legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
        if (![...use.labels, 'instance', 'job'].includes(legend[1] ?? '')) problems.push(`${use.where}: legend {{${legend[1] ?? ''}}} is not a label of the result`)
      }
    }
  }
  for (const variable of grafana.templating.list) {
    const query = (variable as { definition?: string }).definition
    if (query !== undefined) problems.push(...promqlMismatches(promqlUse(`Grafana variable ${variable.name}`, query), exported))
  }
  const cloudWatch = [
    ...cloudwatch.widgets.flatMap((w) => w.type === 'metric' ? cloudWatchUses(`CloudWatch "${w.properties.title}"`, w.properties.metrics) : []),
    ...Object.entries(alarms.Resources).flatMap(([name, alarm]) => alarm.Properties.Metrics.flatMap((m) => 'MetricStat' in m
      ? [{ where: `alarm ${name}`, namespace: collector.exporters.awsemf.namespace, metric: m.MetricStat.Metric.MetricName, dimensions: m.MetricStat.Metric.Dimensions.map((d) => d.Name) }]
      : []))
  ]
  t.ok(cloudWatch.length > 20)
  for (const use of cloudWatch) problems.push(...cloudWatchMismatches(use, exported, collector))
  t.same(problems, [], 'every metric, label and dimension is real')

  // Each kind of panel the operators asked for is there.
  const exprs = grafana.panels.flatMap((p) => p.type === 'row' ? [] : p.targets.map((x) => x.expr)).join('\n')
  for (const metric of ['http_requests_total', 'auth_failures_total', 'tool_calls_total', 'registry_request_duration_seconds_bucket', 'signin_total',
    'credential_checks_total', 'rate_limit_refusals_total', 'rate_limit_store_errors_total', 'jwt_secret_age_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes',
    'nodejs_eventloop_lag_p99_seconds', 's3_read_bytes_total', 's3_written_bytes_total', 's3_links_issued_total', 'athena_scanned_bytes_total']) {
    t.ok(exprs.includes(`mcp_gateway_${metric}`), `Grafana shows mcp_gateway_${metric}`)
    // CloudWatch holds a histogram as one metric with statistics, named after the family.
    const family = `mcp_gateway_${metric.replace(/_bucket$/, '')}`
    t.ok(cloudWatch.some((use) => use.metric === family), `CloudWatch shows ${family}`)
  }
})

t.test('every Grafana query parses as PromQL (promtool), and a broken one would not', async (t) => {
  const grafana = GrafanaDashboard.parse(JSON.parse(await read('deploy/grafana/dashboards/quilt-mcp-gateway.json')))
  const rules = grafana.panels.flatMap((p) => p.type === 'row' ? [] : p.targets.map((target) => ({ record: `grafana:panel_${p.id}_${target.refId}`, expr: withVariables(target.expr) })))
  const dir = await mkdtemp(join(tmpdir(), 'grafana-promql-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'queries.yml')
  await writeFile(file, toYaml({ groups: [{ name: 'grafana', rules }] }))
  const checked = promtool(['check', 'rules', file])
  t.equal(checked.status, 0, checked.output)
  t.match(checked.output, new RegExp(`SUCCESS: ${rules.length} rules found`))

  await writeFile(file, toYaml({ groups: [{ name: 'grafana', rules: [...rules, { record: 'grafana:broken', expr: 'sum by (route (rate(mcp_gateway_http_requests_total[5m]))' }] }] }))
  const broken = promtool(['check', 'rules', file])
  t.not(broken.status, 0, 'promtool rejects an unbalanced expression')
})

t.test('the collector config fits the task definition and an SSM parameter', async (t) => {
  const text = await read('deploy/otel-collector.yaml')
  const collector = CollectorConfig.parse(parseYaml(text))
  t.ok(Buffer.byteLength(text) <= 4096, 'fits a standard-tier SSM parameter (4 KB)')
  const taskDefinition = JSON.parse(await read('deploy/ecs-task-definition.json')) as {
    containerDefinitions: Array<{ name: string, command?: string[], portMappings?: Array<{ containerPort: number }>, environment?: Array<{ name: string, value: string }>, secrets?: Array<{ name: string, valueFrom: string }> }>
  }
  const gateway = taskDefinition.containerDefinitions.find((c) => c.name === 'gateway')
  const sidecar = taskDefinition.containerDefinitions.find((c) => c.name === 'otel-collector')
  t.same(sidecar?.command, ['--config=env:AOT_CONFIG_CONTENT'])
  t.ok(sidecar?.secrets?.some((s) => s.name === 'AOT_CONFIG_CONTENT' && s.valueFrom === placeholder('ADOT_CONFIG_PARAMETER_ARN')))
  const otlp = gateway?.environment?.find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value
  t.equal(otlp, `http://${collector.receivers.otlp.protocols.http.endpoint}`, 'the gateway sends traces where the collector listens')
  t.same(collector.receivers.prometheus.config.scrape_configs[0]?.static_configs[0]?.targets, [`127.0.0.1:${gateway?.portMappings?.[0]?.containerPort ?? 0}`], 'the collector scrapes the gateway\'s port')
  t.same(collector.service.pipelines.metrics, { receivers: ['prometheus'], processors: ['batch'], exporters: ['awsemf'] })
  t.same(collector.service.pipelines.traces.exporters, ['awsxray'])
  const executionPolicy = await read('deploy/iam-execution-policy.json')
  t.match(executionPolicy, placeholder('ADOT_CONFIG_PARAMETER_ARN'), 'the execution role may inject the config')
  const taskPolicy = JSON.parse(await read('deploy/iam-task-policy.json')) as { Statement: Array<{ Action: string | string[], Resource: string | string[] }> }
  t.ok(taskPolicy.Statement.some((s) => [s.Action].flat().includes('logs:PutLogEvents') && [s.Resource].flat().some((r) => r.includes(collector.exporters.awsemf.log_group_name))),
    'the task role may write the metrics log group')
})

// V8 sizes its heap from the host, not the task: without a cap a busy task grows towards the task's limit.
t.test('each ECS task definition caps the gateway\'s heap well under its share of the task', async (t) => {
  for (const file of ['deploy/ecs-task-definition.json', 'deploy/ecs-task-definition.secrets-env.json']) {
    const task = JSON.parse(await read(file)) as { memory: string, containerDefinitions: Array<{ name: string, memory?: number, environment?: Array<{ name: string, value: string }> }> }
    const options = task.containerDefinitions.find((c) => c.name === 'gateway')?.environment?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? ''
    const heapCap = Number(/--max-old-space-size=(\d+)/.exec(options)?.[1] ?? 0)
    const gatewayShare = Number(task.memory) - (task.containerDefinitions.find((c) => c.name === 'otel-collector')?.memory ?? 0)
    t.ok(heapCap > 0 && heapCap <= gatewayShare / 2, `${file}: the heap cap (${heapCap} MB) leaves half the gateway's ${gatewayShare} MB for code, buffers and sockets`)
  }
})
