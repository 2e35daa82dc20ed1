import { StringDecoder } from 'node:string_decoder';

/**
 * One output stream of a job, kept up to a byte cap. Past the cap, output is drained and dropped
 * (the child must never block on a full pipe) and `truncated` says so.
 */
export class Capture {
  text = '';
  bytes = 0;
  truncated = false;
  /** How much of `text` has been announced; the rest is waiting to be flushed as an event. */
  flushed = 0;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly cap: number) {}

  /** Accept a chunk; returns the text it added (possibly empty). */
  push(chunk: Buffer): string {
    if (this.truncated) return '';
    const room = this.cap - this.bytes;
    const take = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (take.length < chunk.length) this.truncated = true;
    this.bytes += take.length;
    const s = this.decoder.write(take) + (this.truncated ? this.decoder.end() : '');
    this.text += s;
    return s;
  }

  end(): string {
    if (this.truncated) return '';
    const s = this.decoder.end();
    this.text += s;
    return s;
  }

  /** Text not yet announced, marked as announced. */
  takePending(): string {
    const s = this.text.slice(this.flushed);
    this.flushed = this.text.length;
    return s;
  }
}
