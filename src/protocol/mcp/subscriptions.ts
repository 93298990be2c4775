import * as t from 'io-ts';
import { JsonObjectCodec } from '../json-object.js';

/**
 * `subscriptions/listen` of revision 2026-07-28: one long-lived request per stream of change
 * notifications, acknowledged first, each notification tagged with the listen request's id.
 */

/** What a listener opts in to; the server sends nothing it was not asked for. */
export const SubscriptionFilterCodec = t.partial({
  toolsListChanged: t.boolean,
  promptsListChanged: t.boolean,
  resourcesListChanged: t.boolean,
  resourceSubscriptions: t.array(t.string),
});
export type SubscriptionFilter = t.TypeOf<typeof SubscriptionFilterCodec>;

export const ListenParamsCodec = t.intersection([t.type({ notifications: SubscriptionFilterCodec }), t.partial({ _meta: JsonObjectCodec })]);
export type ListenParams = t.TypeOf<typeof ListenParamsCodec>;

/** The first message of a stream: the subset of the filter the server agreed to honour. */
export const SubscriptionsAcknowledgedParamsCodec = t.intersection([
  t.type({ notifications: SubscriptionFilterCodec }),
  t.partial({ _meta: JsonObjectCodec }),
]);
export type SubscriptionsAcknowledgedParams = t.TypeOf<typeof SubscriptionsAcknowledgedParamsCodec>;

export const SubscriptionsMethod = {
  listen: 'subscriptions/listen',
  acknowledged: 'notifications/subscriptions/acknowledged',
} as const;
