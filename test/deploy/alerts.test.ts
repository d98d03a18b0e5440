import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DCLinter } from 'dclint'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { AlarmTemplate } from '../helpers/dashboard-schemas.js'
import { promqlMismatches, promqlUse, scrapeAfterTraffic } from '../helpers/metric-references.js'
import { promtool } from '../helpers/promtool.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PROMETHEUS_DIR = `${ROOT}deploy/prometheus`
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8')

const RuleFile = z.object({
  groups: z.array(z.object({
    name: z.string(),
    rules: z.array(z.object({
      alert: z.string().regex(/^McpGateway[A-Za-z0-9]+$/),
      expr: z.string().min(1),
      for: z.string().regex(/^\d+[smh]$/),
      labels: z.object({ severity: z.enum(['page', 'ticket']) }),
      annotations: z.object({ summary: z.string().min(1), runbook_url: z.string().regex(/^deploy\/README\.md#alarm-[a-z0-9-]+$/) })
    }).strict())
  }))
})

t.test('the alerting rules pass promtool check and their unit tests, and Prometheus loads them', async (t) => {
  const checked = promtool(['check', 'rules', 'alerts.yml'], PROMETHEUS_DIR)
  t.equal(checked.status, 0, checked.output)
  const tested = promtool(['test', 'rules', 'alerts.test.yml'], PROMETHEUS_DIR)
  t.equal(tested.status, 0, tested.output)
  t.match(tested.output, /SUCCESS/)
  const config = promtool(['check', 'config', 'prometheus.yml'], PROMETHEUS_DIR)
  t.equal(config.status, 0, config.output)
  t.match(config.output, /SUCCESS: 1 rule files found/)

  // Every alert has a unit test that makes it fire.
  const rules = RuleFile.parse(parseYaml(read('deploy/prometheus/alerts.yml'))).groups.flatMap((g) => g.rules)
  const tests = read('deploy/prometheus/alerts.test.yml')
  for (const rule of rules) t.match(tests, new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), `${rule.alert} is tested firing`)
})

t.test('the alerting rules name only metrics and labels the gateway exports', async (t) => {
  const exported = await scrapeAfterTraffic(t)
  const rules = RuleFile.parse(parseYaml(read('deploy/prometheus/alerts.yml'))).groups.flatMap((g) => g.rules)
  t.ok(rules.length >= 7)
  const problems = rules.flatMap((rule) => promqlMismatches(promqlUse(`alert ${rule.alert}`, rule.expr), exported))
  t.same(problems, [], 'every metric and label is real')
  // Prometheus's own naming lint: only prom-client's default gauges named *_total are flagged.
  const lint = promtool(['check', 'metrics'], undefined, exported.text)
  const flagged = lint.output.split('\n').filter((line) => line.trim() !== '')
  t.same(flagged.filter((line) => !/^mcp_gateway_nodejs_active_(handles|requests|resources)_total non-counter/.test(line)), [], 'the gateway\'s own metrics pass promtool check metrics')
  for (const wanted of ['http_requests_total{status=~"5..', 'registry_request_duration_seconds_count', 'auth_failures_total', 'jwt_secret_age_seconds',
    'memory_limit_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
    t.ok(rules.some((rule) => rule.expr.includes(`mcp_gateway_${wanted}`)), `an alert on mcp_gateway_${wanted}`)
  }
})

t.test('each alarm and alert has its runbook line in deploy/README.md', async (t) => {
  const readme = read('deploy/README.md')
  const rules = RuleFile.parse(parseYaml(read('deploy/prometheus/alerts.yml'))).groups.flatMap((g) => g.rules)
  const alarms = AlarmTemplate.parse(JSON.parse(read('deploy/cloudwatch-alarms.json')))
  const anchors = [
    ...rules.map((rule) => rule.annotations.runbook_url),
    ...Object.values(alarms.Resources).map((alarm) => /deploy\/README\.md#[a-z0-9-]+$/.exec(alarm.Properties.AlarmDescription)?.[0] ?? '')
  ].map((url) => url.split('#')[1] ?? '')
  t.ok(anchors.length >= 15)
  for (const anchor of new Set(anchors)) {
    const line = readme.split('\n').find((l) => l.includes(`id="${anchor}"`))
    t.ok(line !== undefined, `deploy/README.md has a line for #${anchor}`)
    t.match(line ?? '', /\|[^|]*\|[^|]{20,}\|\s*$/, `#${anchor} says what to do`)
  }
  // Paged alerts are the same in both places.
  const cloudWatchAnchors = new Set(Object.values(alarms.Resources).map((a) => /#([a-z0-9-]+)$/.exec(a.Properties.AlarmDescription)?.[1]))
  for (const rule of rules) t.ok(cloudWatchAnchors.has(rule.annotations.runbook_url.split('#')[1]), `${rule.alert} has a CloudWatch twin`)
})

t.test('the compose observability profile: valid, opt-in, wired to the files in deploy/', async (t) => {
  const linter = new DCLinter({ rules: { 'services-alphabetical-order': 0 }, quiet: true, debug: false, exclude: [] })
  const findings: string[] = []
  for (const result of linter.lintFiles([`${ROOT}docker-compose.yml`], false)) {
    for (const message of result.messages) findings.push(`${String(message.line)}: ${String(message.rule)}: ${String(message.message)}`)
  }
  t.same(findings, [], 'dclint (compose-spec schema and best practices) finds nothing')

  const Service = z.object({ image: z.string().regex(/:[\w.-]+$/).optional(), profiles: z.array(z.string()).optional(), volumes: z.array(z.string()).optional(), ports: z.array(z.string()).optional() }).loose()
  const compose = z.object({ services: z.record(z.string(), Service) }).parse(parseYaml(read('docker-compose.yml')))
  const { prometheus, grafana, gateway } = compose.services
  t.same(prometheus?.profiles, ['observability'])
  t.same(grafana?.profiles, ['observability'])
  t.equal(gateway?.profiles, undefined, 'the gateway still starts without the profile')
  for (const service of [prometheus, grafana]) {
    t.ok(service?.image?.includes(':v') === true || /:\d/.test(service?.image ?? ''), `${service?.image ?? '?'} is pinned`)
    for (const port of service?.ports ?? []) t.match(port, /^'?127\.0\.0\.1:/, 'published on loopback only')
    for (const volume of service?.volumes ?? []) {
      const [host = '', , mode] = volume.split(':')
      t.ok(existsSync(`${ROOT}${host}`), `${host} exists`)
      t.equal(mode, 'ro', `${host} is mounted read-only`)
    }
  }
  // Prometheus scrapes the gateway service; Grafana's data source is the prometheus service.
  const scrapeTargets = (parseYaml(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> }).scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets))
  t.same(scrapeTargets, ['gateway:8000'])
  t.ok(gateway?.ports?.some((p) => p.endsWith(':8000')))
  const datasource = read('deploy/grafana/provisioning/datasources/prometheus.yml')
  t.match(datasource, /url: http:\/\/prometheus:9090/)
  t.match(read('deploy/grafana/provisioning/dashboards/quilt-mcp-gateway.yml'), /path: \/var\/lib\/grafana\/dashboards/)
  t.ok(grafana?.volumes?.includes('./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro'))
  // The dashboard's data source variable resolves to the provisioned Prometheus.
  t.match(read('deploy/grafana/dashboards/quilt-mcp-gateway.json'), /"type": "datasource",\s+"query": "prometheus"/)
})
