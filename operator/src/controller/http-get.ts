/** A bounded HTTP GET for status probes of pool components (their pods run the pool owner's image). */
import http from 'node:http';

/**
 * The body of `url` when the answer is 200; undefined on any error, on a body over `maxBytes`
 * and when the whole exchange (not just one idle gap) takes longer than `timeoutMs`: a trickling
 * or endless answer must neither grow the operator's memory nor stall the reconcile awaiting it.
 */
export function getBounded(url: string, timeoutMs: number, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (body: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(body);
    };
    const req = http.get(url, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) finish(undefined);
        else chunks.push(c);
      });
      res.on('end', () =>
        finish(res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8') : undefined),
      );
      res.on('error', () => finish(undefined));
    });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    req.on('error', () => finish(undefined));
  });
}
