/** Captures pino's JSON lines in memory, for assertions on what the gateway logs. */
export class LogSink {
  readonly lines: string[] = []

  write (line: string): void {
    this.lines.push(line)
  }

  get entries (): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  get text (): string {
    return this.lines.join('')
  }
}
