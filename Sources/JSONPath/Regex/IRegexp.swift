/// An I-Regexp (RFC 9485) compiled for a linear-time matcher.
///
/// Matching simulates the NFA (Pike VM without captures), so time is O(pattern × input) for
/// every pattern: `(a|a)*b` against 10,000 `a`s costs the same as any other 10,000-scalar
/// input, and a trigger's regex can never stall event delivery. Counted repetition is expanded
/// into the program, which is capped at ``maxProgramSize`` instructions.
///
/// Following the CTS (and most implementations), `^` and `$` outside a class anchor at the
/// start and end of the input.
public struct IRegexp: Sendable {
    /// Largest compiled program accepted; bounds memory and per-character work.
    public static let maxProgramSize = 10_000

    public let pattern: String
    let program: RegexProgram
    /// Table-driven matchers for ASCII input, built when the pattern is compiled for reuse.
    private let anchoredDFA: AsciiDFA?
    private let searchDFA: AsciiDFA?

    /// Compiles `pattern` for repeated use (also builds the ASCII fast path).
    public init(_ pattern: String) throws(IRegexpError) {
        try self.init(pattern, buildDFA: true)
    }

    /// `buildDFA: false` for one-off patterns read from a document, where building the tables
    /// would cost more than the single match.
    init(_ pattern: String, buildDFA: Bool) throws(IRegexpError) {
        self.pattern = pattern
        var parser = IRegexpParser(pattern)
        let tree = try parser.parse()
        program = try RegexProgram(compiling: tree, maxSize: IRegexp.maxProgramSize)
        let small = program.instructions.count <= 200
        anchoredDFA = buildDFA && small ? AsciiDFA(program: program, anchored: true) : nil
        searchDFA = buildDFA && small ? AsciiDFA(program: program, anchored: false) : nil
    }

    /// True when the whole string matches (the `match()` function).
    public func matches(_ string: String) -> Bool {
        run(string, anchored: true, maxSteps: .max).matched ?? false
    }

    /// True when some substring matches (the `search()` function).
    public func containsMatch(in string: String) -> Bool {
        run(string, anchored: false, maxSteps: .max).matched ?? false
    }

    /// A match of the whole string (`anchored`) or of some substring, giving up after `maxSteps`
    /// (then `matched` is nil): one step per input byte on the ASCII tables, one per live thread
    /// per scalar otherwise, so the work of one match is bounded whatever pattern and input.
    @inline(__always)
    func run(_ string: String, anchored: Bool, maxSteps: Int) -> (matched: Bool?, steps: Int) {
        if let result = (anchored ? anchoredDFA : searchDFA)?.run(string) { return (result, string.utf8.count) }
        return program.run(string.unicodeScalars, anchored: anchored, maxSteps: maxSteps)
    }
}
