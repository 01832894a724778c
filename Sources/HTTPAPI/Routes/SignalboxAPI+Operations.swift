import Hummingbird

/// Probes and metrics for the platform: they need no token, so a load balancer, an orchestrator
/// or a Prometheus scraper can call them (they reveal no tenant's data).
extension SignalboxAPI {
    /// Prometheus' text exposition format, version 0.0.4.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    func addOperationsRoutes(to router: Router<APIRequestContext>) {
        router.get("/health/live") { _, _ in JSONResponse.make(["status": "ok"]) }

        router.get("/health/ready") { _, _ in
            let report = await readiness()
            if report.status == .fail {
                logger.warning("not ready", metadata: [
                    "failing": "\(report.checks.filter { $0.status == .fail }.map { "\($0.name): \($0.reason ?? "")" })",
                ])
            }
            return JSONResponse.make(report, status: report.status == .pass ? .ok : .serviceUnavailable)
        }

        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: Self.metricsContentType],
                body: .init(byteBuffer: ByteBuffer(string: metricsText())))
        }
    }

    /// The readiness report, at most ``readinessMaxAge`` old.
    func readiness() async -> ReadinessReport {
        let checks = readinessChecks, timeout = readinessTimeout
        return await readinessCache.report(maxAge: readinessMaxAge) { await Self.runChecks(checks, timeout: timeout) }
    }

    /// Runs every readiness check at once; ready when all pass.
    static func runChecks(_ checks: [ReadinessCheck], timeout: Duration) async -> ReadinessReport {
        let results = await withTaskGroup(of: (Int, ReadinessResult).self) { group in
            for (position, check) in checks.enumerated() {
                group.addTask { (position, await ReadinessResult.run(check, timeout: timeout)) }
            }
            var results: [(Int, ReadinessResult)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ReadinessReport(status: results.allSatisfy { $0.status == .pass } ? .pass : .fail, checks: results)
    }
}

/// The body of `GET /health/ready`: the overall status and each check's.
struct ReadinessReport: Encodable, Sendable {
    var status: ReadinessResult.Status
    var checks: [ReadinessResult]
}
