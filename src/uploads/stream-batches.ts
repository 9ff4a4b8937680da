import type { Readable } from 'node:stream';

/**
 * The objects of an object-mode stream in arrays of up to `size`, taking what the stream has
 * buffered without a promise per object (a million rows would otherwise cost a million turns of
 * the microtask queue). Ends with the stream; throws its error.
 */
export async function* streamBatches<T>(stream: Readable, size = 1000): AsyncGenerator<T[]> {
  for (;;) {
    const batch: T[] = [];
    let item: T | null;
    while (batch.length < size && (item = stream.read() as T | null) !== null) {
      batch.push(item);
    }
    if (batch.length > 0) {
      yield batch;
      continue;
    }
    if (stream.errored) {
      throw stream.errored;
    }
    if (stream.readableEnded || stream.destroyed) {
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        stream.off('readable', ready);
        stream.off('end', ready);
        stream.off('close', ready);
        stream.off('error', failed);
        if (error) {
          reject(error);
        } else {
          resolve();
        }
      };
      const ready = () => settle();
      const failed = (error: Error) => settle(error);
      stream.on('readable', ready);
      stream.on('end', ready);
      stream.on('close', ready);
      stream.on('error', failed);
    });
  }
}
