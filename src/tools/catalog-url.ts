import { z } from 'zod'
import { bucketArg, logicalPathArg, packageNameArg } from './arguments.js'
import { defineTool } from './define.js'
import { ToolInputError } from './result.js'

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/')

export const catalogUrlTools = [
  defineTool({
    name: 'catalog_url',
    title: 'Catalog link',
    description: 'Builds a link into the Quilt catalog web UI for a bucket, a package, or a file or folder inside either, to show to the user. Pure: makes no registry call and does not check that the target exists.',
    inputSchema: z.object({
      bucket: bucketArg,
      package_name: packageNameArg.optional(),
      path: logicalPathArg.optional().describe('Path of a file or folder (ending in "/") inside the package, or inside the bucket when no package is given')
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ bucket, package_name: packageName, path }, { tenant }) {
      if (tenant.catalogUrl === undefined) {
        throw new ToolInputError('This token carries no catalog_url claim, so no catalog link can be built. Ask your catalog administrator to include catalog_url in gateway tokens.')
      }
      const base = `${tenant.catalogUrl}/b/${encodeURIComponent(bucket)}`
      const url = packageName === undefined
        ? `${base}/tree/${encodePath(path ?? '')}`
        : `${base}/packages/${encodePath(packageName)}/tree/latest/${encodePath(path ?? '')}`
      return { text: url, data: { url } }
    }
  })
]
