/**
 * A well-behaved client sharing a server with hostile ones. `expectServed` proves the server still
 * answers it: whatever the offender did was contained to the offender's connection.
 */
import { expect } from 'vitest';
import { RawClient } from '../../support/sockets.js';

/** The reply the robustness servers' echo handler gives. */
export function echoOf(message: unknown): unknown {
  return { type: 'echo', original: message };
}

export class Bystander {
  private probes = 0;

  private constructor(readonly client: RawClient) {}

  /** Connects (with subprotocol `mcp`) and waits for the upgrade. */
  static async join(url: string): Promise<Bystander> {
    return new Bystander(await RawClient.open(url, 'mcp'));
  }

  /** Sends a probe and expects the echo handler's reply to it as the next frame. */
  async expectServed(): Promise<void> {
    this.probes += 1;
    const probe = { type: 'probe', n: this.probes };
    this.client.sendJson(probe);
    expect(await this.client.next()).toEqual(echoOf(probe));
  }
}
