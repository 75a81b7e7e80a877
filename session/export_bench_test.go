package session

import "encoding/json"

// SyncFilterForBench is the engine's /sync filter, for the benchmark that times the server's answer alone.
var SyncFilterForBench json.RawMessage = syncFilter
