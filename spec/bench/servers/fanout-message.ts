/** A message of about `payloadBytes` on the wire once the server has added `type: "notification"`. */
export function fanoutMessage(round: number, seq: number, payloadBytes: number): Record<string, unknown> {
  const skeleton = JSON.stringify({ event: 'tick', round, seq, data: '', type: 'notification' }).length;
  return { event: 'tick', round, seq, data: 'x'.repeat(Math.max(0, payloadBytes - skeleton)) };
}
