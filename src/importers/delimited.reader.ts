import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface DelimitedRecord {
  /** 1-based line of the file on which the record starts. */
  readonly line: number;
  readonly fields: string[];
}

export interface ReadProgress {
  readonly bytesRead: number;
}

/**
 * Streams records from a CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF)
 * or another single-character-delimited file. Tracks the line each record starts on so that errors can
 * name it. A UTF-8 byte-order mark is dropped. Never holds more than one chunk plus one record in memory.
 */
export async function* readDelimited(
  path: string,
  options: {
    delimiter?: string;
    encoding?: BufferEncoding;
    onProgress?: (p: ReadProgress) => void;
    /** Sees every raw chunk of the file, in order (e.g. to hash exactly the bytes read). */
    onBytes?: (chunk: Buffer) => void;
  } = {},
): AsyncGenerator<DelimitedRecord> {
  const delimiter = options.delimiter ?? ',';
  const stream = createReadStream(path, { highWaterMark: 1 << 18 });
  const decoder = new StringDecoder(options.encoding ?? 'utf8');
  let bytesRead = 0;
  let first = true;
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoteSeen = false; // the last char inside quotes was a quote: either an escape or the closing quote
  let line = 1;
  let recordLine = 1;
  let pendingCR = false;
  let recordHasContent = false;

  for await (const bytes of stream as AsyncIterable<Buffer>) {
    bytesRead += bytes.length;
    options.onBytes?.(bytes);
    let text = decoder.write(bytes);
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0; // start of the unquoted run being copied into `field`
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (pendingCR) {
        pendingCR = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (c === 34) {
            // "" inside quotes is one quote.
            field += '"';
            start = i + 1;
            continue;
          }
          inQuotes = false; // the quote closed the field; fall through to handle c unquoted
        } else if (c === 34) {
          field += text.slice(start, i);
          start = i + 1;
          quoteSeen = true;
          continue;
        } else {
          if (c === 10) line++;
          continue;
        }
      }
      if (c === 34 && field === '' && start === i) {
        inQuotes = true;
        recordHasContent = true;
        start = i + 1;
        continue;
      }
      if (c === delimiter.charCodeAt(0)) {
        fields.push(own(field + text.slice(start, i)));
        field = '';
        start = i + 1;
        recordHasContent = true;
        continue;
      }
      if (c === 10 || c === 13) {
        const value = field + text.slice(start, i);
        if (recordHasContent || value !== '' || fields.length > 0) {
          fields.push(own(value));
          yield { line: recordLine, fields };
        }
        fields = [];
        field = '';
        recordHasContent = false;
        line++;
        recordLine = line;
        if (c === 13) pendingCR = true;
        start = i + 1;
        continue;
      }
    }
    if (start < n) field += text.slice(start, n);
    options.onProgress?.({ bytesRead });
  }
  field += decoder.end();
  if (inQuotes && !quoteSeen) {
    throw new UnterminatedQuoteError(recordLine);
  }
  if (recordHasContent || field !== '' || fields.length > 0) {
    fields.push(own(field));
    yield { line: recordLine, fields };
  }
}

/**
 * A copy of a field that does not point into the chunk it was cut from. V8 makes a slice share its
 * parent string, so one kept field (say, in a warning) would otherwise pin a whole chunk in memory.
 */
function own(value: string): string {
  // V8 shares the parent of a slice of 13 characters or more (SlicedString::kMinLength); shorter ones are copies.
  return value.length < 13 ? value : (' ' + value).slice(1);
}

export class UnterminatedQuoteError extends Error {
  override readonly name = 'UnterminatedQuoteError';
  constructor(readonly line: number) {
    super(`line ${line}: a quoted field is never closed, so the rest of the file cannot be read`);
  }
}
