// What a LIST costs beyond its round trip: time roughly linear in the number of objects it returns.
// Upstream, kube-apiserver serves an informer's LIST from its watch cache (client-go reflector.go,
// Reflector.list: the first LIST asks for resourceVersion "0", a relist for the last version it saw;
// from v1.31 consistent LISTs are served from the cache too, ConsistentListFromCache), then encodes every
// object, and the client decodes every one before the informer's store is replaced
// (Reflector.syncWith -> Store.Replace). API Priority and Fairness prices a LIST the same way: its work
// estimator (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request/list_work_estimator.go,
// listWorkEstimator.estimate -> seatsBasedOnObjectCount) charges one seat per ObjectsPerSeat (100) objects
// the LIST processes, so a LIST of 150,000 pods takes the most seats a request can (10), and a node's
// own pods the fewest (1). hasim turns that linear cost into time: listCostPerObjectUs per object
// returned, covering the server's filtering and encoding and the client's decoding. The default, 20 µs, is
// a chosen figure, not a measurement: it puts a LIST of 150,000 pods at 3 s and of a node's 30 pods at
// 0.6 ms (rounded to a whole millisecond, as every time here), in line with reports of LISTs of 100,000 and more pods taking seconds even from the watch
// cache, and well inside the SIG Scalability SLO for a cluster-wide LIST (30 s at the 99th percentile).
//
// Simplified (docs/fidelity.md#informer-list-time): the cost is per object returned, not per object the
// server scans (the estimator counts every stored object of the resource for a LIST served from the cache;
// a kubelet's pods by spec.nodeName come from the watch cache's index, where returned is nearer the
// truth); LISTs do not queue behind each other or slow other requests (no APF seats, no CPU contention at
// the API server), and the answer arrives whole, not in pages or as a stream (WatchList).

/** The time, in whole milliseconds, a LIST returning `objects` objects takes beyond its round trip. */
export function listTimeMs(listCostPerObjectUs: number, objects: number): number {
  return Math.round((objects * listCostPerObjectUs) / 1000);
}
