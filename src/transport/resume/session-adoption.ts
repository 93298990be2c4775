import type { EncodedFrame } from '../edges/edge.js';
import type { Connection } from '../server/clients/connection.js';
import { deliveredAfterMark } from './catch-up.js';
import type { ReplayStore } from './replay-log.js';
import type { TakeOver } from './resume-verdicts.js';
import { ResumableSession, type SessionMirror } from './session-resumption.js';

/** What an adopted session is built with on this node. */
export interface AdoptionSettings {
  readonly store: ReplayStore;
  readonly now: () => number;
  /** Copies what the session logs from now on to the shared log. */
  readonly mirror: SessionMirror | undefined;
}

/**
 * The last step of a take-over, on the node that took the session: the session is rebuilt from its
 * record and the previous node's log, put on `client` (a new connection bearing the session's client
 * id), and the client is sent what it missed — the previous node's log from its offset, then the
 * broadcasts nobody logged while it moved. From there the session logs here.
 */
export function adoptSession(client: Connection, takeover: TakeOver, settings: AdoptionSettings): { readonly session: ResumableSession; readonly replayed: number } {
  const { record, token, replay, missed, markedAt } = takeover;
  const since = deliveredAfterMark(takeover.stopTap(), markedAt);
  const session = new ResumableSession(record.id, record.owner, settings.store, settings.now, { sent: record.sent, token });
  session.adoptLog(replay);
  session.mirror = settings.mirror;
  client.session = session;
  const replayed = replay.length + missed.length + since.length;
  client.link.write(JSON.stringify(session.frame(true, { replayed })));
  for (const entry of replay) client.link.write(entry.data);
  for (const envelope of missed) client.writeFrame(frameOf(envelope.data, envelope.position), false);
  for (const item of since) client.writeFrame(frameOf(item.text, item.position), false);
  return { session, replayed };
}

/** A broadcast's text as a frame to log and write, with its bus position when it came from another node. */
function frameOf(text: string, position: string | undefined): EncodedFrame {
  const bytes = Buffer.from(text, 'utf8');
  return position === undefined ? { text, bytes } : { text, bytes, position };
}
