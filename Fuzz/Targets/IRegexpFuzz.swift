@testable import JSONPath

/// The I-Regexp parser and both matchers. Input: the pattern, a newline, then the subject.
/// - an error's offset and length lie inside the pattern;
/// - the ASCII DFA (built for patterns compiled for reuse) and the Pike VM (one-off patterns)
///   give the same answer, anchored and not;
/// - a whole-string match implies a substring match;
/// - the Pike VM's work is within one step per instruction per scalar, and a step budget below
///   that stops it with no answer rather than a wrong one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIRegexp(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    let pattern: String
    let subject: String
    if let newline = input.firstIndex(of: "\n") {
        pattern = String(input[..<newline])
        subject = String(input[input.index(after: newline)...])
    } else {
        pattern = input
        subject = ""
    }
    let reusable: IRegexp
    let oneOff: IRegexp
    do {
        reusable = try IRegexp(pattern)
        oneOff = try IRegexp(pattern, buildDFA: false)
    } catch {
        let scalars = pattern.unicodeScalars.count
        guard error.offset >= 0, error.length >= 0, error.offset <= scalars, error.offset + error.length <= scalars + 1 else {
            propertyFailed("error at \(error.offset)+\(error.length) outside \(scalars) scalars: \(error)")
        }
        return 0
    }
    let stepCeiling = oneOff.program.instructions.count * (subject.unicodeScalars.count + 1)
    for anchored in [true, false] {
        let (viaVM, steps) = oneOff.run(subject, anchored: anchored, maxSteps: .max)
        guard let viaVM else { propertyFailed("/\(pattern)/ gave no answer without a step limit") }
        guard steps <= stepCeiling else { propertyFailed("/\(pattern)/ took \(steps) steps, over \(stepCeiling)") }
        let (viaTables, _) = reusable.run(subject, anchored: anchored, maxSteps: .max)
        guard viaTables == viaVM else {
            propertyFailed("/\(pattern)/ on \(subject.debugDescription), anchored \(anchored): DFA \(String(describing: viaTables)), VM \(viaVM)")
        }
        if steps > 0 {
            let (cut, cutSteps) = oneOff.run(subject, anchored: anchored, maxSteps: steps - 1)
            guard cut == nil || cut == viaVM, cutSteps <= steps else {
                propertyFailed("/\(pattern)/: under a step limit answered \(String(describing: cut)), unlimited \(viaVM)")
            }
        }
    }
    if reusable.matches(subject), !reusable.containsMatch(in: subject) {
        propertyFailed("/\(pattern)/ matches \(subject.debugDescription) whole but finds no substring match")
    }
    return 0
}
