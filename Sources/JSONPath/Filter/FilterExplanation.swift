/// Why a filter did or did not fire for one event: a tree mirroring the expression, with the
/// values each comparison and test saw.
///
/// `description` renders it for people:
/// ```
/// false  $.item.status == 'Finished' && $.item.appId == 'app-7'
///   true   $.item.status == 'Finished'   left "Finished", right "Finished"
///   false  $.item.appId == 'app-7'       left "app-8", right "app-7"
/// ```
public struct FilterExplanation: Sendable, CustomStringConvertible {
    /// One evaluated (or skipped) part of the expression.
    public struct Step: Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case or, and, not, comparison, test, function
        }

        public let kind: Kind
        /// The source text of this part.
        public let text: String
        /// Its result; `nil` when short-circuiting skipped it.
        public let result: Bool?
        /// For comparisons: the left and right values; `nil` is Nothing (no node).
        public let left: JSONValue?
        public let right: JSONValue?
        /// Plain-language detail, e.g. "selected 2 nodes" or "left is Nothing (no such member)".
        public let detail: String?
        public let children: [Step]

        public var description: String {
            var lines: [String] = []
            render(indent: 0, into: &lines)
            return lines.joined(separator: "\n")
        }

        func render(indent: Int, into lines: inout [String]) {
            let status = result.map { $0 ? "true " : "false" } ?? "skip "
            var line = String(repeating: Self.indentUnit, count: indent) + status + Self.statusGap + text
            if let detail { line += Self.detailSeparator + detail }
            lines.append(line)
            for child in children { child.render(indent: indent + 1, into: &lines) }
        }

        private static let indentUnit = "  ", statusGap = "  ", detailSeparator = "    — "

        /// The UTF-8 size of the line ``render(indent:into:)`` writes for such a step, newline included.
        static func renderedBytes(indent: Int, text: String, detail: String?) -> Int {
            let status = 5, newline = 1
            return indent * indentUnit.utf8.count + status + statusGap.utf8.count + text.utf8.count
                + (detail.map { detailSeparator.utf8.count + $0.utf8.count } ?? 0) + newline
        }
    }

    /// Text an explanation holds at most unless told otherwise (64 KiB).
    public static let defaultMaximumBytes = 64 * 1024

    public let result: Bool
    public let root: Step
    /// Steps evaluated but left out once the explanation reached ``maximumBytes``; 0 when whole.
    public let omittedSteps: Int
    /// The cap the explanation was made under.
    public let maximumBytes: Int

    public init(result: Bool, root: Step, omittedSteps: Int = 0, maximumBytes: Int = FilterExplanation.defaultMaximumBytes) {
        self.result = result
        self.root = root
        self.omittedSteps = omittedSteps
        self.maximumBytes = maximumBytes
    }

    /// Whether steps were left out; ``description`` then ends with ``truncationMarker``.
    public var isTruncated: Bool { omittedSteps > 0 }

    /// The line that ends a truncated explanation.
    public var truncationMarker: String {
        "… explanation truncated: \(omittedSteps) more steps not shown (explanations are capped at \(maximumBytes) bytes)"
    }

    public var description: String {
        isTruncated ? root.description + "\n" + truncationMarker : root.description
    }
}
