import { createHash } from 'node:crypto'
import type { AdminData, TabulatorTableData } from './records.js'
import { samplePng } from './sample-image.js'

export type JsonRecord = Record<string, unknown>

export interface EntryHash { type: string, value: string }

export interface EntryData {
  logicalKey: string
  physicalKey: string
  size: number
  hash?: EntryHash
  meta?: JsonRecord
}

interface WorkflowData { config: string, id: string | null }

export interface RevisionData {
  hash: string
  /** ISO 8601 */
  modified: string
  message: string | null
  userMeta: JsonRecord | null
  workflow?: WorkflowData
  entries: EntryData[]
}

export interface PackageData {
  bucket: string
  name: string
  /** Newest first: index 0 is what the tag "latest" points at. */
  revisions: RevisionData[]
}

export interface BucketData {
  name: string
  title: string
  description: string | null
  iconUrl: string | null
  overviewUrl: string | null
  tags: string[] | null
  relevanceScore: number
  lastIndexed: string | null
  browsable: boolean
  /** The bucket's workflows config (.quilt/workflows/config.yml) with its default workflow; absent = none. */
  workflows?: { default: string | null }
  /** False for a bucket only an admin's bucketConfigs lists: the active role cannot read it. Default true. */
  activeRoleCanRead?: boolean
}

export interface ObjectData {
  bucket: string
  key: string
  version: string
  size: number
  modified: string
  deleted: boolean
}

export interface TenantData {
  me: { name: string, email: string, isAdmin: boolean, role: { name: string }, roles: Array<{ name: string }> }
  buckets: BucketData[]
  packages: PackageData[]
  objects: ObjectData[]
  /** Tabulator tables per bucket name; seeded on first use (tabulator.ts). */
  tabulatorTables?: Record<string, TabulatorTableData[]>
  /** The stack's users, roles and settings as its admins see them; seeded on first use (admin.ts). */
  admin?: AdminData
}

/** Catalog tokens of the two demo tenants (the bearer credentials the gateway forwards). */
export const ACME_TOKEN = 'demo-catalog-token'
export const GLOBEX_TOKEN = 'second-tenant-token'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/**
 * A revision's top hash: sha256 over its content (not its timestamp), so pushing the same content
 * twice gives the same hash, as with Quilt's content-addressed manifests.
 */
export function topHash (revision: Omit<RevisionData, 'hash' | 'modified'>): string {
  const { message, userMeta, workflow, entries } = revision
  return sha256(JSON.stringify({ message, userMeta, workflow: workflow ?? null, entries }))
}

/** A stand-in for an entry hash the caller did not give (the real registry would hash the object). */
export const entryHash = (physicalKey: string): EntryHash => ({ type: 'SHA256', value: sha256(physicalKey) })

type FileSpec = [logicalKey: string, size: number, meta?: JsonRecord]

interface RevisionSpec {
  modified: string
  message: string | null
  userMeta?: JsonRecord
  workflow?: WorkflowData
  files: FileSpec[]
}

function entry (bucket: string, name: string, [logicalKey, size, meta]: FileSpec): EntryData {
  // Same key and size in two revisions = same object version, as an unchanged file would be.
  const version = createHash('sha256').update(`${bucket}/${name}/${logicalKey}#${size}`).digest('base64url').slice(0, 32)
  const physicalKey = `s3://${bucket}/${name}/${logicalKey}?versionId=${version}`
  return { logicalKey, physicalKey, size, hash: entryHash(physicalKey), ...(meta === undefined ? {} : { meta }) }
}

/** Builds a package from its revisions, given oldest first as one would tell the story. */
function pkg (bucket: string, name: string, specs: RevisionSpec[]): PackageData {
  const revisions = specs.map(({ modified, message, userMeta, workflow, files }) => {
    const content = { message, userMeta: userMeta ?? null, ...(workflow ? { workflow } : {}), entries: files.map((f) => entry(bucket, name, f)) }
    return { hash: topHash(content), modified, ...content }
  })
  return { bucket, name, revisions: revisions.reverse() }
}

function bucket (name: string, title: string, extra: Partial<BucketData> = {}): BucketData {
  return {
    name,
    title,
    description: null,
    iconUrl: null,
    overviewUrl: null,
    tags: null,
    relevanceScore: 0,
    lastIndexed: '2025-06-01T00:00:00.000Z',
    browsable: true,
    ...extra
  }
}

/** Every object the packages point at (deduplicated), plus loose ones no package holds. */
function objects (packages: PackageData[], loose: ObjectData[]): ObjectData[] {
  const found = new Map<string, ObjectData>()
  for (const { revisions } of packages) {
    for (const { modified, entries } of [...revisions].reverse()) {
      for (const { physicalKey, size } of entries) {
        const url = new URL(physicalKey)
        const key = decodeURIComponent(url.pathname.slice(1))
        const version = url.searchParams.get('versionId') ?? 'null'
        if (!found.has(physicalKey)) found.set(physicalKey, { bucket: url.hostname, key, version, size, modified, deleted: false })
      }
    }
  }
  return [...found.values(), ...loose]
}

const loose = (bucket: string, key: string, size: number, modified: string, deleted = false): ObjectData =>
  ({ bucket, key, version: sha256(`${bucket}/${key}`).slice(0, 32), size, modified, deleted })

function acme (): TenantData {
  const workflow = { config: 's3://quilt-example/.quilt/workflows/config.yml', id: 'imaging' }
  const packages = [
    pkg('quilt-example', 'examples/wellplates', [
      {
        modified: '2024-03-01T09:00:00.000Z',
        message: 'Initial upload of plate 1',
        userMeta: { experiment: { id: 'EXP-001', date: '2024-02-28' }, operator: 'alice' },
        files: [['README.md', 1200], ['data/raw/plate1/img_001.tif', 5242880]]
      },
      {
        modified: '2024-06-15T14:30:00.000Z',
        message: 'Add second image and plate metadata',
        userMeta: { experiment: { id: 'EXP-001', date: '2024-02-28' }, operator: 'alice' },
        files: [
          ['README.md', 1200], ['data/raw/plate1/img_001.tif', 5242880], ['data/raw/plate1/img_002.tif', 5300000],
          ['data/metadata.json', 842, { user_meta: { schema: 'plate-v1' } }]
        ]
      },
      {
        modified: '2025-01-10T08:00:00.000Z',
        message: 'Add plate 2 and summary table',
        userMeta: { experiment: { id: 'EXP-002', date: '2025-01-08' }, operator: 'alice', plates: 2 },
        workflow,
        files: [
          ['README.md', 1456], ['data/raw/plate1/img_001.tif', 5242880], ['data/raw/plate1/img_002.tif', 5300000],
          ['data/raw/plate2/img_001.tif', 5100000], ['data/metadata.json', 842, { user_meta: { schema: 'plate-v1' } }],
          ['data/summary.csv', 20480]
        ]
      }
    ]),
    // Reserved query-string characters in the message and metadata, for escaping tests.
    pkg('quilt-example', 'examples/hurdat', [{
      modified: '2024-09-01T12:00:00.000Z',
      message: 'HURDAT2: Atlantic hurricane tracks [1851-2023] "best track" (NOAA)',
      userMeta: { source: 'NOAA', title: 'HURDAT2 "best track" [Atlantic]' },
      files: [['README.md', 2048], ['data/hurdat2.csv', 6553600], ['data/hurdat2.parquet', 1835008]]
    }]),
    // The name the gateway's escaping was fixed for: an unescaped "/" starts an Elasticsearch regex.
    pkg('quilt-example', 'test/integration_lifecycle_1770736485', [{
      modified: '2026-02-10T15:14:45.000Z',
      message: 'integration lifecycle test',
      files: [['test.txt', 12]]
    }]),
    pkg('cellpainting-data', 'cellpainting/plate-BR00116991', [
      {
        modified: '2024-11-20T10:00:00.000Z',
        message: 'Raw images for plate BR00116991',
        userMeta: { plate: 'BR00116991', channels: ['DNA', 'ER', 'RNA', 'AGP', 'Mito'] },
        files: [
          ['data/raw/plate1/img_001.tif', 8388608], ['data/raw/plate1/img_002.tif', 8388608],
          ['data/raw/plate1/img_003.tif', 8388608], ['metadata/plate.json', 1536]
        ]
      },
      {
        modified: '2025-02-02T16:45:00.000Z',
        message: 'Add extracted features',
        userMeta: { plate: 'BR00116991', channels: ['DNA', 'ER', 'RNA', 'AGP', 'Mito'], features: true },
        files: [
          ['data/raw/plate1/img_001.tif', 8388608], ['data/raw/plate1/img_002.tif', 8388608],
          ['data/raw/plate1/img_003.tif', 8388608], ['metadata/plate.json', 1536],
          ['data/processed/features.parquet', 3145728]
        ]
      }
    ]),
    pkg('cellpainting-data', 'cellpainting/analysis', [{
      modified: '2025-03-05T11:20:00.000Z',
      message: 'Feature analysis notebook and results',
      userMeta: { notebook: 'analysis.ipynb' },
      files: [['notebooks/analysis.ipynb', 40960], ['results/summary.json', 2300, { user_meta: { rows: 384 } }]]
    }]),
    pkg('acme-archive', 'archive/snapshot-2019', [{
      modified: '2019-12-31T23:00:00.000Z',
      message: 'Year-end snapshot',
      files: [['snapshot.tar.gz', 104857600]]
    }])
  ]
  return {
    me: {
      name: 'alice',
      email: 'alice@acme.example',
      isAdmin: false,
      role: { name: 'AcmeReadWrite' },
      roles: [{ name: 'AcmeReadWrite' }, { name: 'AcmeReadOnly' }]
    },
    buckets: [
      bucket('quilt-example', 'Quilt example', { description: 'Example packages', tags: ['examples', 'imaging'], relevanceScore: 10, overviewUrl: 'https://open.quiltdata.com/b/quilt-example', workflows: { default: 'imaging' } }),
      bucket('cellpainting-data', 'Cell Painting data', { description: 'Cell Painting images and features', tags: ['imaging'], relevanceScore: 5, workflows: { default: null } }),
      bucket('acme-archive', 'Archive', { browsable: false, lastIndexed: null })
    ],
    packages,
    objects: objects(packages, [
      loose('quilt-example', 'raw-uploads/instrument-log.txt', 5120, '2025-01-09T07:00:00.000Z'),
      loose('quilt-example', 'tmp/old-export.csv', 900, '2023-05-05T05:00:00.000Z', true),
      // A real PNG (sample-image.ts), in the bucket that lives in another region.
      loose('cellpainting-data', 'cellpainting/thumbnails/well-A01.png', samplePng().length, '2025-03-05T11:30:00.000Z')
    ])
  }
}

function globex (): TenantData {
  const packages = [
    pkg('globex-genomics', 'genomics/wgs-run-42', [
      {
        modified: '2024-04-04T04:00:00.000Z',
        message: 'Sequencer output, lane 1',
        userMeta: { run: 42, instrument: 'NovaSeq' },
        files: [['fastq/lane1_R1.fastq.gz', 734003200], ['fastq/lane1_R2.fastq.gz', 734003200]]
      },
      {
        modified: '2024-04-05T04:00:00.000Z',
        message: 'Add lane 2 and QC report',
        userMeta: { run: 42, instrument: 'NovaSeq', qc: 'passed' },
        files: [
          ['fastq/lane1_R1.fastq.gz', 734003200], ['fastq/lane1_R2.fastq.gz', 734003200],
          ['fastq/lane2_R1.fastq.gz', 720000000], ['qc/report.html', 250000]
        ]
      }
    ]),
    pkg('globex-genomics', 'genomics/variant-calls', [{
      modified: '2024-05-01T09:30:00.000Z',
      message: 'Variant calls for run 42',
      userMeta: { run: 42, caller: 'DeepVariant' },
      files: [['calls.vcf.gz', 52428800]]
    }]),
    pkg('globex-public', 'public/reference-genomes', [{
      modified: '2023-10-10T10:10:00.000Z',
      message: 'GRCh38 reference',
      files: [['GRCh38/genome.fa.gz', 983040000], ['GRCh38/README.txt', 700]]
    }])
  ]
  return {
    me: { name: 'bob', email: 'bob@globex.example', isAdmin: true, role: { name: 'GlobexAdmin' }, roles: [{ name: 'GlobexAdmin' }] },
    buckets: [
      bucket('globex-genomics', 'Globex genomics', { tags: ['genomics'], relevanceScore: 3 }),
      bucket('globex-public', 'Globex public data'),
      // bob is an admin: bucketConfigs shows him this bucket, though his active role cannot read it.
      bucket('globex-finance', 'Globex finance', { activeRoleCanRead: false })
    ],
    packages,
    objects: objects(packages, [loose('globex-public', 'index.html', 3000, '2023-10-10T10:00:00.000Z')])
  }
}

const seed: Record<string, TenantData> = { [ACME_TOKEN]: acme(), [GLOBEX_TOKEN]: globex() }

/** Both demo tenants keyed by catalog token; a fresh copy each call, since mutations change it. */
export function demoTenants (): Record<string, TenantData> {
  return structuredClone(seed)
}
