/** What goes wrong with an HTTP request before any message reaches the server, by status. */
export type HttpProblem =
  | 'session_required' // 400
  | 'session_not_found' // 404
  | 'not_acceptable' // 406
  | 'unsupported_media_type' // 415
  | 'too_large' // 413
  | 'conflict' // 409
  | 'bad_event_id' // 400
  | 'unavailable'; // 503

export const STATUS: Record<HttpProblem, number> = {
  session_required: 400,
  session_not_found: 404,
  not_acceptable: 406,
  unsupported_media_type: 415,
  too_large: 413,
  conflict: 409,
  bad_event_id: 400,
  unavailable: 503,
};

export const MESSAGES: Record<HttpProblem, string> = {
  session_required: 'Bad Request: the session header is required',
  session_not_found: 'Session not found',
  not_acceptable: 'Not Acceptable: accept application/json and text/event-stream (POST), text/event-stream (GET)',
  unsupported_media_type: 'Unsupported Media Type: Content-Type must be application/json',
  too_large: 'Payload Too Large: the message is over maxMessageSize',
  conflict: 'Conflict: this session already has a stream open',
  bad_event_id: 'Bad Request: Last-Event-ID names no stream that can be resumed',
  unavailable: 'Service Unavailable',
};
