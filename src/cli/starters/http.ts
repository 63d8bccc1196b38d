/** `canary init --template http`: load two HTTP endpoints, judge latency and errors. */
export function httpStarter(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# A canary experiment: send the same load to two versions of an HTTP service and judge each against
# SLOs. As written it targets the model server that ships with canary:
#   canary serve-model             # terminal 1: the baseline on :8080, the candidate on :8081
#   canary run experiment.yaml     # terminal 2: one loop, a report of each SLO, exit code 0 or 1
# Then point the URLs at your own service and check your edits with \`canary validate experiment.yaml\`.
apiVersion: canary/v1
kind: Experiment
metadata:
  # Names the result file: canary-results/<name>.jsonl (and, in Kubernetes, the results Secret).
  name: my-service
spec:
  # Names of the versions, in version-index order; every SLO below is judged for each of them.
  versions: [baseline, candidate]
  # Without a schedule the experiment runs one loop. With one (cron: 5 fields, or 6 with seconds)
  # it runs a loop at every tick, up to maxLoops:
  # schedule: "*/1 * * * *"
  # maxLoops: 10
  tasks:
    # The http task loads each endpoint in turn and records http/* metrics per version:
    # request-count, error-count, error-rate, latency-mean and latency-p<P>.
    - id: load
      task: http
      with:
        # One endpoint per version, in the order of spec.versions.
        endpoints:
          baseline: { url: http://127.0.0.1:8080/v1/models/sklearn-iris:predict }
          candidate: { url: http://127.0.0.1:8081/v1/models/sklearn-iris:predict }
        # A JSON body makes the requests POSTs; here, two iris flowers in KServe's V1 protocol.
        payload: { instances: [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]] }
        # Requests per endpoint (or \`duration: 30s\`), over this many keep-alive connections.
        numRequests: 100
        connections: 2
        # Requests per second (default 8, as Iter8); 0 sends as fast as the connections go.
        qps: 20
        # Latency percentiles recorded besides http/latency-p50, -p75, -p90, -p95, -p99, -p99.9.
        percentiles: [99.99]
    # assess judges the SLOs: upper limits are maxima (value <= limit), lower limits minima.
    # A metric without a value is "no data", never a pass.
    - task: assess
      with:
        SLOs:
          upper:
            http/error-count: 0
            http/latency-mean: 25 # milliseconds
            http/latency-p90: 40 # milliseconds
`;
}
