/** `canary init --template kserve-rollout`: canary ramps a KServe InferenceService canary on its SLOs. */
export function kserveRolloutStarter(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# Progressive delivery for a KServe InferenceService (Serverless mode). Deploy the new model with
# spec.predictor.canaryTrafficPercent: 10; every 5 minutes canary judges the new revision on the
# metrics Prometheus scrapes from it, and moves its traffic 10% -> 50% -> promoted after two passing
# loops per step. A failed SLO rolls it back (canaryTrafficPercent: 0) and ends the run with exit 1.
# Try it without touching the cluster first:
#   canary run experiment.yaml --no-act --set prometheusURL=http://prometheus:9090/api/v1/query
# In the cluster, \`canary k launch experiment.yaml\` grants the runner get and patch on this one
# InferenceService only. Check your edits with \`canary validate experiment.yaml\`.
apiVersion: canary/v1
kind: Experiment
metadata:
  name: sklearn-iris-rollout
spec:
  # One version: the candidate (KServe's latest ready revision), judged on its own metrics.
  versions: [candidate]
  schedule: "*/5 * * * *"
  maxLoops: 24
  tasks:
    # No step before the InferenceService is Ready.
    - id: ready
      task: ready
      with: { resource: isvc, name: sklearn-iris, condition: Ready, timeout: 180s }
    - id: metrics
      task: custommetrics
      with:
        templates:
          kserve-prometheus: builtin:kserve-prometheus
        values:
          prometheusURL: "{{ values.prometheusURL | default('http://127.0.0.1:9090/api/v1/query') }}"
          labels:
            service_name: sklearn-iris-predictor-default
            revision_name: sklearn-iris-predictor-default-00002
          latencyPercentiles: [90]
    # The gating SLOs: a loop where any fails rolls back; one without data holds.
    - id: assess
      task: assess
      with:
        SLOs:
          upper:
            kserve-prometheus/error-rate: 0.01
            kserve-prometheus/latency-p90: 40 # milliseconds
    # rollout acts on this loop's verdicts: it reads canaryTrafficPercent from the object each loop,
    # and patches it with a JSON merge patch. A manual change between loops makes it hold.
    - id: rollout
      task: rollout
      with:
        target: { resource: inferenceservices, name: sklearn-iris }
        steps: [10, 50, 100] # canary traffic per step; 100 promotes (removes canaryTrafficPercent)
        passesPerStep: 2
        onFailure: rollback # or hold
        maxStepsPerHour: 4
`;
}
