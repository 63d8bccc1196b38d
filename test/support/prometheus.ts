// Tests use the same local Prometheus launcher as `canary demo`.
export * from '../../src/demo/local-prometheus.js';
