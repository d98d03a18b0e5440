import { z } from 'zod'
import { defineOperation } from '../operation.js'

const RoleName = z.object({ name: z.string() })

const MeSchema = z.object({
  name: z.string(),
  email: z.string(),
  isAdmin: z.boolean(),
  role: RoleName,
  roles: z.array(RoleName)
})

export const meQuery = defineOperation()({
  name: 'GatewayMe',
  kind: 'query',
  document: `query GatewayMe {
  me { name email isAdmin role { name } roles { name } }
}`,
  result: z.object({ me: MeSchema.nullable() })
})
