// The generator processes of one run: the clients dealt out among them, each phase started
// on all of them at once, and their reports gathered.
import type { JoinReport, RunReport, WorkerPlan } from "./plan";

interface Worker {
  process: Bun.Subprocess<"pipe", "pipe", "inherit">;
  replies: AsyncIterator<string>;
}

export class Generators {
  private constructor(private readonly workers: Worker[]) {}

  /** Starts `count` processes and deals `plan.clients` out among them round-robin. */
  static async start(plan: WorkerPlan, count: number): Promise<Generators> {
    const workers = Array.from({ length: count }, (_, w) => {
      const process = Bun.spawn([globalThis.process.execPath, `${import.meta.dir}/worker.ts`], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
      const share = { ...plan, clients: plan.clients.filter((_, i) => i % count === w) };
      process.stdin.write(JSON.stringify(share) + "\n");
      return { process, replies: lines(process.stdout) };
    });
    return new Generators(workers);
  }

  get pids(): number[] {
    return this.workers.map((worker) => worker.process.pid);
  }

  async login(): Promise<void> {
    await this.all("login");
  }

  connect(): Promise<JoinReport[]> {
    return this.all("connect");
  }

  run(): Promise<RunReport[]> {
    return this.all("run");
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) {
      worker.process.stdin.write(JSON.stringify({ cmd: "close" }) + "\n");
      await worker.process.stdin.end();
    }
    await Promise.race([Promise.all(this.workers.map((worker) => worker.process.exited)), Bun.sleep(5000)]);
    for (const worker of this.workers) if (worker.process.exitCode === null) worker.process.kill("SIGKILL");
  }

  private all<T>(cmd: string): Promise<T[]> {
    for (const worker of this.workers) worker.process.stdin.write(JSON.stringify({ cmd }) + "\n");
    for (const worker of this.workers) void worker.process.stdin.flush();
    return Promise.all(
      this.workers.map(async (worker) => {
        const { value, done } = await worker.replies.next();
        if (done) throw new Error(`a generator exited during "${cmd}" (exit code ${await worker.process.exited})`);
        return JSON.parse(value) as T;
      }),
    );
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
}
