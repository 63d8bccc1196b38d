import { queryPrometheus, type PrometheusServer } from '../../src/demo/local-prometheus.js';

// Tests use the same local Prometheus launcher as `canary demo`.
export * from '../../src/demo/local-prometheus.js';

/**
 * Scrapes happen every scrape interval: waits (bounded, ~20 s) until `query`, a sum over a
 * counter, reaches `total` in Prometheus.
 */
export async function waitForScrape(
  prometheus: PrometheusServer,
  query: string,
  total: number,
): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const answer = (await queryPrometheus(prometheus, query)) as {
      data: { result: Array<{ value: [number, string] }> };
    };
    if (Number(answer.data.result[0]?.value[1]) >= total) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Prometheus never scraped ${total} requests (${query})`);
}
