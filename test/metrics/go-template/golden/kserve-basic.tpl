# Templated metric specs for a KServe InferenceService served by Knative (canary fixture,
# in the style of the Iter8 KServe tutorial's kserve-prometheus.tpl).
#
# namespace_name          string         required
# revision_name           string         required
# elapsedTimeSeconds      int            implicit
# latencyPercentiles      []int          optional

{{- define "labels"}}
{{- $labels := dict "namespace_name" .namespace_name "revision_name" .revision_name }}
{{- range $k, $v := $labels }}
{{- if empty $v }}
{{- fail (printf "%s is required" $k) }}
{{- end }}
{{- end }}
namespace_name="{{ .namespace_name }}",
revision_name="{{ .revision_name }}"
{{- end }}

url: {{ default "http://prometheus-operated.monitoring:9090/api/v1/query" .prometheusURL }}
provider: kserve-prometheus
method: GET
metrics:
- name: request-count
  type: counter
  description: |
    Number of requests
  params:
  - name: query
    value: |
      sum(last_over_time(revision_app_request_count{
        {{ template "labels" . }}
      }[{{ .elapsedTimeSeconds }}s])) or on() vector(0)
  jqExpression: .data.result[0].value[1] | tonumber
- name: error-count
  type: counter
  description: |
    Number of unsuccessful requests
  params:
  - name: query
    value: |
      sum(last_over_time(revision_app_request_count{
        response_code_class!='2xx',
        {{ template "labels" . }}
      }[{{ .elapsedTimeSeconds }}s])) or on() vector(0)
  jqExpression: .data.result[0].value[1] | tonumber
- name: latency-mean
  type: gauge
  description: |
    Mean latency
  params:
  - name: query
    value: |
      (sum(last_over_time(revision_app_request_latencies_sum{
        {{ template "labels" . }}
      }[{{ .elapsedTimeSeconds }}s])) or on() vector(0))/(sum(last_over_time(revision_app_request_latencies_count{
        {{ template "labels" . }}
      }[{{ .elapsedTimeSeconds }}s])) or on() vector(0))
  jqExpression: .data.result[0].value[1] | tonumber
{{- range .latencyPercentiles }}
- name: latency-p{{ . }}
  type: gauge
  description: |
    {{ . }} percentile latency
  params:
  - name: query
    value: |
      histogram_quantile({{ printf "0.%v" . }}, sum(rate(revision_app_request_latencies_bucket{
        {{ template "labels" $ }}
      }[{{ $.elapsedTimeSeconds }}s])) by (le))
  jqExpression: .data.result[0].value[1] | tonumber
{{- end }}
