// What people who run the proxy watch: the JSON log and the metrics, made once per proxy from its
// configuration and handed to every part through Services.
import type { DestinationStream } from 'pino';
import type { Config } from '../config/config.ts';
import { createLog, type Log } from './log.ts';
import { Metrics } from './metrics.ts';

export interface Ops {
  log: Log;
  /** Always counted (cheap); served only when config.metricsListen is set (see startMetricsServer). */
  metrics: Metrics;
}

export function createOps(config: Pick<Config, 'logLevel' | 'metricsListen'>, logDestination?: DestinationStream): Ops {
  return {
    log: createLog(config.logLevel, logDestination),
    // The process's own figures are worth collecting only when someone can scrape them.
    metrics: new Metrics({ processMetrics: Boolean(config.metricsListen) }),
  };
}
