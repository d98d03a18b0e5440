import type { Test } from 'tap'
import type { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import type { TenantData } from '../../packages/sample-stack/src/data.js'
import { startSampleAthena, type SampleAthena } from '../../packages/sample-stack/src/sample-athena.js'
import { startSampleS3, type SampleS3 } from '../../packages/sample-stack/src/sample-s3.js'

/** The sample S3 (s3rver behind the credentials gate) and the sample Athena, closed when the test ends. */
export async function startSampleAws (t: Test, tenants: Record<string, TenantData>, credentials: SampleCredentials[]): Promise<{ s3: SampleS3, athena: SampleAthena }> {
  const s3 = await startSampleS3({ tenants, credentials })
  t.teardown(() => s3.close())
  const athena = await startSampleAthena({ credentials, tenants })
  t.teardown(() => athena.close())
  return { s3, athena }
}
