/** The provider prefix of every metric the grpc task records: `grpc/latency-p90`, `grpc/latency/p97.5`, ... */
export const grpcProvider = 'grpc';
