/** The provider prefix of every metric the http task records: `http/latency-p90`, ... */
export const httpProvider = 'http';
