/// A parse failure before line and column are known.
struct ParseFailure: Error {
    var code: JSONPathError.Code
    var message: String
    var range: SourceRange
    var hint: String?
}
