// Send-to-receive latency on one clock for every process of a run: wall-clock milliseconds
// with sub-millisecond resolution (performance.timeOrigin + performance.now()), which agree
// across processes on one machine to well under a millisecond.
export const now = () => performance.timeOrigin + performance.now();

/** Buckets of 0.1 ms up to 10 s; slower ones land in the last bucket. */
const BUCKET_MS = 0.1;
const BUCKETS = 100_001;

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;

  record(ms: number): void {
    this.counts[Math.min(BUCKETS - 1, Math.max(0, Math.round(ms / BUCKET_MS)))]!++;
    this.total++;
  }

  /** Only the buckets in use, as [bucket, count] pairs: small enough to send between processes. */
  toSparse(): [number, number][] {
    const pairs: [number, number][] = [];
    this.counts.forEach((count, bucket) => count && pairs.push([bucket, count]));
    return pairs;
  }

  add(sparse: [number, number][]): void {
    for (const [bucket, count] of sparse) {
      this.counts[bucket]! += count;
      this.total += count;
    }
  }

  /** The latency below which a fraction `q` of the samples fall, in ms; undefined without samples. */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return Math.round(bucket * BUCKET_MS * 10) / 10;
    }
    return undefined;
  }
}
