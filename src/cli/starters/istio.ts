/** `canary init --template istio`: two workloads behind Istio, judged on Istio's Prometheus metrics. */
export function istioStarter(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# A canary experiment for two versions of a workload in an Istio mesh, compared on the request
# metrics Istio's Prometheus add-on collects (the builtin istio-prometheus template).
# As written it compares reviews-v1 and reviews-v2 of Istio's bookinfo sample; run it with
#   canary run experiment.yaml --set prometheusURL=http://127.0.0.1:9090/api/v1/query
# (default: the in-mesh address http://prometheus.istio-system:9090/api/v1/query, or inside a cluster
# \`canary k launch experiment.yaml\`). Check your edits with \`canary validate experiment.yaml\`.
apiVersion: canary/v1
kind: Experiment
metadata:
  # Names the result file: canary-results/<name>.jsonl (and, in Kubernetes, the results Secret).
  name: reviews
spec:
  # Names of the versions, in version-index order: versionValues below follow the same order.
  versions: [baseline, candidate]
  # Compare the versions at every tick (cron: 5 fields, or 6 with seconds), up to maxLoops;
  # without a schedule the experiment runs one loop.
  # schedule: "*/1 * * * *"
  # maxLoops: 60
  tasks:
    # custommetrics queries a metrics backend through a template: here istio-prometheus, whose
    # metrics are named istio-prometheus/<metric> (request-count, error-count, error-rate,
    # latency-mean, latency-p<P>), over the time since the experiment started.
    - id: metrics
      task: custommetrics
      with:
        templates:
          istio-prometheus: builtin:istio-prometheus
        # Values for every version: the Prometheus query endpoint and the labels they share.
        values:
          prometheusURL: "{{ values.prometheusURL | default('http://prometheus.istio-system:9090/api/v1/query') }}"
          labels:
            destination_workload_namespace: default
            reporter: destination
          latencyPercentiles: [50, 90, 99]
        # Values per version, merged over the ones above: the workload that is each version.
        versionValues:
          - labels:
              destination_workload: reviews-v1
          - labels:
              destination_workload: reviews-v2
    # assess judges the SLOs: upper limits are maxima (value <= limit), lower limits minima.
    # A metric without a value is "no data", never a pass; the lower limit on request-count makes
    # a version that received no traffic fail, not merely inconclusive.
    - task: assess
      with:
        SLOs:
          upper:
            istio-prometheus/error-rate: 0.01
            istio-prometheus/latency-mean: 100 # milliseconds
            istio-prometheus/latency-p90: 200 # milliseconds
          lower:
            istio-prometheus/request-count: 1
`;
}
