import Foundation
import Synchronization

/// Lags (or any durations) gathered from many tasks, for benchmarks that print percentiles.
public final class LagRecorder: Sendable {
    private let lags = Mutex<[Double]>([])
    private let countFrom: Date

    /// Lags recorded before `countFrom` (a warm-up) are not kept.
    public init(countFrom: Date = .distantPast) {
        self.countFrom = countFrom
    }

    public func record(_ lag: Duration) {
        guard Date() >= countFrom else { return }
        lags.withLock { $0.append(lag.inSeconds) }
    }

    /// The lags kept, in seconds, smallest first.
    public var sorted: [Double] { lags.withLock { $0 }.sorted() }
}

extension Duration {
    /// In seconds, as a `Double`.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// The `p` (0…1) percentile of `sorted` by the nearest-rank method; NaN when it is empty.
public func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}
