/** Metrics backends use the one HTTP stack (src/util/http-dispatcher.ts), proxy support included. */
export {
  type HttpTls as BackendTls,
  getHttpDispatcher as getBackendDispatcher,
  closeHttpConnections as closeBackendConnections,
} from '../../util/http-dispatcher.js';
