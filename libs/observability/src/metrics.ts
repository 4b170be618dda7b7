import { collectDefaultMetrics, Counter, type CounterConfiguration, Gauge, type GaugeConfiguration, Histogram, type HistogramConfiguration, register } from 'prom-client';

/**
 * Prometheus metrics of the process, in prom-client's default registry: Closeloop's own series
 * (`closeloop_*`) and the Node.js process metrics. Every series carries `service=<name>`.
 * Instruments are created once per process (a second service module in one process, as in
 * tests, gets the same ones).
 */
export const metricsRegistry = register;

let defaultsCollected = false;

/** Call once at start-up: the `service` label, and the process and Node.js runtime metrics. */
export const configureMetrics = (service: string): void => {
  metricsRegistry.setDefaultLabels({ service });
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
};

export const counter = <L extends string>(config: CounterConfiguration<L>): Counter<L> =>
  (metricsRegistry.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);

export const gauge = <L extends string>(config: GaugeConfiguration<L>): Gauge<L> =>
  (metricsRegistry.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge(config);

export const histogram = <L extends string>(config: HistogramConfiguration<L>): Histogram<L> =>
  (metricsRegistry.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram(config);

/** Seconds, from 5 ms to 2 minutes. */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
