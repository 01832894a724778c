import AMQPClient
import Automation
import Engine
import Foundation
import Metrics
import Prometheus
import SignalboxTestSupport
import Testing

/// The pipeline's totals and timers reach the Prometheus text that `GET /metrics` serves. The
/// instruments come from a factory of the test's own: `MetricsSystem.bootstrap` is once per process.
@Suite("Pipeline metrics")
struct PipelineMetricsTests {
    @Test func pipelineTotalsAndTimersReachThePrometheusText() async throws {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = EngineMetrics.durationBuckets
        let counters = PipelineCounters(metrics: EngineMetrics(factory: factory))
        let harness = try await PipelineHarness(counters: counters)
        try await harness.createDailyReport()
        // An unknown trigger type reaches the events queue only if bound; bind one for this test.
        try await harness.client.declare(AMQPTopology(bindings: [
            .init(queue: harness.names.eventsQueue, exchange: harness.names.eventsExchange, routingKey: "SomethingElse"),
        ]))
        try await harness.triggers.refresh()  // the index has the trigger before the first event

        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "m-match"), messageID: "m-match")
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "m-running", status: "Running"), messageID: "m-running")
        try await harness.publishRaw(Array("not json".utf8), messageID: "m-poison")
        try await harness.publishEvent(#"{"type":"Other"}"#, messageID: "m-unknown", routingKey: "SomethingElse")

        #expect(await eventually { counters.snapshot.acked == 4 && counters.inFlight == 0 })
        // Acked after the broker confirmed; the test's own consumers receive a moment later.
        #expect(await eventually { harness.commands.all.count == 1 && harness.deadLetters.all.count == 1 })

        let text = registry.emitToString()
        let expected: [(String, Double)] = [
            ("signalbox_events_consumed_total", 4), ("signalbox_trigger_matches_total", 1),
            ("signalbox_commands_published_total", 1), ("signalbox_events_dead_lettered_total", 1),
            ("signalbox_events_unknown_type_total", 1), ("signalbox_events_acked_total", 4),
            // One history write (one batch had a match); two confirms (the command and the dead letter).
            ("signalbox_history_write_seconds_count", 1), ("signalbox_publish_confirm_seconds_count", 2),
        ]
        for (name, value) in expected {
            #expect(Self.sample(name, in: text) == value, "\(name) in:\n\(text)")
        }
        #expect(Self.sample("signalbox_commands_refused_total", in: text) == 0, "registered before anything was refused")
        // The engine's buckets, not the factory's defaults (which start at 5 ms).
        #expect(text.contains(#"signalbox_publish_confirm_seconds_bucket{le="0.0005"}"#), "\(text)")
        try await harness.shutDown()
    }

    @Test func scheduleFireLagIsAHistogramInSecondsAndNegativeLagCountsAsZero() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = EngineMetrics.durationBuckets
        let metrics = EngineMetrics(factory: factory)
        metrics.recordScheduleFireLag(.milliseconds(30))
        metrics.recordScheduleFireLag(.milliseconds(-5))  // a clock step backwards
        let text = registry.emitToString()
        #expect(Self.sample("signalbox_schedule_fire_lag_seconds_count", in: text) == 2)
        #expect(Self.sample("signalbox_schedule_fire_lag_seconds_sum", in: text) == 0.03)
        #expect(Self.sample(#"signalbox_schedule_fire_lag_seconds_bucket{le="0.001"}"#, in: text) == 1)
        #expect(Self.sample(#"signalbox_schedule_fire_lag_seconds_bucket{le="0.05"}"#, in: text) == 2)
    }

    /// The value of the sample line `name value` (name with labels, if any); nil when absent.
    static func sample(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }
}
