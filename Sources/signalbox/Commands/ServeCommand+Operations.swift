import AMQPClient
import Automation
import Engine
import HTTPAPI
import Metrics
import Prometheus
import Foundation

/// What `serve` gives the platform: the process-wide metrics backend and the readiness checks.
extension ServeCommand {
    /// Bootstraps swift-metrics with one Prometheus registry (once per process, so only here) and
    /// returns the registry, which `GET /metrics` renders. Engine timers get their own buckets.
    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = EngineMetrics.durationBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// `GET /health/ready` passes when the broker connection is up and the store serves (SQLite
    /// takes writes; PostgreSQL answers with a current schema) — and fails at once while the run
    /// path is holding a batch the store would not write.
    static func readinessChecks(
        connection: AMQPConnection, store: ConfiguredStore, location: String, storeHealth: StoreHealth, leadership: any SchedulerLeadership
    ) -> [ReadinessCheck] {
        [
            ReadinessCheck(name: "broker") {
                let state = connection.state
                guard state == .connected else { throw ReadinessCheck.Failure("the broker connection is \(state)") }
            },
            ReadinessCheck(name: "database", detail: location) {
                if let failure = storeHealth.failure {
                    throw ReadinessCheck.Failure(
                        "the store cannot write: \(failure.error) "
                            + "(\(failure.attempts) attempts since \(failure.since.formatted(.iso8601)); events are held and retried)")
                }
                try await store.checkReady()
            },
            // Which replica fires schedules and delayed runs: a follower is ready too.
            ReadinessCheck(name: "scheduler", reporting: { leadership.role.rawValue }),
        ]
    }
}
