export { JsonObjectCodec, type JsonObject, type JsonValue } from './json-object.js';
export {
  TypedMessageCodec,
  ErrorReplyCodec,
  NotificationCodec,
  type TypedMessage,
  type ErrorReply,
  type Notification,
} from './envelope.js';
export { decodeTextFrame, frameError, type FrameError, type FrameErrorKind } from './frame.js';
