import Automation
import Hummingbird
import Logging

/// The Signalbox REST API (docs/openapi.yaml): Hummingbird routes over ``AutomationService``.
///
/// Paths and JSON fields follow seed 000 (`POST /namespaces/{ns}/automated-actions`,
/// `/automated-actions/by-id/{id}/schedules`, …). Every route but `/health/live`, `/health/ready`,
/// `/metrics` and the webhook calls `/hooks/{id}` (signed instead) needs `Authorization: Bearer
/// <token>`; the token decides the tenant and the role. Every failure is a JSON ``APIError``.
///
/// Readiness checks and the metrics text are injected, so the API depends on neither the broker,
/// the database nor a metrics backend.
///
/// The executable serves it with ``application(host:port:)``; tests drive ``makeRouter()``
/// through HummingbirdTesting.
public struct SignalboxAPI: Sendable {
    public let service: AutomationService
    public let logger: Logger
    /// What `GET /health/ready` requires (none: always ready).
    public var readinessChecks: [ReadinessCheck]
    /// A check that has not answered within this fails.
    public var readinessTimeout: Duration
    /// How long a readiness report is answered again before the checks run anew.
    public var readinessMaxAge: Duration = .seconds(1)
    let readinessCache = ReadinessCache()
    /// The body of `GET /metrics`, in Prometheus' text exposition format.
    public var metricsText: @Sendable () -> String
    /// The token buckets of webhook calls.
    let webhookRates = TokenBucketLimiter<WebhookID>()
    /// Requests per second each API token may make (nil: unlimited); over it, 429 with `Retry-After`.
    public var tokenRateLimit: WebhookRateLimit?
    let tokenRates = TokenBucketLimiter<TokenID>()
    /// History entries as they are recorded, for the console's live stream (`GET /history/stream`);
    /// the executable feeds it from the run path.
    public let historyFeed = HistoryFeed()
    /// The last events read from the bus per tenant, for the console's filter tester
    /// (`GET /events/recent`); the executable feeds it from the pipeline.
    public var recentEvents = RecentEvents()

    public init(
        service: AutomationService, logger: Logger, readinessChecks: [ReadinessCheck] = [],
        readinessTimeout: Duration = .seconds(2), metricsText: @escaping @Sendable () -> String = { "" }
    ) {
        self.service = service
        self.logger = logger
        self.readinessChecks = readinessChecks
        self.readinessTimeout = readinessTimeout
        self.metricsText = metricsText
    }

    /// All routes, behind the error middleware (outermost, so unknown paths answer JSON too) and,
    /// except health and metrics, the authentication middleware. HEAD is served wherever GET is;
    /// another method on a known path answers 405 with `Allow`.
    public func makeRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ErrorMiddleware<APIRequestContext>(logger: logger))
        addOperationsRoutes(to: router)
        // The console's files hold no data; its pages sign in with a token like any client.
        addConsoleAssetRoutes(to: router)
        // Authenticated by their signature, not a bearer token.
        addWebhookCallRoutes(to: router)

        let api = router.group().add(middleware: AuthenticationMiddleware(service: service, rates: tokenRates, limit: tokenRateLimit))
        addActionRoutes(to: api)
        addScheduleRoutes(to: api)
        addTriggerRoutes(to: api)
        addWebhookRoutes(to: api)
        addSigningSecretRoutes(to: api)
        addExecutionRoutes(to: api)
        addDelayedRunRoutes(to: api)
        addToolRoutes(to: api)
        addTokenRoutes(to: api)
        addDefinitionRoutes(to: api)
        addConsoleRoutes(to: api)
        addMethodNotAllowedRoutes(to: router)
        return router
    }

    /// An HTTP/1.1 server on `host:port` serving ``makeRouter()``. It is a `Service`: run it with
    /// `runService()` or in the executable's `ServiceGroup`.
    public func application(host: String = "127.0.0.1", port: Int = 8080) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "signalbox"),
            logger: logger)
    }
}
