import * as t from 'io-ts';

/**
 * The transport's message envelope: any JSON object, optionally tagged with a string `type`
 * that routing (`ofType`, handler maps) keys on.
 */
export const TypedMessageCodec = t.type({ type: t.string });
export type TypedMessage = t.TypeOf<typeof TypedMessageCodec>;

/** The reply sent to a client whose frame could not be accepted. */
export const ErrorReplyCodec = t.intersection([
  t.type({ type: t.literal('error'), error: t.string }),
  t.partial({ code: t.string }),
]);
export type ErrorReply = t.TypeOf<typeof ErrorReplyCodec>;

/** What `broadcastNotification` puts on the wire: the caller's fields plus `type: "notification"`. */
export const NotificationCodec = t.type({ type: t.literal('notification') });
export type Notification = t.TypeOf<typeof NotificationCodec>;
