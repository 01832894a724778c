import Foundation
import Synchronization

extension ZoneTransitions {
    /// Tables already built, by zone identifier: a zone is read from Foundation once per process.
    private static let cache = Mutex<[String: ZoneTransitions]>([:])

    /// The shared table for `timeZone`.
    static func shared(for timeZone: TimeZone) -> ZoneTransitions {
        let identifier = timeZone.identifier
        if let table = cache.withLock({ $0[identifier] }) { return table }
        let table = ZoneTransitions(timeZone: timeZone)  // built outside the lock; a race only wastes work
        return cache.withLock { tables in
            if let existing = tables[identifier] { return existing }
            tables[identifier] = table
            return table
        }
    }
}
