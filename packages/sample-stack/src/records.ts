// Record shapes that data.ts holds and admin.ts and tabulator.ts serve (a leaf, so neither imports the other).

/** One user as the admin tools see them. */
export interface AdminUserData {
  name: string
  email: string
  role: string | null
  extraRoles: string[]
  isAdmin: boolean
  isActive: boolean
  dateJoined: string
  lastLogin: string
}

/** A stack's users, roles and settings as its admins see them (admin.ts serves them). */
export interface AdminData {
  users: AdminUserData[]
  roles: Array<{ name: string, managed: boolean }>
  defaultRole: string
  ssoConfig: { text: string, timestamp: string, uploader: string } | null
  tabulatorOpenQuery: boolean
}

/** A tabulator table: its name and its YAML config, as the registry stores it (tabulator.ts). */
export interface TabulatorTableData { name: string, config: string }
