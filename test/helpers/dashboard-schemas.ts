import { z } from 'zod'

/**
 * The shapes Grafana (dashboard JSON, schemaVersion 36+), CloudWatch (dashboard body structure,
 * PutMetricAlarm's metric data queries as CloudFormation writes them) and the ADOT collector load:
 * what each tool needs to accept a file, not every field it allows.
 */

const DatasourceRef = z.object({ type: z.literal('prometheus'), uid: z.string().min(1) })
const GridPos = z.object({ x: z.int().min(0).max(23), y: z.int().min(0), w: z.int().min(1).max(24), h: z.int().min(1) })
  .refine((g) => g.x + g.w <= 24, 'a panel must fit the 24-column grid')

const GrafanaTarget = z.object({ refId: z.string().regex(/^[A-Z]$/), expr: z.string().min(1), legendFormat: z.string(), datasource: DatasourceRef })

const GrafanaPanel = z.discriminatedUnion('type', [
  z.object({ type: z.literal('row'), id: z.int().positive(), title: z.string().min(1), gridPos: GridPos, collapsed: z.boolean(), panels: z.array(z.unknown()) }),
  z.object({
    type: z.enum(['timeseries', 'stat']),
    id: z.int().positive(),
    title: z.string().min(1),
    description: z.string().min(1),
    datasource: DatasourceRef,
    gridPos: GridPos,
    targets: z.array(GrafanaTarget).min(1),
    fieldConfig: z.object({ defaults: z.object({ unit: z.string().min(1) }).loose(), overrides: z.array(z.unknown()) })
  })
])

export const GrafanaDashboard = z.object({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  title: z.string().min(1),
  schemaVersion: z.int().min(36),
  time: z.object({ from: z.string(), to: z.string() }),
  templating: z.object({ list: z.array(z.object({ name: z.string().regex(/^\w+$/), type: z.enum(['datasource', 'query', 'custom', 'constant']) }).loose()) }),
  panels: z.array(GrafanaPanel).min(1)
}).loose()

/** [namespace, metric, dimension name, value, ..., {options}] */
const CloudWatchMetricRow = z.array(z.union([z.string(), z.object({ id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/), stat: z.string().min(1) }).loose()]))
  .refine((row) => row.length >= 3 && typeof row[row.length - 1] === 'object' && row.slice(0, -1).every((x) => typeof x === 'string') && (row.length - 3) % 2 === 0,
    'a metric row is namespace, name, dimension pairs and an options object')
const CloudWatchExpression = z.object({ expression: z.string().min(1), id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/), label: z.string().optional() })

export const CloudWatchDashboard = z.object({
  start: z.string().optional(),
  periodOverride: z.enum(['auto', 'inherit']).optional(),
  widgets: z.array(z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), x: z.int().min(0), y: z.int().min(0), width: z.int().min(1).max(24), height: z.int().min(1), properties: z.object({ markdown: z.string().min(1) }) }),
    z.object({
      type: z.literal('metric'),
      x: z.int().min(0),
      y: z.int().min(0),
      width: z.int().min(1).max(24),
      height: z.int().min(1),
      properties: z.object({
        title: z.string().min(1),
        region: z.string().min(1),
        view: z.enum(['timeSeries', 'singleValue', 'gauge', 'bar', 'pie']),
        period: z.int().positive(),
        metrics: z.array(z.union([CloudWatchExpression, CloudWatchMetricRow])).min(1)
      }).loose()
    })
  ]).refine((w) => w.x + w.width <= 24, 'a widget must fit the 24-column grid')).min(1)
})

const Ref = z.object({ Ref: z.string() })
const MetricDataQuery = z.union([
  z.object({
    Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/),
    ReturnData: z.boolean(),
    MetricStat: z.object({
      Metric: z.object({ Namespace: Ref, MetricName: z.string().min(1), Dimensions: z.array(z.object({ Name: z.string(), Value: z.union([z.string(), Ref]) })) }),
      Period: z.int().positive(),
      Stat: z.string().min(1)
    })
  }).strict(),
  z.object({ Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/), Expression: z.string().min(1), Label: z.string(), ReturnData: z.boolean() }).strict()
])

export const AlarmTemplate = z.object({
  AWSTemplateFormatVersion: z.literal('2010-09-09'),
  Parameters: z.record(z.string(), z.object({ Type: z.literal('String'), Description: z.string(), Default: z.string().optional() })),
  Resources: z.record(z.string(), z.object({
    Type: z.literal('AWS::CloudWatch::Alarm'),
    Properties: z.object({
      AlarmName: z.unknown(),
      AlarmDescription: z.string().regex(/Runbook: deploy\/README\.md#alarm-[a-z0-9-]+$/),
      Metrics: z.array(MetricDataQuery).min(1),
      Threshold: z.number(),
      ComparisonOperator: z.enum(['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold']),
      EvaluationPeriods: z.int().positive(),
      DatapointsToAlarm: z.int().positive(),
      TreatMissingData: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']),
      AlarmActions: z.array(Ref).min(1),
      OKActions: z.array(Ref)
    }).strict()
      .refine((p) => p.DatapointsToAlarm <= p.EvaluationPeriods, 'DatapointsToAlarm cannot exceed EvaluationPeriods')
      .refine((p) => p.Metrics.filter((m) => m.ReturnData).length === 1, 'exactly one metric data query returns data')
  }))
})

export const CollectorConfig = z.object({
  receivers: z.object({
    otlp: z.object({ protocols: z.object({ http: z.object({ endpoint: z.string() }) }) }),
    prometheus: z.object({
      config: z.object({
        scrape_configs: z.array(z.object({
          job_name: z.string(),
          static_configs: z.array(z.object({ targets: z.array(z.string()) })),
          metric_relabel_configs: z.array(z.object({ source_labels: z.array(z.string()).optional(), regex: z.string().optional(), action: z.enum(['keep', 'drop', 'replace']).optional(), target_label: z.string().optional(), replacement: z.string().optional() }))
        })).length(1)
      })
    })
  }),
  exporters: z.object({
    awsxray: z.object({}),
    awsemf: z.object({
      namespace: z.string(),
      log_group_name: z.string(),
      dimension_rollup_option: z.literal('NoDimensionRollup'),
      metric_declarations: z.array(z.object({ dimensions: z.array(z.array(z.string()).min(1)).min(1), metric_name_selectors: z.array(z.string()).min(1) }))
    })
  }),
  service: z.object({
    pipelines: z.object({
      traces: z.object({ receivers: z.array(z.string()), processors: z.array(z.string()), exporters: z.array(z.string()) }),
      metrics: z.object({ receivers: z.array(z.string()), processors: z.array(z.string()), exporters: z.array(z.string()) })
    })
  })
})
export type CollectorConfigShape = z.infer<typeof CollectorConfig>
