extension JSONParseError {
    /// Where the error is in `document` (the bytes that were parsed), as an editor shows it:
    /// 1-based line and column counting Unicode scalars, like filter errors (``SourceText``),
    /// and the 0-based scalar offset of the offending byte.
    public func location(in document: some Collection<UInt8>) -> (line: Int, column: Int, scalarOffset: Int) {
        // The bytes before the offset are valid UTF-8: the parser stops at the first invalid one.
        let before = SourceText(scalars: Array(String(decoding: document.prefix(byteOffset), as: UTF8.self).unicodeScalars))
        let (line, column) = before.lineAndColumn(of: before.scalars.count)
        return (line, column, before.scalars.count)
    }
}
