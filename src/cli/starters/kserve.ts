/** `canary init --template kserve`: two revisions of a KServe model, judged on Prometheus metrics. */
export function kserveStarter(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# A canary experiment for a KServe InferenceService: its two latest revisions compared on the request
# metrics Prometheus scrapes from their queue-proxies (the builtin kserve-prometheus template).
# Point it at your Prometheus and run it:
#   canary run experiment.yaml --set prometheusURL=http://127.0.0.1:9090/api/v1/query
# To try it on this machine: \`canary serve-model\` serves two revisions with those metrics; scrape
# ports 8080 and 8081 with a Prometheus. Check your edits with \`canary validate experiment.yaml\`.
apiVersion: canary/v1
kind: Experiment
metadata:
  # Names the result file: canary-results/<name>.jsonl (and, in Kubernetes, the results Secret).
  name: sklearn-iris
spec:
  # Names of the versions, in version-index order: versionValues below follow the same order.
  versions: [candidate, baseline]
  # Without a schedule the experiment runs one loop. To compare the revisions every minute:
  # schedule: "*/1 * * * *"
  tasks:
    # Inside a cluster, wait for the InferenceService to be Ready first (canary k launch):
    # - id: ready
    #   task: ready
    #   with: { resource: isvc, name: sklearn-iris, condition: Ready, timeout: 180s }
    # custommetrics queries a metrics backend through a template: here kserve-prometheus, whose
    # metrics are named kserve-prometheus/<metric> (request-count, error-count, error-rate,
    # latency-mean, latency-p<P>).
    - id: metrics
      task: custommetrics
      with:
        templates:
          kserve-prometheus: builtin:kserve-prometheus
        # Values for every version: the Prometheus query endpoint and the labels of the service.
        values:
          prometheusURL: "{{ values.prometheusURL | default('http://127.0.0.1:9090/api/v1/query') }}"
          labels:
            service_name: sklearn-iris-predictor-default
          latencyPercentiles: [50, 75, 90, 95]
        # Values per version, merged over the ones above: the revision that is each version.
        versionValues:
          - labels:
              revision_name: sklearn-iris-predictor-default-00002
          - labels:
              revision_name: sklearn-iris-predictor-default-00001
    # assess judges the SLOs: upper limits are maxima (value <= limit), lower limits minima.
    # A metric without a value is "no data", never a pass.
    - task: assess
      with:
        SLOs:
          upper:
            kserve-prometheus/error-count: 0
            kserve-prometheus/latency-mean: 25 # milliseconds
            kserve-prometheus/latency-p90: 40 # milliseconds
`;
}
