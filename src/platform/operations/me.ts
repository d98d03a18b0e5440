import { z } from 'zod'
import { defineOperation } from '../registry-client.js'

const RoleName = z.object({ name: z.string() })

export const MeSchema = z.object({
  name: z.string(),
  email: z.string(),
  isAdmin: z.boolean(),
  role: RoleName,
  roles: z.array(RoleName)
})

export type Me = z.infer<typeof MeSchema>

export const meQuery = defineOperation()({
  name: 'GatewayMe',
  kind: 'query',
  document: `query GatewayMe {
  me { name email isAdmin role { name } roles { name } }
}`,
  result: z.object({ me: MeSchema.nullable() })
})
