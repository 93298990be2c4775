import * as E from 'fp-ts/lib/Either.js';
import { Subscription, take } from 'rxjs';
import {
  CancelledParamsCodec,
  InitializeParamsCodec,
  JsonObjectCodec,
  LifecycleMethod,
  ListenParamsCodec,
  MetaKey,
  SetLevelParamsCodec,
  SubscriptionsMethod,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JsonObject,
  type SubscriptionFilter,
} from '../../../protocol/index.js';
import { defineMethod, type AnyMethodSpec, type NotificationHandler } from './method-spec.js';
import { McpError } from '../../mcp-error.js';
import type { MethodHost } from './method-host.js';
import { negotiateLegacyVersion } from './negotiation.js';
import { requestKey } from '../../request-correlator.js';
import type { Listen, McpSession } from '../sessions/session.js';

const AnyParams = JsonObjectCodec;

/** initialize, ping, logging/setLevel, server/discover and subscriptions/listen. */
// A flat method table: one entry per method, nothing to split.
// eslint-disable-next-line max-lines-per-function
export function lifecycleMethods(host: MethodHost): [string, AnyMethodSpec][] {
  return [
    [
      LifecycleMethod.initialize,
      defineMethod({
        params: InitializeParamsCodec,
        eras: 'legacy',
        beforeInitialize: true,
        handle: ({ params, session, era }) => {
          if (session.handshake !== 'new') throw McpError.invalidRequest('Invalid request: this connection is already initialized');
          const protocolVersion = negotiateLegacyVersion(params.protocolVersion);
          session.handshake = 'initialized';
          session.protocolVersion = protocolVersion;
          session.clientInfo = params.clientInfo;
          session.clientCapabilities = params.capabilities;
          host.announce(session, era);
          const result: JsonObject = { protocolVersion, capabilities: host.capabilities, serverInfo: host.serverInfo };
          if (host.instructions !== undefined) result['instructions'] = host.instructions;
          return afterStored(host, session, result);
        },
      }),
    ],
    [LifecycleMethod.ping, defineMethod({ params: AnyParams, eras: 'both', beforeInitialize: true, handle: () => ({}) })],
    [
      LifecycleMethod.setLevel,
      defineMethod({
        params: SetLevelParamsCodec,
        eras: 'legacy',
        handle: ({ params, session }) => {
          session.logLevel = params.level;
          return afterStored(host, session, {});
        },
      }),
    ],
    [
      LifecycleMethod.discover,
      defineMethod({
        params: AnyParams,
        eras: 'both',
        beforeInitialize: true,
        handle: () => {
          const result: JsonObject = {
            supportedVersions: [...SUPPORTED_PROTOCOL_VERSIONS],
            capabilities: host.capabilities,
            ttlMs: host.cache.ttlMs,
            cacheScope: host.cache.scope,
            resultType: 'complete',
            _meta: { [MetaKey.serverInfo]: host.serverInfo },
          };
          if (host.instructions !== undefined) result['instructions'] = host.instructions;
          return result;
        },
      }),
    ],
    [
      SubscriptionsMethod.listen,
      defineMethod({
        params: ListenParamsCodec,
        eras: 'modern',
        handle: ({ params, session, id, ctx }) => {
          const listen: Listen = { id, filter: agreedFilter(params.notifications) };
          const key = requestKey(id);
          const closing: JsonObject = { _meta: { [MetaKey.subscriptionId]: id } };
          if (host.isStopping) return closing;
          session.listens.set(key, listen);
          session.notifyListener(listen, SubscriptionsMethod.acknowledged, { notifications: listen.filter });
          // The stream stays open until the server stops (final result) or the client cancels (no reply).
          return new Promise<JsonObject>((resolve) => {
            const ended = new Subscription(() => {
              session.listens.delete(key);
              ctx.signal.removeEventListener('abort', end);
              resolve(closing);
            });
            const end = (): void => ended.unsubscribe();
            ended.add(host.stopping$.pipe(take(1)).subscribe(end));
            ctx.signal.addEventListener('abort', end, { once: true });
          });
        },
      }),
    ],
  ];
}

/** The subset of a listen filter this server honours: it has every kind of change notification. */
function agreedFilter(requested: SubscriptionFilter): SubscriptionFilter {
  const agreed: SubscriptionFilter = {};
  if (requested.toolsListChanged === true) agreed.toolsListChanged = true;
  if (requested.promptsListChanged === true) agreed.promptsListChanged = true;
  if (requested.resourcesListChanged === true) agreed.resourcesListChanged = true;
  if (requested.resourceSubscriptions !== undefined && requested.resourceSubscriptions.length > 0) {
    agreed.resourceSubscriptions = [...new Set(requested.resourceSubscriptions)];
  }
  return agreed;
}

/**
 * The reply to a request that changed its session, once a shared session's state is stored: the
 * client's next request may reach another node. A store that fails makes it an internal error
 * (reported on `errors$`), the change having reached only this node.
 */
export function afterStored(host: MethodHost, session: McpSession, result: JsonObject): JsonObject | Promise<JsonObject> {
  const stored = host.persist(session);
  return stored ? stored.then(() => result) : result;
}

/** notifications/initialized and notifications/cancelled; every other notification is ignored. */
export function lifecycleNotifications(host: MethodHost): [string, NotificationHandler][] {
  return [
    [
      LifecycleMethod.initialized,
      (_params, session) => {
        if (session.handshake !== 'initialized') return;
        session.handshake = 'ready';
        // Nobody waits for a notification: a failure is reported on `errors$` by the store's guard.
        host.persist(session)?.catch(() => undefined);
      },
    ],
    [
      LifecycleMethod.cancelled,
      (params, session) => {
        const decoded = CancelledParamsCodec.decode(params);
        // A malformed cancellation cannot be answered (it is a notification): ignore it.
        if (E.isLeft(decoded)) return;
        session.cancel(decoded.right.requestId, decoded.right.reason ?? 'Cancelled by the client');
      },
    ],
  ];
}
