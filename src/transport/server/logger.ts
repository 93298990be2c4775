/** Where the transport says the few things an operator must hear (e.g. a public bind address). */
export interface Logger {
  /** Something an operator should act on. */
  warn(message: string): void;
  /** Something worth knowing that needs no action. */
  info(message: string): void;
}

// Both to stderr: stdout may be the protocol's own channel (an MCP server on stdio).
export const consoleLogger: Logger = {
  warn: (message) => console.warn(message),
  info: (message) => console.error(message),
};

export const silentLogger: Logger = { warn: () => undefined, info: () => undefined };
