// Work in flight, so that a shutdown can let it finish: every socket event and HTTP request
// runs through `run`; `drain` refuses new work and resolves once the last running one ends.
import { unavailable } from "./errors";

export class Drain {
  private active = 0;
  private idle: (() => void)[] = [];
  draining = false;

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.draining) throw unavailable("shutting_down", "this server is shutting down: retry, another one will answer");
    this.active++;
    try {
      return await task();
    } finally {
      if (--this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  drain(): Promise<void> {
    this.draining = true;
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}
