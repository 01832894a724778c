import Automation
import GRDB

extension DatabaseError {
    /// Whether the error is a UNIQUE or PRIMARY KEY violation: a duplicate that a check in the
    /// same transaction should have caught, reported as a conflict if it slips through.
    var isUniqueViolation: Bool {
        extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
    }
}
