/** One event of a `text/event-stream`. */
export interface ServerSentEvent {
  /** `message` when the stream named none. */
  event: string;
  data: string;
  /** The `id:` it carried, if any. */
  id?: string;
  /** A `retry:` hint in milliseconds, if it came with this event. */
  retry?: number;
}

/**
 * Reads a `text/event-stream` piece by piece (the WHATWG rules this API's streams use: fields
 * `event`, `data`, `id`, `retry`; comments; any line ending), calling `onEvent` for each
 * event complete. Comments (heartbeats) are dropped. A block with an `id:` but no data fires
 * no event but still sets the last event id, as in a browser's EventSource: `onLastEventId`
 * hears it (the change stream opens with one, naming where it starts).
 */
export function eventStreamParser(
  onEvent: (event: ServerSentEvent) => void,
  onLastEventId?: (id: string) => void,
) {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  let retry: number | undefined;
  // Whether this block named an id: a heartbeat's blank line does not announce the old one again.
  let idInBlock = false;
  const line = (text: string) => {
    if (text === '') {
      if (data.length === 0 && idInBlock && id !== undefined) onLastEventId?.(id);
      idInBlock = false;
      if (data.length > 0) {
        onEvent({
          event: event || 'message',
          data: data.join('\n'),
          ...(id === undefined ? {} : { id }),
          ...(retry === undefined ? {} : { retry }),
        });
      }
      data = [];
      event = '';
      retry = undefined;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) {
      id = value;
      idInBlock = true;
    } else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  };
  return {
    push(chunk: string) {
      buffer += chunk;
      const lines = buffer.split(/\r\n|\r|\n/);
      // The last piece is a line not yet ended (empty when the chunk ended one).
      buffer = lines.pop() ?? '';
      for (const text of lines) line(text);
    },
  };
}
