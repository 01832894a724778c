import Automation
import Hummingbird

/// The request context of the Signalbox API: Hummingbird's core storage plus the caller the
/// bearer token stands for, set by ``AuthenticationMiddleware``.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil on routes that need no token (health, metrics).
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.caller = nil
    }

    /// Bodies larger than this are refused with 413 before they are decoded.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller, or 401 when the route was reached without authentication.
    func requireCaller() throws(AutomationError) -> Caller {
        guard let caller else { throw .unauthorized() }
        return caller
    }
}
