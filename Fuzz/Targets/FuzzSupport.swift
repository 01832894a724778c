// Shared by every fuzz target (compiled into each one by scripts/fuzz.sh).

/// Stops the run with a message libFuzzer reports as a crash, input saved: a property failed.
func propertyFailed(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("property failed: \(message())", file: file, line: line)
}

/// The input as text; invalid UTF-8 becomes U+FFFD, as it would reaching us through JSON.
func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
}
