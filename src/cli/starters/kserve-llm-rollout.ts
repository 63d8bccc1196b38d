/** `canary init --template kserve-llm-rollout`: canary ramps an LLMInferenceService in its route group. */
export function kserveLlmRolloutStarter(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# Progressive delivery for a KServe LLMInferenceService: llama-v2 joins llama-v1's route group
# (spec.router.route.group: llama) with a small weight. Every 5 minutes canary judges llama-v2 and
# raises its weight so it takes 10% -> 50% of the group, then promotes it by stopping llama-v1
# (annotation serving.kserve.io/stop: "true"). A failed SLO returns llama-v2 to its starting weight.
# Metrics come from an HTTP load against llama-v2's endpoint here; use custommetrics for Prometheus.
# Try it without touching the cluster first: canary run experiment.yaml --no-act
apiVersion: canary/v1
kind: Experiment
metadata:
  name: llama-rollout
spec:
  versions: [candidate]
  schedule: "*/5 * * * *"
  maxLoops: 24
  tasks:
    - id: ready
      task: ready
      with: { resource: llminferenceservices, name: llama-v2, condition: Ready, timeout: 300s }
    - id: load
      task: http
      with:
        url: "{{ values.candidateURL | default('http://llama-v2.default.svc/v1/completions') }}"
        payloadStr: '{"model": "meta-llama/Llama-3.1-8B-Instruct", "prompt": "Hello", "max_tokens": 16}'
        contentType: application/json
        numRequests: 40
        qps: 2
    - id: assess
      task: assess
      with:
        SLOs:
          upper:
            http/error-rate: 0.01
            http/latency-p90: 2000 # milliseconds
    - id: rollout
      task: rollout
      with:
        target: { resource: llminferenceservices, candidate: llama-v2, baseline: llama-v1 }
        steps: [10, 50, 100] # the candidate's share of the group; 100 stops the baseline
        passesPerStep: 2
        onFailure: rollback
`;
}
