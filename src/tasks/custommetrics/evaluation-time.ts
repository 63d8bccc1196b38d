import type { ProviderSpec } from '../../metrics/provider-spec.js';
import { formatRfc3339 } from '../../util/rfc3339.js';
import type { RenderedProvider } from './providers.js';

/** Prometheus's instant-query endpoint; `query_range` has its own start and end. */
const instantQueryPath = /\/api\/v1\/query\/?$/;

/**
 * A Prometheus instant query answers as of its `time` parameter, or as of now without one. In a
 * retrospective loop every instant query gets the loop's time, unless its template set one.
 */
export function atEvaluationTime(rendered: readonly RenderedProvider[], time: Date): RenderedProvider[] {
  const value = formatRfc3339(time);
  return rendered.map((provider) =>
    isInstantQuery(provider.spec)
      ? {
          ...provider,
          spec: {
            ...provider.spec,
            metrics: provider.spec.metrics.map((metric) =>
              metric.params?.some((p) => p.name === 'time')
                ? metric
                : { ...metric, params: [...(metric.params ?? []), { name: 'time', value }] },
            ),
          },
        }
      : provider,
  );
}

function isInstantQuery(spec: ProviderSpec): boolean {
  try {
    return instantQueryPath.test(new URL(spec.url).pathname);
  } catch {
    return false; // an invalid URL is reported when it is queried
  }
}
