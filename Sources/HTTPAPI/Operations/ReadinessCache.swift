/// The last readiness report, refreshed at most once per `maxAge` and by one caller at a time.
///
/// `GET /health/ready` needs no token, and its database check takes the write lock: without
/// this, every probe (and anyone on the network) would cost a write transaction, and probes whose
/// checks time out would keep piling up behind a slow store. Callers that arrive while a refresh
/// runs wait for that one.
actor ReadinessCache {
    private var last: (report: ReadinessReport, at: ContinuousClock.Instant)?
    private var refreshing: Task<ReadinessReport, Never>?

    func report(maxAge: Duration, refresh: @escaping @Sendable () async -> ReadinessReport) async -> ReadinessReport {
        if let last, ContinuousClock.now - last.at < maxAge { return last.report }
        if let refreshing { return await refreshing.value }
        let task = Task { await refresh() }
        refreshing = task
        let report = await task.value
        last = (report, ContinuousClock.now)
        refreshing = nil
        return report
    }
}
