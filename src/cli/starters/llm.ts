/** `canary init --template llm`: two versions of an LLM behind an OpenAI-compatible API, streamed. */
export function llmStarter(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# A canary experiment for an LLM served with an OpenAI-compatible API (vLLM, KServe's
# LLMInferenceService, the Hugging Face runtime): the llm task streams prompts to both versions and
# measures time to first token (TTFT), inter-token latency (ITL), time per output token (TPOT) and
# errors; the SLOs below judge them. As written it targets \`canary serve-model --model llm\` (an
# emulated vLLM on ports 8080 and 8081). Check your edits with \`canary validate experiment.yaml\`.
apiVersion: canary/v1
kind: Experiment
metadata:
  # Names the result file: canary-results/<name>.jsonl.
  name: llm-canary
spec:
  # Names of the versions, in version-index order (the order of endpoints below).
  versions: [baseline, candidate]
  # Without a schedule the experiment runs one loop. To compare the versions every minute:
  # schedule: "*/1 * * * *"
  tasks:
    - id: load
      task: llm
      with:
        # The API base of each version (the task posts to <base>/chat/completions).
        endpoints:
          baseline: { url: http://127.0.0.1:8080/v1 }
          candidate: { url: http://127.0.0.1:8081/v1 }
        model: canary/llama-emulated # the served model id
        api: chat # or completions
        # A list of prompts, {file: prompts.jsonl} (one JSON string per line), or seeded synthetic ones.
        prompts: { synthetic: { count: 50, minWords: 16, maxWords: 128, seed: 1 } }
        maxTokens: 32
        numRequests: 40 # per version; or duration: 1m
        concurrency: 4 # streams in flight at once
        # qps: 2       # a constant rate instead of back to back
        timeout: 30s
        # An API key from the environment, never written here:
        # headersFrom: { Authorization: { env: OPENAI_API_KEY, prefix: "Bearer " } }
    - id: assess
      task: assess
      with:
        SLOs:
          upper:
            llm/error-rate: 0 # HTTP errors, error events mid-stream, streams without [DONE]
            llm/ttft-p90: 500 # ms
            llm/tpot-mean: 50 # ms per output token after the first
        # The candidate against the baseline: at most 10% slower to its first token.
        relative:
          baseline: baseline
          SLOs:
            llm/ttft-mean: { maxIncrease: 10%, floor: 2 }
        compare:
          - latency: llm/ttft
            maxIncrease: 10%
`;
}
