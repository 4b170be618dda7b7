import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Admin, Kafka } from 'kafkajs';

/** Rejects after `ms` with a message naming what did not answer; the timer never outlives the race. */
export const withTimeout = async <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * One long-lived Kafka admin connection for the health checks and the consumer-lag metric, so a
 * probe every few seconds does not open a connection each time. It retries once only (a probe
 * must answer fast); after a failure it is dropped and the next call connects again.
 */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private admin?: Promise<Admin>;

  constructor(@Inject(Kafka) private readonly kafka: Kafka) {}

  async run<T>(what: string, timeoutMs: number, fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = (this.admin ??= this.connect());
    try {
      return await withTimeout(admin.then(fn), timeoutMs, what);
    } catch (error) {
      if (this.admin === admin) this.admin = undefined;
      void admin.then((a) => a.disconnect()).catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private async connect(): Promise<Admin> {
    const admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 100 } });
    await admin.connect();
    return admin;
  }
}
