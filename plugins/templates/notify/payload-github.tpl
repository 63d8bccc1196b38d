{
  "event_type": "iter8",
  "client_payload": {{ .Report | toPrettyJson }}
}