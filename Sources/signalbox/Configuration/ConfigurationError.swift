/// A configuration problem, naming the key and where its value came from (file:line:column or
/// the environment variable).
struct ConfigurationError: Error, CustomStringConvertible {
    let source: String
    let key: String
    let message: String

    var description: String { "\(source): \(key): \(message)" }
}
