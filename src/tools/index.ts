import { athenaReferenceResource } from './athena-reference.js'
import { athenaTools } from './athena.js'
import { authResources, authTools } from './auth.js'
import { browseTools } from './browse.js'
import { bucketResources, bucketTools } from './buckets.js'
import { catalogUrlTools } from './catalog-url.js'
import type { ResourceDefinition, ToolDefinition } from './define.js'
import { diffTools } from './diff.js'
import { mutationTools } from './mutations.js'
import { fetchTools } from './object-fetch.js'
import { objectTools } from './objects.js'
import { packageFileTools } from './package-files.js'
import { packageFromS3Tools } from './package-from-s3.js'
import { packageTools } from './packages.js'
import { promoteTools } from './promote.js'
import { searchSyntaxResource } from './search-syntax.js'
import { searchTools } from './search.js'
import { uploadTools } from './uploads.js'

/** Every tool the gateway offers, one line per group. */
export const tools: ToolDefinition[] = [
  ...authTools,
  ...bucketTools,
  ...packageTools,
  ...browseTools,
  ...diffTools,
  ...searchTools,
  ...mutationTools,
  ...packageFromS3Tools,
  ...promoteTools,
  ...objectTools,
  ...fetchTools,
  ...uploadTools,
  ...packageFileTools,
  ...athenaTools,
  ...catalogUrlTools
]

export const resources: ResourceDefinition[] = [
  ...authResources,
  ...bucketResources,
  searchSyntaxResource,
  athenaReferenceResource
]
