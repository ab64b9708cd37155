/**
 * TWS socket API framing at server version 193, as spoken by @stoqey/ib 1.6.10 (dist/core/io/socket.js).
 *
 * Client → server: "API\0", a 4-byte big-endian length, the version range "v100..193" (no NUL), then framed messages.
 * Both directions after that: [uint32 BE body length][field\0field\0…field\0].
 */
import type { Socket } from 'node:net';

/** The only version we speak: MAX_SUPPORTED_SERVER_VERSION of @stoqey/ib 1.6.10 (dist/api/api.js:16). */
export const SERVER_VERSION = 193;

/** socket.js MAX_V100_MESSAGE_LENGTH: the client disconnects above it, so we refuse it too. */
const MAX_FRAME_LENGTH = 0xffffff;
const API_PREFIX = Buffer.from('API\0', 'latin1');

export type FieldValue = string | number | boolean | undefined | null;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** Value rules of socket.js `send`: undefined/null → "", booleans → 1/0, numbers → String(). */
function encodeField(value: FieldValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  const s = String(value);
  // A NUL inside a field would shift every later field and surface as client error 505.
  if (s.includes('\0')) throw new ProtocolError(`field contains NUL: ${JSON.stringify(s)}`);
  return s;
}

export function encodeFrame(fields: readonly FieldValue[]): Buffer {
  const body = Buffer.from(fields.map((f) => encodeField(f) + '\0').join(''), 'utf8');
  if (body.length > MAX_FRAME_LENGTH) {
    throw new ProtocolError(`frame of ${body.length} bytes exceeds ${MAX_FRAME_LENGTH}`);
  }
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into length-prefixed bodies; tolerates any fragmentation or coalescing. */
class BodyReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const bodies: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (length > MAX_FRAME_LENGTH) throw new ProtocolError(`frame length ${length} exceeds ${MAX_FRAME_LENGTH}`);
      if (this.buffer.length < 4 + length) break;
      bodies.push(this.buffer.subarray(4, 4 + length));
      this.buffer = this.buffer.subarray(4 + length);
    }
    return bodies;
  }
}

/** Yields the string fields of every complete frame in the chunks pushed so far. */
export class FrameReader {
  private readonly bodies = new BodyReader();

  push(chunk: Buffer): string[][] {
    return this.bodies.push(chunk).map((body) => {
      const fields = body.toString('utf8').split('\0');
      // Every field is NUL-terminated, so split leaves one empty string after the last terminator.
      if (fields[fields.length - 1] === '') fields.pop();
      return fields;
    });
  }
}

export interface ClientHello {
  minVersion: number;
  maxVersion: number;
  /** Text after the version range (IB-internal "connect options"; stoqey sends none). */
  connectOptions: string;
}

/** Parses "v100..193", "v193" or "v100..193 options" (socket.js buildVersionString). */
export function parseClientHello(text: string): ClientHello | undefined {
  const m = /^v(\d+)(?:\.\.(\d+))?(.*)$/s.exec(text);
  if (!m) return undefined;
  const minVersion = Number(m[1]);
  return { minVersion, maxVersion: m[2] === undefined ? minVersion : Number(m[2]), connectOptions: m[3]!.trim() };
}

/** Reads "API\0" + length-prefixed version range; returns the hello and any bytes that followed it. */
export class HandshakeReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { hello: ClientHello; rest: Buffer } | undefined {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const seen = this.buffer.subarray(0, API_PREFIX.length);
    if (!API_PREFIX.subarray(0, seen.length).equals(seen)) {
      throw new ProtocolError('handshake does not start with "API\\0"');
    }
    const bodyStart = API_PREFIX.length + 4;
    if (this.buffer.length < bodyStart) return undefined;
    const length = this.buffer.readUInt32BE(API_PREFIX.length);
    if (length > MAX_FRAME_LENGTH) {
      throw new ProtocolError(`version block length ${length} exceeds ${MAX_FRAME_LENGTH}`);
    }
    if (this.buffer.length < bodyStart + length) return undefined;
    const text = this.buffer.subarray(bodyStart, bodyStart + length).toString('utf8');
    const hello = parseClientHello(text);
    if (!hello) throw new ProtocolError(`malformed version range ${JSON.stringify(text)}`);
    return { hello, rest: this.buffer.subarray(bodyStart + length) };
  }
}

/** First server frame: version and connection time, e.g. "20260102 09:30:00 US/Eastern" (socket.js onServerVersion). */
export function serverHello(connectionTime: string): Buffer {
  return encodeFrame([SERVER_VERSION, connectionTime]);
}

export interface ClientHandlers {
  /** Sent in the server hello; IB formats it "yyyyMMdd HH:mm:ss <time zone>". */
  connectionTime(): string;
  onMessage(fields: string[]): void;
  /** Called once before the socket is destroyed for a refused version or malformed bytes. */
  onProtocolError?(error: ProtocolError): void;
}

/**
 * Runs the server side of the handshake on an accepted socket, then hands every framed message to `onMessage`.
 * A client whose version range does not include 193 is refused by closing the socket.
 */
export function acceptClient(socket: Socket, handlers: ClientHandlers): void {
  const handshake = new HandshakeReader();
  let frames: FrameReader | undefined;
  const read = (chunk: Buffer): string[][] => {
    if (frames) return frames.push(chunk);
    const done = handshake.push(chunk);
    if (!done) return [];
    const { minVersion, maxVersion } = done.hello;
    if (maxVersion < SERVER_VERSION || minVersion > SERVER_VERSION) {
      throw new ProtocolError(`client versions v${minVersion}..${maxVersion} exclude ${SERVER_VERSION}`);
    }
    frames = new FrameReader();
    socket.write(serverHello(handlers.connectionTime()));
    return frames.push(done.rest);
  };
  const onData = (chunk: Buffer): void => {
    let messages: string[][];
    try {
      messages = read(chunk);
    } catch (error) {
      socket.removeListener('data', onData);
      handlers.onProtocolError?.(error instanceof ProtocolError ? error : new ProtocolError(String(error)));
      socket.destroy();
      return;
    }
    // Handler exceptions are the caller's, not protocol errors: let them propagate.
    for (const fields of messages) handlers.onMessage(fields);
  };
  socket.on('data', onData);
}
