import { createServer, type AddressInfo } from 'node:net'

/** A port nothing listens on right now: bound by the OS (port 0), then released. */
export async function freePort (host = '127.0.0.1'): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** An http URL where nothing listens, for connection-refused cases. */
export async function closedPortUrl (): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`
}
